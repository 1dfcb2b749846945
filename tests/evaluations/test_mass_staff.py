"""The staff side through HTTP: preparing, opening and closing a round, the questionnaire frozen once opened,
codes and their printed slips, paper ballots, the ledger, rectifications — and their refusals."""

import re
import shutil
import subprocess

import pytest
from django.urls import reverse

from evaluations import mass_codes
from evaluations.mass_models import (
    BallotCode,
    Channel,
    CodeBatch,
    LedgerEntry,
    PaperBatch,
    Participant,
    Question,
    Rectification,
    Round,
)
from portal.models import AuditEntry

from ..portal.helpers import flashed, form_errors, zh
from .mass_fixtures import *  # noqa: F403
from .mass_fixtures import codes_for, days, options, org_questions

needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed")


def url(name, *args):
    return reverse(f"evaluations:{name}", args=args)


def test_a_new_round_takes_its_dates_from_the_campaigns_evaluation_step(client, cast, mass_campaign):
    client.force_login(cast.committee_a)
    page = client.get(url("mass_round_create", cast.town_a.pk))
    assert page.status_code == 200
    initial = page.context["form"].initial
    assert initial["opens_on"] == days(-10) and initial["closes_on"] == days(20)
    assert initial["title"] == "甲镇党委年度群众评议"
    data = {
        "campaign": mass_campaign.pk,
        "title": "甲镇年度群众评议",
        "opens_on": days(-1).isoformat(),
        "closes_on": days(20).isoformat(),
        "reach": "subtree",
        "evaluate_members": "on",
        "open_channel_limit": "3",
        "rectify_threshold": "50",
        "min_valid": "5",
        "rectify_days": "60",
    }
    response = client.post(url("mass_round_create", cast.town_a.pk), data)
    round = Round.objects.get()
    assert response["Location"] == round.get_absolute_url()
    assert round.state == Round.State.DRAFT and round.organization == cast.town_a
    assert [o.label for o in options(round)] == ["满意", "基本满意", "不满意"]
    assert round.questions.filter(target="organization", sector="", text="领导班子好").exists()
    assert round.questions.filter(target="member", sector="", text="带头学习提高").exists()
    assert AuditEntry.objects.filter(object_type="evaluations.Round", verb="create").exists()


def test_a_round_outside_the_campaign_is_refused(client, cast, mass_campaign):
    client.force_login(cast.committee_a)
    data = {"campaign": mass_campaign.pk, "title": "太晚的评议", "opens_on": days(299).isoformat()}
    data.update(closes_on=days(400).isoformat(), reach="subtree", open_channel_limit="3", rectify_threshold="50")
    data.update(min_valid="5", rectify_days="60")
    response = client.post(url("mass_round_create", cast.town_a.pk), data)
    assert response.status_code == 200
    assert form_errors(response)
    assert not Round.objects.exists()


def test_a_secretary_cannot_prepare_a_round(client, cast, mass_campaign):
    client.force_login(cast.secretary_a)
    assert client.get(url("mass_round_create", cast.branch_a.pk)).status_code == 403
    assert client.get(url("mass_round_create", cast.town_b.pk)).status_code == 404


