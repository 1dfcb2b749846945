"""The demo city: 吴江市 of seed 000, its towns, development zones and working committees.

``build_demo_city`` writes the city for ``manage.py seed_demo``. It is deterministic (seeded random
generators, a fixed reference date) and streams: organizations, members and units are generated one
group at a time and written with ``bulk_create`` in batches, so a province-sized city (100,000
organizations, 3,000,000 members) never sits in memory.

The city is planned as a fixed skeleton (the city committee, the 14 committees named by seeds 000
and 001, the demo accounts' branches and the deliberate rule violations) followed by groups of
organizations generated round-robin under the top committees until ``--orgs`` is reached. Members
fill the branches: the fixed ones get their fixed roll, the others share the rest of ``--members``.

Organization ids are allocated here, not by the database, so that every row is inserted once
with its final ``path`` (parent's path + ``encode_segment(pk)``); the id sequence is reset after.
"""

import datetime
import random
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import translation
from django.utils.translation import gettext_lazy

from .models import BRANCH_LEVELS, Level, Member, Organization, Role, RoleAssignment, Sector, Unit
from .models.organizations import encode_segment

SEED = 2010
AS_OF = datetime.date(2025, 12, 31)  # the roll's reference date: nobody joins after it
BATCH = 2000
CITY_CODE = "WJ"
DEFAULT_ORGS = 150
DEFAULT_MEMBERS = 2500


def words(text):
    """A table written as words separated by spaces."""
    return tuple(text.split())


# ---------------------------------------------------------------------------------------------
# People: surnames common around Suzhou first, then the national list.
LOCAL_SURNAMES = "沈陆顾吴徐张王周钱朱金费姚杨陈俞施蒋孙"
SURNAMES = (
    "李刘黄赵胡郭何高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡余杜叶程魏苏吕丁任姜崔谭范汪廖石贾夏方邹熊"
    "孟秦邱侯江尹薛段雷史陶贺毛郝龚邵万钟严戴汤倪凌褚卜屠"
)
MALE_CHARS = "伟强军平刚勇杰涛明辉斌华林峰磊鹏超波宇浩俊健东亮志文海兵荣新春国祥忠德贵福根生良彬云龙飞翔振兴卫毅"
FEMALE_CHARS = "芳娟敏静丽艳娜秀英华玲燕萍红霞梅琴雪慧莉婷颖洁佳云凤珍兰晶倩瑶雯琳月蓉菊"
MOBILE_PREFIXES = ("138", "139", "135", "136", "137", "150", "151", "152", "158", "159", "180", "186", "188", "189")

