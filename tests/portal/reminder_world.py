"""The cast (tests/conftest.py) in a campaign with a commitment-filing deadline, for the reminder tests.

city ─┬─ town_a (committee_a) ─┬─ branch_a  (secretary_a, who is also a member with a phone; member_a)
      │                        └─ branch_a2 (nobody to remind; member_a2)
      └─ town_b ──────────────── branch_b  (secretary_b; member_b)
office: office staff of the city.

Every organization below the city must file its commitment, and its members theirs, by ``DUE``.
"""

import datetime
from zoneinfo import ZoneInfo

from campaigns.models import Milestone
from commitments.models import Commitment

from ..commitments.factories import make_campaign, make_commitment
from ..factories import MemberFactory

DUE = datetime.date(2026, 6, 30)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day, hour=7, minute=30):
    """A moment of ``day`` in the portal's time zone, for ``time_machine.travel``."""
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def days(n):
    return DUE + datetime.timedelta(days=n)


def build(cast, due=DUE):
    campaign = make_campaign(cast.city, starts_on=datetime.date(2026, 1, 1), ends_on=datetime.date(2026, 12, 31))
    cast.filing = Milestone.objects.create(
        campaign=campaign,
        kind=Milestone.Kind.COMMITMENT_FILING,
        title="公开承诺提交截止",
        opens_on=due - datetime.timedelta(days=30),
        due_on=due,
    )
    cast.campaign = campaign
    for user, address in (
        (cast.secretary_a, "xu@example.cn"),
        (cast.secretary_b, "wang@example.cn"),
        (cast.committee_a, "lu@example.cn"),
        (cast.office, "gu@example.cn"),
    ):
        user.email = address
        user.save(update_fields=["email"])
    cast.secretary_a_member = MemberFactory(
        name="徐丽萍", organization=cast.branch_a, user=cast.secretary_a, phone="13800000001"
    )
    return cast


def file_everything(cast, org, members):
    """``org`` files its own commitment and each of ``members`` theirs (all submitted)."""
    make_commitment(cast.campaign, org, Commitment.State.SUBMITTED, actor=cast.office)
    for member in members:
        make_commitment(cast.campaign, member=member, state=Commitment.State.SUBMITTED, actor=cast.office)