def test_the_questionnaire_is_edited_while_a_draft_and_frozen_once_opened(client, cast, draft):
    client.force_login(cast.committee_a)
    page = client.get(url("mass_questions", draft.pk))
    questions, scale = page.context["questions"], page.context["options"]
    data = {"version": draft.version}
    for formset in (questions, scale):
        management = formset.management_form
        for name in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"):
            data[f"{formset.prefix}-{name}"] = management[name].value()
        for form in formset.forms:
            for field in form:
                value = field.value()
                if value not in (None, "") and field.name != "DELETE":
                    data[field.html_name] = value
    data["questions-TOTAL_FORMS"] = int(data["questions-TOTAL_FORMS"]) - 1  # leave out the blank extra row
    data["options-TOTAL_FORMS"] = int(data["options-TOTAL_FORMS"]) - 1
    first = questions.forms[0]
    data[first["text"].html_name] = "班子团结、廉洁，您满意吗？"
    response = client.post(url("mass_questions", draft.pk), data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    assert Question.objects.filter(round=draft, text="班子团结、廉洁，您满意吗？").exists()

    draft.refresh_from_db()
    response = client.post(url("mass_round_open", draft.pk), {"version": draft.version})
    assert response.status_code == 302
    assert zh("The round is opened for %(n)d organizations. Make their ballot codes and print the slips.") % {
        "n": 2
    } in flashed(response)
    assert set(Participant.objects.filter(round=draft).values_list("organization__code", flat=True)) == {
        "BR-A",
        "BR-A2",
    }
    data["version"] = Round.objects.get(pk=draft.pk).version
    data[first["text"].html_name] = "改不了"
    frozen = client.post(url("mass_questions", draft.pk), data)
    assert frozen.status_code == 200 and not frozen.context["editable"]
    assert not Question.objects.filter(text="改不了").exists()
    assert client.get(url("mass_round_edit", draft.pk)).status_code == 302


def test_opening_needs_a_usable_scale(client, cast, draft):
    draft.options.filter(kind="dissatisfied").delete()
    client.force_login(cast.committee_a)
    response = client.post(url("mass_round_open", draft.pk), {"version": draft.version})
    assert response.status_code == 200
    assert form_errors(response) == [
        zh("The scale needs at least two answers, one counting as satisfied, one as dissatisfied.")
    ]
    assert not Participant.objects.exists()


def test_a_stale_version_is_refused(client, cast, draft):
    client.force_login(cast.committee_a)
    response = client.post(url("mass_round_open", draft.pk), {"version": draft.version + 5})
    assert response.status_code == 200
    assert Round.objects.get(pk=draft.pk).state == Round.State.DRAFT


@needs_poppler
def test_the_slips_are_a_pdf_with_qr_codes_and_an_embedded_chinese_font(client, cast, participant_a, tmp_path):
    client.force_login(cast.committee_a)
    response = client.post(url("mass_codes", participant_a.pk), {"count": "3"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    pdf = tmp_path / "slips.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert text.count("甲村党支部") == 3
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk and all(" yes " in line for line in cjk), fonts
    batch = CodeBatch.objects.get()
    assert batch.count == 3 and batch.generated_by == cast.committee_a
    digests = set(BallotCode.objects.values_list("digest", flat=True))
    assert len(digests) == 3
    lines = re.findall(r"\b[0-9A-Z]{4}(?:-[0-9A-Z]{4}){2,3}\b", text)  # each code on two lines
    first, second = [x for x in lines if x.count("-") == 3], [x for x in lines if x.count("-") == 2]
    assert {mass_codes.digest(mass_codes.normalize(a + b)) for a, b in zip(first, second, strict=True)} == digests


def test_codes_are_made_by_the_superior_only(client, cast, participant_a):
    client.force_login(cast.secretary_a)
    assert client.get(url("mass_codes", participant_a.pk)).status_code == 403
    assert client.post(url("mass_codes", participant_a.pk), {"count": "2"}).status_code == 403
    client.force_login(cast.secretary_b)
    assert client.post(url("mass_codes", participant_a.pk), {"count": "2"}).status_code == 404
    client.force_login(cast.member_user)
    assert client.post(url("mass_codes", participant_a.pk), {"count": "2"}).status_code == 404
    assert not BallotCode.objects.exists()
    client.force_login(cast.committee_a)
    response = client.post(url("mass_codes", participant_a.pk), {"count": "301"})
    assert response.status_code == 200
    assert response.context["form"].errors["count"]
    assert not BallotCode.objects.exists()


def test_a_voided_batch_keeps_its_used_codes(client, cast, participant_a):
    used, unused = codes_for(participant_a, 2)
    from .mass_fixtures import vote

    vote(client, used, participant_a)
    batch = CodeBatch.objects.get()
    client.force_login(cast.committee_a)
    response = client.post(url("mass_batch_void", batch.pk))
    assert response.status_code == 302
    assert list(BallotCode.objects.values_list("used", flat=True)) == [True]
    batch.refresh_from_db()
    assert batch.voided_at and batch.voided_by == cast.committee_a
    client.logout()
    response = client.post(url("mass_ballot"), {"code": unused})
    assert response.context["problem"] == "unknown"


def test_paper_ballots_are_entered_by_batch(client, cast, participant_a):
    client.force_login(cast.committee_a)
    page = client.get(url("mass_paper", participant_a.pk))
    form = page.context["form"]
    scale = options(participant_a.round)
    data = {"ballots": "12", "note": "3月5日居民会议"}
    for q in org_questions(participant_a):
        data[f"c{q.pk}-{scale[0].pk}"] = "9"
        data[f"c{q.pk}-{scale[2].pk}"] = "3"
    assert len(form.grid()) == len(org_questions(participant_a))
    response = client.post(url("mass_paper", participant_a.pk), data)
    assert response.status_code == 302
    batch = PaperBatch.objects.get()
    assert (batch.ballots, batch.entered_by, batch.member) == (12, cast.committee_a, None)
    assert LedgerEntry.objects.filter(channel=Channel.PAPER, participant=participant_a).exists()

    data[f"c{org_questions(participant_a)[0].pk}-{scale[1].pk}"] = "1"  # 13 answers, 12 ballots
    response = client.post(url("mass_paper", participant_a.pk), data)
    assert response.status_code == 200
    assert form_errors(response)
    data[f"c{org_questions(participant_a)[0].pk}-{scale[1].pk}"] = "-1"
    response = client.post(url("mass_paper", participant_a.pk), data)
    assert response.context["form"].errors
    assert PaperBatch.objects.count() == 1


def test_paper_ballots_about_a_member(client, cast, participant_a):
    client.force_login(cast.committee_a)
    page = client.get(url("mass_paper", participant_a.pk) + f"?member={cast.member_a.pk}")
    assert page.context["member"] == cast.member_a
    outsider = client.get(url("mass_paper", participant_a.pk) + f"?member={cast.member_b.pk}")
    assert outsider.status_code == 302


def test_the_ledger_takes_the_other_channels_and_their_handling(client, cast, participant_a):
    client.force_login(cast.secretary_a)
    data = {
        "channel": "hotline",
        "received_on": days(-1).isoformat(),
        "content": "居民来电反映楼道灯坏了",
        "handling": "",
    }
    response = client.post(url("mass_entry_create", participant_a.pk), data)
    assert response.status_code == 302
    entry = LedgerEntry.objects.get(channel=Channel.HOTLINE)
    assert entry.entered_by == cast.secretary_a
    future = client.post(url("mass_entry_create", participant_a.pk), {**data, "received_on": days(2).isoformat()})
    assert future.status_code == 200 and future.context["form"].errors
    questionnaire = client.post(url("mass_entry_create", participant_a.pk), {**data, "channel": "questionnaire"})
    assert questionnaire.context["form"].errors["channel"]

    response = client.post(url("mass_entry", entry.pk), {"version": entry.version, "handling": "已报修，次日修好"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.handling == "已报修，次日修好" and entry.version == 2
    stale = client.post(url("mass_entry", entry.pk), {"version": 1, "handling": "覆盖"})
    assert stale.status_code == 200 and form_errors(stale)

    ledger = client.get(url("mass_ledger", participant_a.round_id) + "?channel=hotline")
    assert [e.pk for e in ledger.context["page"]] == [entry.pk]
    assert client.get(url("mass_ledger", participant_a.round_id) + "?channel=nonsense").status_code == 200


def test_a_ledger_entry_can_demand_a_rectification(client, cast, participant_a):
    entry = LedgerEntry.objects.create(
        participant=participant_a, channel=Channel.SYMPOSIUM, received_on=days(-2), content="座谈会上群众反映办事拖拉"
    )
    client.force_login(cast.secretary_a)  # the organization's own staff handle it, but do not open rectifications
    response = client.post(url("mass_entry", entry.pk), {"version": entry.version, "handling": "记录", "rectify": "on"})
    assert response["Location"] == entry.get_absolute_url()
    client.force_login(cast.committee_a)
    entry.refresh_from_db()
    response = client.post(
        url("mass_entry", entry.pk), {"version": entry.version, "handling": "需整改", "rectify": "on"}
    )
    create = url("mass_rectification_create", participant_a.pk) + f"?entry={entry.pk}"
    assert response["Location"] == create
    page = client.get(create)
    assert page.context["form"].initial["problem"] == "座谈会上群众反映办事拖拉"
    data = {"problem": "办事拖拉，群众不满意", "owner": "徐丽萍", "deadline": days(30).isoformat(), "member": ""}
    response = client.post(create, data)
    item = Rectification.objects.get()
    assert response["Location"] == item.get_absolute_url()
    assert item.entry == entry and item.opened_by == cast.committee_a
    past = client.post(create, {**data, "deadline": days(-1).isoformat()})
    assert past.status_code == 200 and past.context["form"].errors["deadline"]


def test_a_rectification_is_reported_then_accepted_or_returned(client, cast, participant_a):
    from evaluations import mass_services as services

    item = services.open_rectification(cast.committee_a, participant_a, "服务群众不到位", "徐丽萍", days(30))
    client.force_login(cast.secretary_a)
    assert client.get(url("mass_rectification_decide", item.pk)).status_code == 403
    incomplete = client.post(
        url("mass_rectification", item.pk), {"version": item.version, "measures": "建立走访制度", "submit": "on"}
    )
    assert incomplete.status_code == 200 and form_errors(incomplete)
    response = client.post(
        url("mass_rectification", item.pk),
        {"version": item.version, "measures": "建立走访制度", "report": "已走访80户", "submit": "on"},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.state == Rectification.State.REPORTED and item.reported_at

    client.force_login(cast.committee_a)
    returned = client.post(url("mass_rectification_decide", item.pk), {"version": item.version, "decision": "return"})
    assert returned.status_code == 200 and returned.context["form"].errors["reason"]
    client.post(
        url("mass_rectification_decide", item.pk),
        {"version": item.version, "decision": "return", "reason": "走访记录不全"},
    )
    item.refresh_from_db()
    assert item.state == Rectification.State.OPEN and item.return_reason == "走访记录不全"

    client.force_login(cast.secretary_a)
    client.post(
        url("mass_rectification", item.pk),
        {"version": item.version, "measures": "建立走访制度", "report": "补齐记录", "submit": "on"},
    )
    client.force_login(cast.committee_a)
    item.refresh_from_db()
    client.post(url("mass_rectification_decide", item.pk), {"version": item.version, "decision": "accept"})
    item.refresh_from_db()
    assert item.state == Rectification.State.DONE and item.done_at
    changes = AuditEntry.objects.filter(object_type="evaluations.Rectification", verb="update").count()
    assert changes == 4
    client.force_login(cast.secretary_a)
    done = client.get(url("mass_rectification", item.pk))
    assert not done.context["may_report"]
