"""The staff pages through HTTP: the level page's candidates and nominating, the steps, the organizer's
announcement and approval, objections, the scope's refusals (404 outside reach, 403 without the right)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from awards.models import AwardRound, Nomination, Objection
from evaluations.models import Grade
from portal.models import AuditEntry

from ..factories import MemberFactory
from .conftest import TODAY, assess, days, review
from .test_flow import nominate, shortlisted

pytestmark = pytest.mark.django_db


def level_url(round, org, **query):
    url = reverse("awards:level", args=[round.pk, org.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_level_page_shows_each_rule_with_the_figures(client, cast, campaign, cycle, round, categories):
    review(cycle, 91, member=cast.member_a)
    assess(campaign, 1, 1, member=cast.member_a)
    review(cycle, 70, member=cast.member_a2)
    client.force_login(cast.secretary_a)
    response = client.get(level_url(round, cast.branch_a, category=categories["优秀共产党员"].pk))
    assert response.status_code == 200
    page = response.content.decode()
    assert "review grade at least “Fairly good”" in page
    assert "上半年定期讲评: 91 (Good)" in page
    assert "100% (1 of 1 assessed items fulfilled)" in page
    assert page.count('class="btn btn-sm btn-party nominate"') == 1  # member_a; member_a2 is in another branch


def test_nominating_from_the_level_page(client, cast, campaign, cycle, round, categories):
    excellent = categories["优秀共产党员"]
    review(cycle, 91, member=cast.member_a)
    assess(campaign, 1, 1, member=cast.member_a)
    weak = MemberFactory(name="刘七", organization=cast.branch_a)
    review(cycle, 70, member=weak)
    client.force_login(cast.secretary_a)
    url = level_url(round, cast.branch_a)
    response = client.post(url, {"category": excellent.pk, "candidate": weak.pk})
    assert response.status_code == 200
    assert "does not meet the rules: review grade at least" in response.content.decode()
    response = client.post(url, {"category": excellent.pk, "candidate": cast.member_b.pk})  # another branch's member
    assert response.status_code == 200 and "Choose a member of 甲村党支部" in response.content.decode()
    assert not Nomination.objects.exists()
    response = client.post(url, {"category": excellent.pk, "candidate": cast.member_a.pk})
    nomination = Nomination.objects.get()
    assert response["Location"] == reverse("awards:nomination_edit", args=[nomination.pk])
    assert (nomination.member, nomination.holder) == (cast.member_a, cast.branch_a)


def test_deeds_and_material(client, cast, round, categories):
    nomination = nominate(cast, round, categories["优秀共产党员"], member=cast.member_a)
    client.force_login(cast.secretary_a)
    url = reverse("awards:nomination_edit", args=[nomination.pk])
    bad = SimpleUploadedFile("事迹.pdf", b"not a pdf")
    response = client.post(url, {"deeds": "事迹", "version": nomination.version, "attachment": bad})
    assert "is not a PDF file inside" in response.content.decode()
    good = SimpleUploadedFile("事迹.pdf", b"%PDF-1.4\n%%EOF\n")
    response = client.post(url, {"deeds": "带头服务群众", "version": nomination.version, "attachment": good})
    assert response.status_code == 302
    nomination.refresh_from_db()
    attachment = nomination.attachments.get()
    assert (nomination.deeds, attachment.name, attachment.organization) == ("带头服务群众", "事迹.pdf", cast.branch_a)
    download = client.get(reverse("awards:attachment", args=[attachment.pk]))
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    client.force_login(cast.secretary_b)
    assert client.get(reverse("awards:attachment", args=[attachment.pk])).status_code == 404


def test_forwarding_level_by_level_through_the_pages(client, cast, round, categories):
    nomination = nominate(cast, round, categories["优秀共产党员"], member=cast.member_a)
    client.force_login(cast.committee_a)  # the town sees the branch's nomination but does not hold it yet
    assert client.get(reverse("awards:nomination", args=[nomination.pk])).status_code == 200
    client.force_login(cast.secretary_b)
    assert client.get(reverse("awards:nomination", args=[nomination.pk])).status_code == 404
    client.force_login(cast.secretary_a)
    response = client.post(
        reverse("awards:forward", args=[nomination.pk]), {"version": nomination.version, "opinion": "推荐"}
    )
    assert response.status_code == 302
    nomination.refresh_from_db()
    assert nomination.holder == cast.town_a
    # Now the town holds it: the branch may no longer move it.
    response = client.post(reverse("awards:forward", args=[nomination.pk]), {"version": nomination.version})
    assert response.status_code == 403
    client.force_login(cast.committee_a)
    response = client.post(reverse("awards:forward", args=[nomination.pk]), {"version": nomination.version - 1})
    assert "Someone else changed this record" in response.content.decode()
    response = client.post(reverse("awards:forward", args=[nomination.pk]), {"version": nomination.version})
    nomination.refresh_from_db()
    assert nomination.holder == cast.city


def test_the_organizer_announces_and_approves(client, cast, round, categories):
    nomination = shortlisted(cast, round, categories["优秀共产党员"], cast.member_a)
    client.force_login(cast.committee_a)
    assert client.post(reverse("awards:publicity", args=[round.pk])).status_code == 403
    client.force_login(cast.office)
    client.post(reverse("awards:publicity", args=[round.pk]))
    round.refresh_from_db()
    assert round.state == AwardRound.State.PUBLICITY
    response = client.post(reverse("awards:approve", args=[round.pk]), {"decision": "吴委发"}, follow=True)
    assert "approve from the day after" in response.content.decode()
    AwardRound.objects.filter(pk=round.pk).update(publicity_starts_on=days(-8), publicity_ends_on=days(-1))
    client.post(reverse("awards:approve", args=[round.pk]), {"decision": "吴委发"})
    nomination.refresh_from_db()
    assert nomination.state == Nomination.State.APPROVED
    response = client.get(reverse("awards:certificates", args=[round.pk]))
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")


def test_objections_are_answered_by_the_organizer_only(client, cast, round, categories):
    nomination = shortlisted(cast, round, categories["优秀共产党员"], cast.member_a)
    round.start_publicity(cast.office, on=TODAY)
    objection = Objection.file(round, nomination, name="", contact="13800001111", body="请核实", on=TODAY)
    url = reverse("awards:objection", args=[objection.pk])
    client.force_login(cast.secretary_a)
    assert client.get(url).status_code == 404
    assert client.get(reverse("awards:objections", args=[round.pk])).status_code == 403
    client.force_login(cast.office)
    page = client.get(reverse("awards:objections", args=[round.pk])).content.decode()
    assert "13800001111" in page  # the organizer sees the contact, to answer
    response = client.post(url, {"outcome": "dismissed", "answer": ""})
    assert response.status_code == 200 and "Write the answer" in response.content.decode()
    client.post(url, {"outcome": "dismissed", "answer": "经核实，情况不属实"})
    objection.refresh_from_db()
    assert objection.answered_by == cast.office and objection.outcome == "dismissed"


def test_round_pages_render(client, cast, round, categories):
    review_grade = categories["先进基层党组织"]
    client.force_login(cast.office)
    for url in (
        reverse("awards:list"),
        reverse("awards:create"),
        reverse("awards:detail", args=[round.pk]),
        reverse("awards:edit", args=[round.pk]),
        reverse("awards:quotas", args=[round.pk]),
        reverse("awards:category", args=[review_grade.pk]),
        level_url(round, cast.town_a, category=review_grade.pk, sort="score"),
    ):
        assert client.get(url).status_code == 200, url


def test_creating_a_round_and_editing_its_rules(client, cast, campaign):
    client.force_login(cast.office)
    data = {
        "title": "2027年度评选",
        "campaign": campaign.pk,
        "organizer": "TOWN-A",
        "nominations_due_on": days(20).isoformat(),
        "publicity_days": "7",
        "reviews_from": days(-100).isoformat(),
        "reviews_to": days(0).isoformat(),
    }
    response = client.post(reverse("awards:create"), {**data, "organizer": "OTHER"})
    assert "No organization with this code in your area" in response.content.decode()
    response = client.post(reverse("awards:create"), data)
    round = AwardRound.objects.get()
    assert (round.organizer, round.categories.count()) == (cast.town_a, 3)
    category = round.categories.get(name="先进基层党组织")
    url = reverse("awards:category", args=[category.pk])
    form = {
        "name": category.name,
        "order": 1,
        "min_grade": Grade.GOOD,
        "min_fulfilment": "120",
        "version": category.version,
    }
    assert "A rate is a percentage" in client.post(url, form).content.decode()
    client.post(url, {**form, "min_fulfilment": "90"})
    category.refresh_from_db()
    assert (category.min_grade, category.min_fulfilment) == (Grade.GOOD, 90)
    entry = AuditEntry.objects.filter(object_type="awards.AwardCategory", object_id=str(category.pk)).get()
    assert entry.changes["min_grade"] == ["Fairly good", "Good"] and entry.changes["min_fulfilment"] == ["80.00", "90"]
    response = client.post(url, {**form, "min_fulfilment": "70"})  # the page loaded before that save: stale
    assert "Someone else changed this record" in response.content.decode()
    response = client.post(
        reverse("awards:quotas", args=[round.pk]),
        {"category": category.pk, "level": "branch", "organization": "BR-A", "number": 2},
    )
    assert "either a level or one organization" in response.content.decode()
    client.post(reverse("awards:quotas", args=[round.pk]), {"category": category.pk, "level": "branch", "number": 2})
    assert round.quota_for(category, cast.branch_a) == 2


def test_the_level_page_speaks_chinese_by_default(client, settings, cast, round, categories):
    settings.LANGUAGE_CODE = "zh-hans"
    with translation.override("zh-hans"):
        client.force_login(cast.secretary_a)
        page = client.get(level_url(round, cast.branch_a, category=categories["优秀共产党员"].pk)).content.decode()
        assert translation.gettext("Candidates") in page
        assert translation.gettext("full member") in page
