"""The spreadsheet layout of the roll, shared by the import, its templates and the member exports
(the member list's export button and the download centre's member roll), so an exported file imports again.

Headers and the names of choices are fixed Chinese text, not translated: they are the file format,
and a file exported by one user must import again for another, whatever their language.
"""

import datetime
from dataclasses import dataclass
from functools import cache

from django.utils import translation

from .models import ImportJob, Level, Member, Organization, Sector

# The names a choice is written as; the first is used in templates and exports, all are accepted.
LEVEL_NAMES = {
    Level.CITY: ("市委",),
    Level.DISTRICT: ("县/区委", "县委", "区委", "县区委"),
    Level.TOWN: ("镇党委", "乡党委", "乡镇党委"),
    Level.WORKING: ("党工委",),
    Level.COMMITTEE: ("党委",),
    Level.GENERAL_BRANCH: ("党总支",),
    Level.BRANCH: ("党支部",),
    Level.JOINT_BRANCH: ("联合党支部",),
}
SECTOR_NAMES = {
    Sector.RURAL: ("农村",),
    Sector.COMMUNITY: ("街道社区", "社区", "街道"),
    Sector.AGENCY: ("机关",),
    Sector.STATE_ENTERPRISE: ("国有企业", "国企"),
    Sector.NON_PUBLIC: ("非公有制企业", "非公企业"),
    Sector.SOCIAL: ("新社会组织", "社会组织"),
    Sector.UNIVERSITY: ("高等学校", "高校"),
    Sector.INSTITUTION: ("事业单位",),
}
GENDER_NAMES = {Member.Gender.MALE: ("男",), Member.Gender.FEMALE: ("女",)}
STATUS_NAMES = {Member.Status.FULL: ("正式", "正式党员"), Member.Status.PROBATIONARY: ("预备", "预备党员")}
ROLE_NAMES = {
    Member.Role.NONE: ("", "无", "党员"),
    Member.Role.SECRETARY: ("书记",),
    Member.Role.DEPUTY: ("副书记",),
    Member.Role.COMMITTEE_MEMBER: ("委员",),
    Member.Role.WORKER: ("党务工作者",),
}
STAFF_KIND_NAMES = {
    Member.StaffKind.NONE: ("", "无", "不适用"),
    Member.StaffKind.OWNER: ("业主",),
    Member.StaffKind.MANAGEMENT: ("管理层",),
    Member.StaffKind.STAFF: ("一般员工", "员工"),
}
YES_NO_NAMES = {True: ("是", "Y", "yes", "true", "1"), False: ("否", "", "N", "no", "false", "0")}


def normalize(text):
    return "".join(str(text).split()).casefold()


NAME_TABLES = {
    "level": LEVEL_NAMES,
    "sector": SECTOR_NAMES,
    "gender": GENDER_NAMES,
    "status": STATUS_NAMES,
    "role": ROLE_NAMES,
    "staff_kind": STAFF_KIND_NAMES,
    "yes_no": YES_NO_NAMES,
}


@cache
def lookup_table(names):
    """Every accepted spelling of a choice → its value: the names above and, for model choices,
    the stored value and the label in English and (once translated) in Chinese."""
    table = {}
    for value, spellings in NAME_TABLES[names].items():
        accepted = list(spellings)
        if not isinstance(value, bool):
            accepted.append(value)
            for language in ("en", "zh-hans"):
                with translation.override(language):
                    accepted.append(str(value.label))
        for spelling in accepted:
            table.setdefault(normalize(spelling), value)
    return table


@dataclass(frozen=True)
class Column:
    header: str  # as written in row 1; an optional hint in parentheses follows it, e.g. 党员类别(正式/预备)
    field: str  # model field, or "parent" / "organization" for the code of an organization
    type: str  # text, code, date, choice
    required: bool = False
    names: str = ""  # key of NAME_TABLES for choices
    hint: str = ""  # written after the header in the template and the export; optional on import
    default: object = ""  # the value of an empty optional cell
    width: int = 14
    max_length: int | None = None

    @property
    def title(self):
        return f"{self.header}({self.hint})" if self.hint else self.header

    @property
    def number_format(self):
        return "yyyy-mm-dd" if self.type == "date" else None

    def output(self, value):
        """The cell value of ``value`` (a stored field value) in the file."""
        if self.type == "choice":
            return NAME_TABLES[self.names][value][0] if value in NAME_TABLES[self.names] else value
        return value

    def choices(self):
        return [spellings[0] for spellings in NAME_TABLES[self.names].values() if spellings[0]]


