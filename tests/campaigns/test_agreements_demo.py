"""The demo city's target agreements (campaigns/demo_agreements.py): what the demo accounts see, deterministic,
idempotent, and written by ``seed_demo``."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from campaigns.demo_agreements import build_demo_agreements
from campaigns.models import IndicatorReport, TargetAgreement
from portal.demo import build_demo_city, minimums
from portal.models import AuditEntry

from .agreement_helpers import chinese  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db
S = TargetAgreement.Status
YEAR = 2026


@pytest.fixture
def demo(db):
    build_demo_city(*minimums())
    return build_demo_agreements(YEAR)


def state():
    return sorted(
        TargetAgreement.objects.values_list("subordinate__code", "status", "score", "computed_score", "short_count")
    )


def test_the_city_issues_to_its_eight_towns(demo):
    assert len(demo) == 8
    by_town = {a.subordinate.name: a for a in demo}
    assert {a.issuer.code for a in demo} == {"WJ"} and {a.year for a in demo} == {YEAR}
    assert by_town["桃源镇党委"].status == S.DRAFT
    assert by_town["七都镇党委"].status == S.ISSUED
    assert by_town["松陵镇党委"].status == S.MID_YEAR
    assert by_town["平望镇党委"].status == S.YEAR_END
    scored = {name: a for name, a in by_town.items() if a.status == S.SCORED}
    assert set(scored) == {"同里镇党委", "盛泽镇党委"}
    assert scored["同里镇党委"].score == Decimal("108.3") and scored["同里镇党委"].short_count == 0
    assert scored["盛泽镇党委"].score < 100 and scored["盛泽镇党委"].short_count > 0
    assert all(a.points_total == 100 for a in demo)


def test_the_reports_are_written_as_the_portal_writes_them(demo):
    songling = next(a for a in demo if a.subordinate.name == "松陵镇党委")
    reports = IndicatorReport.objects.filter(indicator__agreement=songling)
    assert reports.count() == 8 and {r.reported_by.username for r in reports} == {"committee"}
    assert AuditEntry.objects.filter(object_type="campaigns.TargetAgreement", object_id=str(songling.pk)).count() == 3


def test_the_demo_accounts_see_it(client, demo):
    users = {u.username: u for u in get_user_model().objects.filter(username__in=["office", "committee"])}
    client.force_login(users["office"])
    page = client.get(reverse("campaigns:agreement_list"), {"year": YEAR})
    assert page.context["side"] == "by_us" and page.context["page"].paginator.count == 8
    notice = client.get(reverse("campaigns:agreement_notice"), {"year": YEAR})
    assert "盛泽镇党委" in {e["agreement"].subordinate.name for e in notice.context["entries"]}
    client.force_login(users["committee"])
    page = client.get(reverse("campaigns:agreement_list"), {"year": YEAR})
    assert page.context["side"] == "to_us"
    [mine] = page.context["page"]
    assert mine.subordinate.name == "松陵镇党委"
    detail = client.get(mine.get_absolute_url())
    assert detail.context["can_report"] and not detail.context["can_score"]


def test_deterministic_and_idempotent(demo):
    before = state()
    assert build_demo_agreements(YEAR) == []  # there already: nothing written
    assert state() == before
    TargetAgreement.objects.all().delete()
    build_demo_agreements(YEAR)
    assert state() == before
