"""The target agreement lists and pages keep a fixed number of queries as the data grows."""

import pytest
from django.urls import reverse

from campaigns.models import TargetAgreement

from ..factories import OrganizationFactory
from .agreement_helpers import advance, chinese, make_agreement, on_day  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_day")]
S = TargetAgreement.Status
SIZES = [2, 12]


def grow(cast, size):
    """``size`` more towns under the city, each with an agreement of the seed template: a third of them scored
    short of target, a third issued, the rest mid-year reported."""
    agreements = []
    for n in range(size):
        town = OrganizationFactory(name=f"新镇{n:03d}党委", code=f"NEW-{n}", level="town", parent=cast.city)
        agreement = make_agreement(cast.city, town, cast.office)
        status = (S.SCORED, S.ISSUED, S.MID_YEAR)[n % 3]
        actuals = [0] * agreement.indicators.count() if status == S.SCORED else None
        agreements.append(advance(agreement, cast.office, status, actuals=actuals))
    return agreements


# Every page: session and user (2), the scope's roles and member record (2), saving the session (3).
BASE = 7
EXPECTED = {
    # is there any issued by us, the status counts, the count and the page
    "list": BASE + 4,
    # the issuers to choose from, the count, the page, its indicators and their year-end reports
    "notice": BASE + 5,
    # the agreement, its indicators and their reports
    "detail": BASE + 3,
    # the agreement, its indicators and year-end reports
    "score": BASE + 3,
}


def urls(cast, agreement):
    return {
        "list": reverse("campaigns:agreement_list"),
        "notice": reverse("campaigns:agreement_notice"),
        "detail": agreement.get_absolute_url(),
        "score": reverse("campaigns:agreement_score", args=[agreement.pk]),
    }


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("page", list(EXPECTED))
def test_fixed_query_count(client, cast, django_assert_num_queries, size, page):
    agreements = grow(cast, size)
    client.force_login(cast.office)
    url = urls(cast, agreements[0])[page]
    with django_assert_num_queries(EXPECTED[page]):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("size", SIZES)
def test_the_pages_show_the_grown_data(client, cast, size):
    grow(cast, size)
    client.force_login(cast.office)
    assert client.get(reverse("campaigns:agreement_list")).context["page"].paginator.count == size
    notice = client.get(reverse("campaigns:agreement_notice")).context
    assert len(notice["entries"]) == (size + 2) // 3  # the scored ones (all indicators short)
    assert all(len(entry["short"]) == 8 for entry in notice["entries"])