def _length(model, field):
    return model._meta.get_field(field).max_length


CODE_LENGTH = _length(Organization, "code")


@dataclass(frozen=True)
class Spec:
    kind: str
    action: str
    model: type
    sheet: str
    columns: tuple[Column, ...]
    example: tuple

    def column(self, field):
        return next(c for c in self.columns if c.field == field)


ORGANIZATIONS = Spec(
    kind=ImportJob.Kind.ORGANIZATIONS,
    action="organization.import",
    model=Organization,
    sheet="组织",
    columns=(
        Column("组织名称", "name", "text", required=True, width=28, max_length=_length(Organization, "name")),
        Column("组织编码", "code", "code", required=True, max_length=CODE_LENGTH),
        Column("上级组织编码", "parent", "code", required=True, max_length=CODE_LENGTH),
        Column("层级", "level", "choice", required=True, names="level"),
        Column("领域", "sector", "choice", required=True, names="sector"),
        Column("书记", "secretary_name", "text", max_length=_length(Organization, "secretary_name")),
        Column("联系电话", "contact_phone", "text", width=16, max_length=_length(Organization, "contact_phone")),
        Column("成立日期", "founded_on", "date", default=None, width=12),
        Column("地址", "address", "text", width=30, max_length=_length(Organization, "address")),
    ),
    example=(
        "示例村党支部",
        "EXAMPLE-01",
        "示例上级编码",
        "党支部",
        "农村",
        "张三",
        "0512-12345678",
        datetime.date(2010, 7, 1),
        "示例镇示例村",
    ),
)

MEMBERS = Spec(
    kind=ImportJob.Kind.MEMBERS,
    action="member.import",
    model=Member,
    sheet="党员",
    columns=(
        Column("姓名", "name", "text", required=True, width=12, max_length=_length(Member, "name")),
        Column("性别", "gender", "choice", required=True, names="gender", width=8),
        Column("出生日期", "birth_date", "date", required=True, width=12),
        Column("党员类别", "status", "choice", required=True, names="status", hint="正式/预备", width=16),
        Column("入党日期", "joined_on", "date", required=True, width=12),
        Column("所在组织编码", "organization", "code", required=True, max_length=CODE_LENGTH),
        Column("党内职务", "role", "choice", names="role", width=12),
        Column("流动党员", "mobile", "choice", names="yes_no", hint="是/否", default=False, width=14),
        Column("非公企业身份", "staff_kind", "choice", names="staff_kind", width=14),
        Column("手机号码", "phone", "text", width=16, max_length=_length(Member, "phone")),
    ),
    example=(
        "张三（示例）",
        "男",
        datetime.date(1985, 3, 12),
        "正式",
        datetime.date(2008, 7, 1),
        "示例组织编码",
        "",
        "否",
        "",
        "13800000000",
    ),
)

SPECS = {spec.kind: spec for spec in (ORGANIZATIONS, MEMBERS)}


def member_rows(members, extra=()):
    """The rows of ``members`` (a queryset) as written to a file, in the order of ``MEMBERS.columns`` and then
    the ``extra`` fields as they are: plain tuples in the roll's order, read from the database in chunks."""
    columns = MEMBERS.columns
    fields = ["organization__code" if c.field == "organization" else c.field for c in columns]
    rows = members.order_by("organization__path", "name", "pk").values_list(*fields, *extra)
    for values in rows.iterator(chunk_size=2000):
        yield (
            tuple(column.output(value) for column, value in zip(columns, values[: len(columns)], strict=True))
            + values[len(columns) :]
        )