# ---------------------------------------------------------------------------------------------
# Places and organizations.
VILLAGE_NAMES = [
    a + b
    for a in "东西南北新联丰金红光永长双三太湖溪庄塘沈陆顾吴"
    for b in "联丰星胜明华安盛兴家浜湾港荡桥圩墩塘"
    if a != b
]
COMMUNITY_NAMES = [
    a + b for a in "江松鲈笠梅吴苏盛太湖东西南北新长永丰" for b in "虹城苑园景华泽湾岸桥浦港馨和安" if a != b
]
BRAND_NAMES = [
    a + b for a in "恒盛永亨鑫华宏康瑞嘉锦德泰丰新天远博佳福" for b in "达通源宇诚信美力昌晟辉隆润鼎业邦腾帆" if a != b
]
FIRM_PREFIXES = ("吴江", "吴江市", "苏州")
FIRM_FORMS = ("有限公司", "有限公司", "有限公司", "股份有限公司")
GENERAL_INDUSTRIES = ("纺织", "丝绸", "电子科技", "精密机械", "新材料", "建材", "物流", "食品", "服饰", "电气")
INDUSTRIES = {
    "SZ": ("丝绸", "纺织", "化纤", "印染", "织造", "家纺"),
    "ZZ": ("蚕丝", "丝绸", "家纺", "毛衫"),
    "QD": ("电缆", "光电", "光纤", "电力器材"),
    "TY": ("纺织", "织造", "化纤", "羊毛衫"),
    "PW": ("物流", "化纤", "纺织", "电子"),
    "KFQ": ("电子科技", "光电", "精密机械", "新材料", "汽车零部件", "半导体"),
    "FH": ("电梯", "精密机械", "智能装备", "新能源", "医疗器械"),
    "SC": ("丝绸贸易", "纺织品贸易", "面料", "化纤贸易"),
}
FIRM_BRANCHES = ("生产第一党支部", "生产第二党支部", "技术研发党支部", "营销党支部", "质量管理党支部", "行政后勤党支部")
TOWN_AGENCIES = words(
    "机关第一 机关第二 经济服务中心 社会事业局 城市管理办公室 农业服务中心 财政分局 规划建设管理所 "
    "安全生产监督管理所 劳动保障所 派出所 市场监督管理分局 国土资源所 供电所"
)
ZONE_AGENCIES = ("管委会机关第一", "管委会机关第二", "招商局", "经济发展局", "规划建设局", "社会事业局", "综合执法局")
MARKET_AGENCIES = ("市场管理委员会机关", "市场服务中心", "市场综合执法大队")
INSTITUTIONS_LOCAL = words("中心小学 实验小学 初级中学 中心幼儿园 卫生院 文化体育站 成人教育中心校 敬老院")
SOCIAL_ORGS = words("个体劳动者协会 商会 老年人协会 社会工作服务社 志愿者协会 物业管理协会 家政服务中心 慈善分会")
MARKET_SOCIAL_ORGS = ("丝绸行业协会", "纺织品商会", "物流协会", "面料商户协会")
DEPARTMENTS = words(
    "发展和改革委员会 经济和信息化委员会 教育局 科学技术局 公安局 民政局 司法局 财政局 "
    "人力资源和社会保障局 国土资源局 住房和城乡建设局 交通运输局 水利局 农业委员会 商务局 "
    "文化广电新闻出版局 卫生局 人口和计划生育委员会 审计局 环境保护局 统计局 安全生产监督管理局 "
    "物价局 质量技术监督局 工商行政管理局 国家税务局 地方税务局 规划局 城市管理局 档案局"
)
DEPARTMENT_BRANCHES = ("办公室党支部", "业务科室第一党支部", "业务科室第二党支部", "直属单位党支部", "离退休干部党支部")
CITY_INSTITUTIONS = (
    ("市第一人民医院", "hospital"),
    ("市中医医院", "hospital"),
    ("市第二人民医院", "hospital"),
    ("吴江中学", "school"),
    ("市实验初级中学", "school"),
    ("市妇幼保健院", ""),
    ("市图书馆", ""),
    ("市广播电视台", ""),
    ("市疾病预防控制中心", ""),
    ("市博物馆", ""),
    ("市人才交流中心", ""),
)
INSTITUTION_BRANCHES = {
    "hospital": ("内科党支部", "外科党支部", "医技党支部", "护理党支部", "行政后勤党支部"),
    "school": ("教工第一党支部", "教工第二党支部", "离退休教工党支部"),
}
BANK_BRANCHES = words(
    "总行机关第一 总行机关第二 营业部 松陵支行 同里支行 平望支行 盛泽支行 震泽支行 黎里支行 "
    "七都支行 桃源支行 开发区支行 汾湖支行 东方丝绸市场支行"
)
COLLEGE_SCHOOLS = ("机电工程学院", "经济管理学院", "信息工程学院", "纺织服装学院", "艺术设计学院", "基础教学部")
COLLEGE_SERVICES = ("机关", "后勤服务中心")
JOINT_AREAS = ("工业园", "科技园", "商贸区", "物流园", "创业园", "工业集中区")

