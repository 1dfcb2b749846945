"""The grade bands page: the office sets the campaign's bands with the model's messages; grades of open cycles
follow, locked cycles keep theirs; the change is audited; the campaign page links to it."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from evaluations.models import Grade, GradeBands, OrganizationReview
from portal.models import AuditEntry

from .committee import scored, scored_in_the_past


def zh(text):
    with translation.override("zh-hans"):
        return _(text)


@pytest.fixture
def url(campaign):
    return reverse("evaluations:bands", args=[campaign.pk])


def bands(good, fairly, average):
    return {"good_from": str(good), "fairly_good_from": str(fairly), "average_from": str(average)}


def test_the_office_moves_the_bands_and_open_grades_follow(client, cast, campaign, cycle, past_cycle, url):
    open_review = scored(cycle, cast.branch_a, cast.committee_a, [18, 18, 18, 18, 17])  # 89: fairly good
    closed = scored_in_the_past(past_cycle, cast.branch_a2, cast.committee_a, [18, 18, 18, 18, 17])  # 89
    client.force_login(cast.office)
    page = client.get(campaign.get_absolute_url())
    assert url in page.content.decode()
    assert client.get(url).status_code == 200
    response = client.post(url, bands("88.5", 75, 55))
    assert response.status_code == 302 and response["Location"] == campaign.get_absolute_url()
    stored = GradeBands.objects.get(campaign=campaign)
    assert (stored.good_from, stored.fairly_good_from, stored.average_from) == (88.5, 75, 55)
    open_review.refresh_from_db()
    closed.refresh_from_db()
    assert open_review.grade == Grade.GOOD
    assert closed.grade == Grade.FAIRLY_GOOD  # the locked cycle keeps its grade
    entry = AuditEntry.objects.filter(object_type="evaluations.GradeBands").get()
    assert entry.changes["good_from"] == ["90", "88.5"] and entry.changes["regraded"] == ["", "1"]
    # Back to stricter bands: the open grade follows again, down to "average".
    client.post(url, bands(95, 90, 80))
    assert OrganizationReview.objects.get(pk=open_review.pk).grade == Grade.AVERAGE


def test_regrading_respects_each_sets_full_weight(client, cast, campaign, cycle, url):
    criteria_set = campaign.criteria_for("organization", "community")
    first = criteria_set.criteria.order_by("order").first()
    first.weight = 40  # the set now weighs 120: 108 of 120 is 90 %
    first.save()
    review = scored(cycle, cast.branch_a, cast.committee_a, [36, 18, 18, 18, 18])
    assert review.grade == Grade.GOOD
    client.force_login(cast.office)
    client.post(url, bands(91, 80, 60))
    review.refresh_from_db()
    assert review.grade == Grade.FAIRLY_GOOD
    client.post(url, bands(90, 80, 60))
    review.refresh_from_db()
    assert review.grade == Grade.GOOD


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            bands(80, 85, 60),
            None,
            "The bands must descend: 100 ≥ “good” > “fairly good” > “average” ≥ 0. Check the three numbers.",
        ),
        (
            bands(101, 85, 60),
            None,
            "The bands must descend: 100 ≥ “good” > “fairly good” > “average” ≥ 0. Check the three numbers.",
        ),
        (bands("九十", 85, 60), "good_from", "Enter a number from 0 to 100, e.g. 85 or 87.5."),
        (bands("90.125", 85, 60), "good_from", "Use at most two decimals, e.g. 87.25."),
        (bands(90, "", 60), "fairly_good_from", "Enter a number from 0 to 100, e.g. 85 or 87.5."),
    ],
)
def test_bad_bands_are_refused_with_the_reason(client, cast, campaign, url, data, field, message):
    client.force_login(cast.office)
    response = client.post(url, data)
    assert response.status_code == 200
    errors = response.context["form"].errors.get(field or "__all__")
    assert zh(message) in errors
    assert not any("evaluations_gradebands" in e for e in response.context["form"].non_field_errors())
    assert not GradeBands.objects.exists()


@pytest.mark.parametrize(("user", "status"), [("committee_a", 403), ("secretary_b", 403), ("member_user", 403)])
def test_only_the_office_sets_bands(client, cast, campaign, url, user, status):
    client.force_login(getattr(cast, user))
    assert client.get(url).status_code == status
    assert client.post(url, bands(92, 82, 62)).status_code == status
    assert not GradeBands.objects.exists()
    page = client.get(campaign.get_absolute_url())
    assert url not in page.content.decode()
