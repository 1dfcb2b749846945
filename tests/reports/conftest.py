"""A small area with figures computed by hand, for the dashboard, the annual report and the ledgers.

Campaign ``campaign`` (2025-06-01 → 2027-06-30) over the city; seen by committee_a (town_a)::

    town_a (community)          own commitment published: item w2 p50 due 2027-03-31, not assessed
    ├─ branch_a (community)     commitment published: items w1 p40 fulfilled, w3 p80 partly (due 2026)
    │     member_a (+ 钱七, 孙八: 3 full members)   member_a's commitment submitted (filed)
    │     units: 丝绸公司 (5 party members, own organization, above scale), 绣品店 (0, work coverage)
    └─ branch_a2 (rural)        commitment draft (not filed); 李四 its only full member → a warning
          units: 电子公司 (4 party members, not covered → a warning), 茶社 (1, not covered)
    town_b ─ branch_b           published commitment, item w5 p100 fulfilled: outside committee_a's reach

By subordinate of town_a:
    town_a (itself)  items 1, progress 50.0
    branch_a         filed 1/1, members 1/3 (33.3), progress (40×1 + 80×3)/4 = 70.0, fulfilled 1/2 (50.0),
                     organization coverage 1/1, work coverage 1/1, warnings 0
    branch_a2        filed 0/1, members 0/1, no items, coverage 0/1 and 0/1, warnings 2
    whole area       filed 1/2 (50.0), members 1/4 (25.0), progress (100 + 40 + 240)/6 = 63.3,
                     fulfilled 1/2 (50.0), coverage 1/2 (50.0) and 1/2 (50.0), warnings 2
By sector: community = town_a + branch_a, rural = branch_a2.
"""

import datetime

import pytest

from portal.models import Unit

from ..commitments.factories import make_campaign, make_commitment
from ..factories import MemberFactory, UnitFactory

D2026 = datetime.date(2026, 9, 30)
D2027 = datetime.date(2027, 3, 31)


@pytest.fixture
def area(cast):
    cast.campaign = make_campaign(
        cast.city,
        name="2025—2027年创先争优活动",
        starts_on=datetime.date(2025, 6, 1),
        ends_on=datetime.date(2027, 6, 30),
    )
    cast.branch_a2.sector = "rural"
    cast.branch_a2.save()
    MemberFactory(name="钱七", organization=cast.branch_a)
    MemberFactory(name="孙八", organization=cast.branch_a)
    UnitFactory(name="丝绸公司", organization=cast.branch_a, party_members=5, coverage="single", above_scale=True)
    UnitFactory(name="绣品店", organization=cast.branch_a, party_members=0, coverage="work", liaison="周指导员")
    UnitFactory(name="电子公司", organization=cast.branch_a2, party_members=4, coverage=Unit.Coverage.NONE)
    UnitFactory(name="茶社", organization=cast.branch_a2, kind="social", party_members=1, coverage=Unit.Coverage.NONE)
    c = cast.campaign
    cast.town_commitment = make_commitment(
        c,
        cast.town_a,
        "published",
        items=[{"weight": 2, "progress": 50, "deadline": D2027, "content": "建设党员服务中心"}],
    )
    cast.branch_commitment = make_commitment(
        c,
        cast.branch_a,
        "published",
        items=[
            {"weight": 1, "progress": 40, "fulfilment": "fulfilled", "deadline": D2026, "content": "开展志愿服务"},
            {"weight": 3, "progress": 80, "fulfilment": "partly", "deadline": D2026, "content": "帮扶困难群众"},
        ],
    )
    make_commitment(c, member=cast.member_a, state="submitted", items=[{"deadline": D2026, "content": "带头学习"}])
    make_commitment(c, cast.branch_a2, "draft", items=[{"deadline": D2026}])
    make_commitment(
        c,
        cast.branch_b,
        "published",
        items=[{"weight": 5, "progress": 100, "fulfilment": "fulfilled", "deadline": D2026, "content": "乙村修路"}],
    )
    return cast