# The top committees: code, name, level, sector, short name used in subordinate names, profile.
TOPS = (
    ("SL", "松陵镇党委", Level.TOWN, Sector.COMMUNITY, "松陵镇", "urban_town"),
    ("TL", "同里镇党委", Level.TOWN, Sector.RURAL, "同里镇", "town"),
    ("PW", "平望镇党委", Level.TOWN, Sector.RURAL, "平望镇", "town"),
    ("SZ", "盛泽镇党委", Level.TOWN, Sector.RURAL, "盛泽镇", "town"),
    ("ZZ", "震泽镇党委", Level.TOWN, Sector.RURAL, "震泽镇", "town"),
    ("LL", "黎里镇党委", Level.TOWN, Sector.RURAL, "黎里镇", "town"),
    ("QD", "七都镇党委", Level.TOWN, Sector.RURAL, "七都镇", "town"),
    ("TY", "桃源镇党委", Level.TOWN, Sector.RURAL, "桃源镇", "town"),
    ("KFQ", "吴江经济开发区党工委", Level.WORKING, Sector.NON_PUBLIC, "吴江经济开发区", "zone"),
    ("FH", "吴江汾湖经济开发区党工委", Level.WORKING, Sector.NON_PUBLIC, "汾湖经济开发区", "zone"),
    ("JG", "市级机关党工委", Level.WORKING, Sector.AGENCY, "市", "agencies"),
    ("SC", "东方丝绸市场党工委", Level.WORKING, Sector.NON_PUBLIC, "东方丝绸市场", "market"),
    ("NSH", "吴江农村商业银行党委", Level.COMMITTEE, Sector.STATE_ENTERPRISE, "农商行", "bank"),
    ("XY", "吴江职业技术学院党委", Level.COMMITTEE, Sector.UNIVERSITY, "", "university"),
)
# How many groups a top committee of each profile receives per round, and what kinds of group.
PROFILES = {
    "urban_town": (
        3,
        {
            "community": 30,
            "village": 6,
            "firm": 18,
            "big_firm": 5,
            "joint": 10,
            "social": 10,
            "institution_local": 11,
            "agency_branch": 10,
        },
    ),
    "town": (
        3,
        {
            "village": 30,
            "community": 10,
            "firm": 22,
            "big_firm": 6,
            "joint": 10,
            "social": 5,
            "institution_local": 9,
            "agency_branch": 8,
        },
    ),
    "zone": (3, {"firm": 38, "big_firm": 14, "joint": 16, "community": 12, "social": 8, "agency_branch": 12}),
    "agencies": (2, {"department": 70, "city_institution": 30}),
    "market": (1, {"firm": 45, "joint": 30, "social": 15, "agency_branch": 10}),
    "bank": (1, {"bank_branch": 100}),
    "university": (1, {"college": 100}),
}
AGENCY_NAMES = {"urban_town": TOWN_AGENCIES, "town": TOWN_AGENCIES, "zone": ZONE_AGENCIES, "market": MARKET_AGENCIES}
SOCIAL_NAMES = {"market": MARKET_SOCIAL_ORGS}

# Member profile per sector: (youngest, oldest age), share of probationary and of mobile members.
AGES = {
    Sector.RURAL: (24, 85),
    Sector.COMMUNITY: (24, 85),
    Sector.AGENCY: (24, 60),
    Sector.STATE_ENTERPRISE: (23, 60),
    Sector.NON_PUBLIC: (22, 58),
    Sector.SOCIAL: (23, 70),
    Sector.UNIVERSITY: (24, 62),
    Sector.INSTITUTION: (23, 62),
}
STUDENT_AGES = (19, 23)
MOBILE_RATE = {Sector.RURAL: 0.08, Sector.COMMUNITY: 0.05, Sector.NON_PUBLIC: 0.06}

MEMBER_ACCOUNT = gettext_lazy("Party member with a login")
# The demo accounts: username, full name, role (None: a member with a login), key of the organization.
ACCOUNTS = (
    ("admin", "沈建华", Role.ADMIN, None),
    ("office", "顾晓燕", Role.OFFICE, "city"),
    ("committee", "陆振国", Role.COMMITTEE, "top:SL"),
    ("secretary", "徐丽萍", Role.SECRETARY, "demo_branch"),
    ("member", "钱志明", None, "demo_branch"),
)


def chinese_number(n):
    """1 → 一, 12 → 十二, 45 → 四十五; from 100 on, Arabic digits."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")
    return str(n)


def ordinal(repeat):
    """Nothing the first time a name is used, then 第二, 第三 and so on."""
    return f"第{chinese_number(repeat + 1)}" if repeat else ""


@dataclass(eq=False, slots=True)
class OrgSpec:
    name: str
    code: str
    level: str
    sector: str
    parent: "OrgSpec | None"
    key: str = ""  # how the skeleton and the accounts refer to it
    kind: str = ""  # "student": a students' branch (young, many probationary members)
    fixed: int | None = None  # a fixed roll size instead of a share of --members
    probationary_rate: float = 0.05
    people: tuple = ()  # fixed first members: (name, gender, party role, account username)
    pk: int = 0
    path: str = ""
    members: int = 0

    @property
    def holds_members(self):
        return self.level in BRANCH_LEVELS


@dataclass(eq=False, slots=True)
class UnitSpec:
    name: str
    kind: str
    coverage: str
    org: OrgSpec
    above_scale: bool = False
    employees: int = 0
    party_members: int = 0
    counted: tuple = ()  # organizations whose members are the unit's party members
    liaison: bool = False


@dataclass
class Top:
    spec: OrgSpec
    short: str  # the place name its subordinates' names start with
    profile: str
    kinds: list
    weights: list
    groups: int = 0  # numbers the codes of its groups


class Planner:
    """The structure of the city, as groups of (organizations, units), parents before children.

    Only the structure generator is used here, so the plan can be walked twice (once to count the
    branches that share the members, once to write) and comes out the same.
    """

    def __init__(self, seed=SEED):
        self.rng = random.Random(f"{seed}-structure")
        self.pools = {}
        self.city = OrgSpec("中共吴江市委", CITY_CODE, Level.CITY, Sector.AGENCY, None, key="city")
        self.tops = []
        for code, name, level, sector, short, profile in TOPS:
            spec = OrgSpec(name, f"{CITY_CODE}-{code}", level, sector, self.city, key=f"top:{code}")
            kinds = PROFILES[profile][1]
            self.tops.append(Top(spec, short, profile, list(kinds), list(kinds.values())))

    def skeleton(self):
        top = {t.spec.code.removeprefix(f"{CITY_CODE}-"): t.spec for t in self.tops}
        person = {username: name for username, name, *_rest in ACCOUNTS}
        demo = OrgSpec(
            "松陵镇流虹社区党支部",
            f"{CITY_CODE}-SL-LH",
            Level.BRANCH,
            Sector.COMMUNITY,
            top["SL"],
            key="demo_branch",
            fixed=18,
            people=(
                (person["secretary"], "f", Member.Role.SECRETARY, "secretary"),
                (person["member"], "m", Member.Role.NONE, "member"),
            ),
        )
        neighbour = OrgSpec("松陵镇鲈乡社区党支部", f"{CITY_CODE}-SL-LX", Level.BRANCH, Sector.COMMUNITY, top["SL"])
        # Deliberate violations of seed 002's rules, so that the warnings have something to show.
        too_small = OrgSpec(
            "七都镇太湖渔业专业合作社党支部",
            f"{CITY_CODE}-QD-YY",
            Level.BRANCH,
            Sector.RURAL,
            top["QD"],
            key="too_small",
            fixed=2,
            probationary_rate=0,
        )
        too_large = OrgSpec(
            "吴江恒宇纺织集团有限公司党支部",
            f"{CITY_CODE}-SZ-HY",
            Level.BRANCH,
            Sector.NON_PUBLIC,
            top["SZ"],
            key="too_large",
            fixed=60,
            probationary_rate=0,
        )
        units = [
            UnitSpec(
                "吴江恒宇纺织集团有限公司",
                Unit.Kind.ENTERPRISE,
                Unit.Coverage.SINGLE,
                too_large,
                above_scale=True,
                employees=2300,
                counted=(too_large,),
            ),
            # Five party members and only a liaison: it must form its own organization.
            UnitSpec(
                "吴江锦程丝绸有限公司",
                Unit.Kind.ENTERPRISE,
                Unit.Coverage.WORK,
                top["SZ"],
                employees=180,
                party_members=5,
                liaison=True,
            ),
        ]
        return [self.city, *top.values(), demo, neighbour, too_small, too_large], units

    def groups(self, total):
        """Yield (organizations, units) until ``total`` organizations are planned."""
        orgs, units = self.skeleton()
        if total < len(orgs):
            raise ValueError(f"at least {len(orgs)} organizations")
        yield orgs, units
        remaining = total - len(orgs)
        rotation = [top for top in self.tops for _visit in range(PROFILES[top.profile][0])]
        while remaining:
            for top in rotation:
                kind = self.rng.choices(top.kinds, top.weights)[0]
                orgs, units = getattr(self, f"_{kind}")(top)
                orgs = orgs[:remaining]
                kept = {id(org) for org in orgs} | {id(top.spec)}
                yield orgs, [unit for unit in units if id(unit.org) in kept]
                remaining -= len(orgs)
                if not remaining:
                    return

    # -- helpers --------------------------------------------------------------------------------
    def _draw(self, top, pool, items):
        """The next name of ``pool`` for ``top``, in a shuffled order; and how often the pool has wrapped."""
        order, used = self.pools.get((top.spec.code, pool)) or (self.rng.sample(items, len(items)), 0)
        self.pools[(top.spec.code, pool)] = (order, used + 1)
        return order[used % len(order)], used // len(order)

    def _root(self, top, name, level, sector, **kwargs):
        top.groups += 1
        return OrgSpec(name, f"{top.spec.code}-{top.groups:04d}", level, sector, top.spec, **kwargs)

    @staticmethod
    def _children(parent, names, start=1, **kwargs):
        stem = parent.name.removesuffix("党委").removesuffix("党总支")
        return [
            OrgSpec(stem + name, f"{parent.code}-{i}", Level.BRANCH, parent.sector, parent, **kwargs)
            for i, name in enumerate(names, start)
        ]

    def _firm_name(self, top):
        brand, _repeat = self._draw(top, "brand", BRAND_NAMES)
        industry = self.rng.choice(INDUSTRIES.get(top.spec.code.split("-")[-1], GENERAL_INDUSTRIES))
        return self.rng.choice(FIRM_PREFIXES) + brand + industry, self.rng.choice(FIRM_FORMS)

    def _small_units(self, top, covering, count, coverage):
        units = []
        for _i in range(count):
            stem, form = self._firm_name(top)
            kind = Unit.Kind.ENTERPRISE if self.rng.random() < 0.75 else Unit.Kind.SOCIAL
            units.append(
                UnitSpec(
                    stem + form,
                    kind,
                    coverage,
                    covering,
                    employees=self.rng.randint(8, 120),
                    party_members=self.rng.randint(0, 2),
                    liaison=coverage == Unit.Coverage.WORK,
                )
            )
        return units

    # -- the kinds of group ------------------------------------------------------------------------
    def _village(self, top):
        place, repeat = self._draw(top, "village", VILLAGE_NAMES)
        base = f"{top.short}{place}{chinese_number(repeat + 1) if repeat else ''}村"
        if self.rng.random() < 0.45:
            root = self._root(top, base + "党委", Level.COMMITTEE, Sector.RURAL)
            count = self.rng.randint(2, 4)
            return [root, *self._children(root, [f"第{chinese_number(i)}党支部" for i in range(1, count + 1)])], []
        return [self._root(top, base + "党支部", Level.BRANCH, Sector.RURAL)], []

    def _community(self, top):
        place, repeat = self._draw(top, "community", COMMUNITY_NAMES)
        base = f"{top.short}{place}{chinese_number(repeat + 1) if repeat else ''}社区"
        if self.rng.random() < 0.35:
            root = self._root(top, base + "党委", Level.COMMITTEE, Sector.COMMUNITY)
            count = self.rng.randint(2, 3)
            return [root, *self._children(root, [f"第{chinese_number(i)}网格党支部" for i in range(1, count + 1)])], []
        return [self._root(top, base + "党支部", Level.BRANCH, Sector.COMMUNITY)], []

    def _firm(self, top):
        stem, form = self._firm_name(top)
        org = self._root(top, f"{stem}{form}党支部", Level.BRANCH, Sector.NON_PUBLIC)
        above = self.rng.random() < 0.35
        employees = self.rng.randint(300, 2000) if above else self.rng.randint(30, 299)
        unit = UnitSpec(
            stem + form,
            Unit.Kind.ENTERPRISE,
            Unit.Coverage.SINGLE,
            org,
            above_scale=above,
            employees=employees,
            counted=(org,),
        )
        return [org], [unit]

    def _big_firm(self, top):
        stem, _form = self._firm_name(top)
        form = self.rng.choice(("集团有限公司", "股份有限公司"))
        if self.rng.random() < 0.4:
            root = self._root(top, f"{stem}{form}党委", Level.COMMITTEE, Sector.NON_PUBLIC)
            names = FIRM_BRANCHES[: self.rng.randint(3, 5)]
        else:
            root = self._root(top, f"{stem}{form}党总支", Level.GENERAL_BRANCH, Sector.NON_PUBLIC)
            names = FIRM_BRANCHES[: self.rng.randint(2, 3)]
        branches = self._children(root, names)
        unit = UnitSpec(
            stem + form,
            Unit.Kind.ENTERPRISE,
            Unit.Coverage.SINGLE,
            root,
            above_scale=True,
            employees=self.rng.randint(800, 6000),
            counted=tuple(branches),
        )
        return [root, *branches], [unit]

    def _joint(self, top):
        area, repeat = self._draw(top, "joint", JOINT_AREAS)
        org = self._root(
            top, f"{top.short}{area}{ordinal(repeat)}非公企业联合党支部", Level.JOINT_BRANCH, Sector.NON_PUBLIC
        )
        units = self._small_units(top, org, self.rng.randint(3, 4), Unit.Coverage.JOINT)
        # Units too small even for the joint branch: a liaison of the committee, or nobody yet.
        units += self._small_units(top, top.spec, self.rng.randint(1, 2), Unit.Coverage.WORK)
        if self.rng.random() < 0.3:
            units += self._small_units(top, top.spec, 1, Unit.Coverage.NONE)
        return [org], units

    def _social(self, top):
        name, repeat = self._draw(top, "social", SOCIAL_NAMES.get(top.profile, SOCIAL_ORGS))
        org = self._root(top, f"{top.short}{name}{ordinal(repeat)}党支部", Level.BRANCH, Sector.SOCIAL)
        unit = UnitSpec(
            f"{top.short}{name}",
            Unit.Kind.SOCIAL,
            Unit.Coverage.SINGLE,
            org,
            employees=self.rng.randint(5, 60),
            counted=(org,),
        )
        return [org], [unit]

    def _institution_local(self, top):
        name, repeat = self._draw(top, "institution", INSTITUTIONS_LOCAL)
        return [self._root(top, f"{top.short}{name}{ordinal(repeat)}党支部", Level.BRANCH, Sector.INSTITUTION)], []

    def _agency_branch(self, top):
        name, repeat = self._draw(top, "agency", AGENCY_NAMES[top.profile])
        return [self._root(top, f"{top.short}{name}{ordinal(repeat)}党支部", Level.BRANCH, Sector.AGENCY)], []

    def _department(self, top):
        name, repeat = self._draw(top, "department", DEPARTMENTS)
        if not repeat and self.rng.random() < 0.4:
            root = self._root(top, f"市{name}机关党委", Level.COMMITTEE, Sector.AGENCY)
            return [root, *self._children(root, DEPARTMENT_BRANCHES[: self.rng.randint(3, 5)])], []
        return [self._root(top, f"市{name}机关{ordinal(repeat)}党支部", Level.BRANCH, Sector.AGENCY)], []

    def _city_institution(self, top):
        (name, kind), repeat = self._draw(top, "institution", CITY_INSTITUTIONS)
        if kind and not repeat:
            level = Level.COMMITTEE if kind == "hospital" else Level.GENERAL_BRANCH
            root = self._root(top, name + ("党委" if level == Level.COMMITTEE else "党总支"), level, Sector.INSTITUTION)
            return [root, *self._children(root, INSTITUTION_BRANCHES[kind])], []
        return [self._root(top, f"{name}{ordinal(repeat)}党支部", Level.BRANCH, Sector.INSTITUTION)], []

    def _bank_branch(self, top):
        name, repeat = self._draw(top, "bank", BANK_BRANCHES)
        return [self._root(top, f"农商行{name}{ordinal(repeat)}党支部", Level.BRANCH, Sector.STATE_ENTERPRISE)], []

    def _college(self, top):
        name, repeat = self._draw(top, "college", COLLEGE_SCHOOLS + COLLEGE_SERVICES)
        root = self._root(top, f"{name}{ordinal(repeat)}党总支", Level.GENERAL_BRANCH, Sector.UNIVERSITY)
        if name in COLLEGE_SERVICES:
            return [root, *self._children(root, ("第一党支部", "第二党支部"))], []
        staff = self._children(root, ("教工党支部",))
        students = self._children(
            root, ("学生第一党支部", "学生第二党支部"), start=2, kind="student", probationary_rate=0.4
        )
        return [root, *staff, *students], []


class Share:
    """Deals ``total`` members out to ``slots`` branches, each around the remaining average."""

    def __init__(self, rng, total, slots):
        self.rng, self.total, self.slots = rng, total, slots

    def take(self):
        if self.slots <= 1:
            n = self.total
        else:
            n = min(self.total, round(self.total / self.slots * self.rng.uniform(0.55, 1.45)))
        self.total -= n
        self.slots -= 1
        return n


def minimums():
    """The smallest city: (organizations of the skeleton, members of its fixed branches)."""
    skeleton, _units = Planner().skeleton()
    return len(skeleton), sum(spec.fixed for spec in skeleton if spec.fixed is not None)


class People:
    """Names, dates and phone numbers of a deterministic population."""

    def __init__(self, seed=SEED):
        self.rng = random.Random(f"{seed}-people")

    def person(self):
        rng = self.rng
        surname = rng.choice(LOCAL_SURNAMES) if rng.random() < 0.5 else rng.choice(SURNAMES)
        gender = "m" if rng.random() < 0.62 else "f"
        chars = MALE_CHARS if gender == "m" else FEMALE_CHARS
        given = rng.choice(chars) + (rng.choice(chars) if rng.random() < 0.75 else "")
        return surname + given, gender

    def phone(self):
        return self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def office_phone(self):
        return f"0512-6{self.rng.randrange(10**7):07d}"

    def date(self, first_year, last_year):
        return datetime.date(self.rng.randint(first_year, last_year), self.rng.randint(1, 12), self.rng.randint(1, 28))


class CityWriter:
    """Writes the planned city in batches and keeps only what later phases need."""

    def __init__(self, orgs, members):
        self.orgs, self.members = orgs, members
        self.people = People()
        self.branches = []  # (pk, roll size, sector, kind, probationary rate, fixed people) per branch
        self.pks = {}  # skeleton key → pk
        self.buffers = {Organization: [], Unit: [], Member: []}
        self.users = {}

    def flush(self, model, force=False):
        rows = self.buffers[model]
        if rows and (force or len(rows) >= BATCH):
            if model is not Organization:
                self.flush(Organization, force=True)  # its rows may point at organizations still buffered
            model.objects.bulk_create(rows, batch_size=BATCH)
            rows.clear()

    def write(self):
        _skeleton, fixed = minimums()
        slots = sum(
            1
            for group, _units in Planner().groups(self.orgs)
            for spec in group
            if spec.holds_members and spec.fixed is None
        )
        share = Share(random.Random(f"{SEED}-share"), self.members - fixed, slots)
        next_pk = (Organization.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
        for group, units in Planner().groups(self.orgs):
            for spec in group:
                spec.pk, next_pk = next_pk, next_pk + 1
                self._add_organization(spec, share)
            for unit in units:
                self._add_unit(unit)
            self.flush(Organization)
            self.flush(Unit)
        self.flush(Organization, force=True)
        self.flush(Unit, force=True)
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Organization]):
                cursor.execute(sql)
        self._add_accounts()
        for branch in self.branches:
            self._add_members(*branch)
        self.flush(Member, force=True)

    def _add_organization(self, spec, share):
        spec.path = (spec.parent.path if spec.parent else "") + encode_segment(spec.pk)
        depth = spec.path.count("/") - 1
        if spec.key:
            self.pks[spec.key] = spec.pk
        people = spec.people or ((*self.people.person(), Member.Role.SECRETARY, None),)
        if spec.holds_members:
            spec.members = spec.fixed if spec.fixed is not None else share.take()
            if spec.members:
                self.branches.append(
                    (spec.pk, spec.members, spec.sector, spec.kind, spec.probationary_rate, people[: spec.members])
                )
        self.buffers[Organization].append(
            Organization(
                pk=spec.pk,
                name=spec.name,
                code=spec.code,
                level=spec.level,
                sector=spec.sector,
                parent_id=spec.parent.pk if spec.parent else None,
                path=spec.path,
                depth=depth,
                secretary_name=people[0][0] if not spec.holds_members or spec.members else "",
                contact_phone=self.people.office_phone(),
                founded_on=self.people.date(1949 if depth <= 1 else 1978, 2010),
            )
        )

    def _add_unit(self, spec):
        party_members = sum(org.members for org in spec.counted) if spec.counted else spec.party_members
        self.buffers[Unit].append(
            Unit(
                name=spec.name,
                kind=spec.kind,
                above_scale=spec.above_scale,
                employees=spec.employees,
                party_members=party_members,
                organization_id=spec.org.pk,
                coverage=spec.coverage,
                liaison=self.people.person()[0] if spec.liaison else "",
            )
        )

    def _add_accounts(self):
        User = get_user_model()
        password = make_password(settings.DEMO_PASSWORD)  # hashed once: Argon2 is slow on purpose
        for username, name, role, key in ACCOUNTS:
            user = User.objects.create(
                username=username,
                password=password,
                first_name=name,
                is_staff=role == Role.ADMIN,
                is_superuser=role == Role.ADMIN,
            )
            if role:
                RoleAssignment.objects.create(user=user, role=role, organization_id=self.pks.get(key))
            self.users[username] = user.pk

    def _add_members(self, org_pk, size, sector, kind, probationary_rate, people):
        rng, people_gen = self.people.rng, self.people
        youngest, oldest = STUDENT_AGES if kind == "student" else AGES[sector]
        mobile_rate = MOBILE_RATE.get(sector, 0.01)
        for i in range(size):
            if i < len(people):
                name, gender, role, account = people[i]
            else:
                (name, gender), account = people_gen.person(), None
                role = self._role(i, size)
            probationary = i > 0 and rng.random() < probationary_rate
            age = rng.randint(youngest, min(oldest, 40) if probationary else oldest)
            birth = people_gen.date(AS_OF.year - age, AS_OF.year - age)
            if probationary:
                joined = AS_OF - datetime.timedelta(days=rng.randint(20, 360))
            else:
                joined = people_gen.date(birth.year + 18, max(birth.year + 18, AS_OF.year - 1))
            staff_kind = ""
            if sector == Sector.NON_PUBLIC:
                draw = rng.random()
                staff_kind = (
                    Member.StaffKind.OWNER
                    if draw < 0.04
                    else Member.StaffKind.MANAGEMENT
                    if draw < 0.3
                    else Member.StaffKind.STAFF
                )
            self.buffers[Member].append(
                Member(
                    name=name,
                    gender=gender,
                    birth_date=birth,
                    status=Member.Status.PROBATIONARY if probationary else Member.Status.FULL,
                    joined_on=joined,
                    organization_id=org_pk,
                    role=role,
                    mobile=rng.random() < mobile_rate,
                    staff_kind=staff_kind,
                    phone=people_gen.phone() if rng.random() < 0.7 else "",
                    user_id=self.users.get(account),
                )
            )
            self.flush(Member)

    @staticmethod
    def _role(i, size):
        """Index 0 is the secretary; a branch of 7 or more has a committee (支委), a large one a worker."""
        if i == 0:
            return Member.Role.SECRETARY
        if size >= 7 and i == 1:
            return Member.Role.DEPUTY
        if size >= 7 and i <= (4 if size >= 15 else 2):
            return Member.Role.COMMITTEE_MEMBER
        if size >= 30 and i == 5:
            return Member.Role.WORKER
        return Member.Role.NONE


def demo_city_exists():
    return Organization.objects.filter(code=CITY_CODE).exists()


def clashing_usernames():
    names = [username for username, *_rest in ACCOUNTS]
    return sorted(get_user_model().objects.filter(username__in=names).values_list("username", flat=True))


def account_rows():
    """(username, role label, organization name) of every demo account, from the plan (no query)."""
    planner = Planner()
    orgs, _units = planner.skeleton()
    names = {spec.key: spec.name for spec in orgs if spec.key}
    rows = []
    for username, _name, role, key in ACCOUNTS:
        label = role.label if role else MEMBER_ACCOUNT
        rows.append((username, label, names.get(key, "")))
    return rows


@transaction.atomic
def build_demo_city(orgs=DEFAULT_ORGS, members=DEFAULT_MEMBERS):
    """Write the demo city in one transaction: a failure leaves nothing half-built."""
    CityWriter(orgs, members).write()


DEMO_REMINDER_HORIZON = 120  # days ahead: the demo campaign's filing and progress steps fall inside


def build_demo_notifications():
    """Fill the demo accounts' bells (after the demo campaign): what the reminder pass would tell them now.

    The commitments' deadline sources (``commitments/reminders.py``) are asked for the deadlines due in the
    coming months, and each demo account that must act gets the notification the pass would write, with the
    real number of days left. Only notifications are written, no ``Reminder`` records: the real reminders 7
    days and 1 day before still go out. The notices of submitted commitments that the campaign's showcase
    wrote are marked read once the commitment has moved on. Deterministic; a second run adds nothing.
    """
    from django.urls import Resolver404, resolve
    from django.utils import timezone

    from commitments.models import Commitment

    from . import reminder_pass, reminders
    from .models import Notification

    users = {user.pk: user for user in get_user_model().objects.filter(username__in=[a[0] for a in ACCOUNTS])}
    today = timezone.localdate()
    window = reminders.Window(today, tuple(range(1, DEMO_REMINDER_HORIZON + 1)))
    rows = []
    with translation.override(settings.LANGUAGE_CODE):
        for name, source in reminders.sources().items():
            if not name.startswith("commitments."):
                continue
            for deadline in source(window):
                for user in deadline.recipients:
                    if user.pk in users and window.kind_for(deadline.due_on) == "before":
                        title, body = reminder_pass.message_for(window, "before", deadline)
                        rows.append(Notification(recipient=user, title=title[:200], body=body, url=deadline.url))
    existing = set(Notification.objects.filter(recipient__in=list(users)).values_list("recipient", "title"))
    Notification.objects.bulk_create(r for r in rows if (r.recipient_id, r.title) not in existing)
    # The showcase's "submitted for acceptance" notices: read once the commitment was accepted or returned.
    for notice in Notification.objects.filter(recipient__in=list(users), read_at__isnull=True, reminder__isnull=True):
        try:
            match = resolve(notice.url)
        except Resolver404:
            continue
        if (
            match.view_name == "commitments:detail"
            and not Commitment.objects.filter(pk=match.kwargs["pk"], state=Commitment.State.SUBMITTED).exists()
        ):
            Notification.objects.filter(pk=notice.pk).update(read_at=timezone.now())
