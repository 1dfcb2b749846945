"""Implementation plans: drafts and filing, concurrent edits, attachments in the private storage."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from campaigns.forms import MAX_ATTACHMENT_BYTES
from campaigns.models import ImplementationPlan, PlanAttachment
from portal.models import AuditEntry, Organization

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def plan_url(campaign, org, edit=False):
    return reverse("campaigns:plan_edit" if edit else "campaigns:plan", args=[campaign.pk, org.pk])


def post_plan(client, campaign, org, text, action="draft", version=None, **extra):
    data = {"text": text, "action": action, **extra}
    if version is not None:
        data["version"] = version
    return client.post(plan_url(campaign, org, edit=True), data)


def upload(name, content):
    return SimpleUploadedFile(name, content)


# --- drafts and filing ----------------------------------------------------------------------------


def test_a_secretary_saves_a_draft_then_files_the_plan(client, cast, campaign):
    client.force_login(cast.secretary_a)
    page = client.get(plan_url(campaign, cast.branch_a))
    assert page.status_code == 200
    assert page.context["plan"].status_label == "Not started"
    assert client.get(plan_url(campaign, cast.branch_a, edit=True)).status_code == 200

    response = post_plan(client, campaign, cast.branch_a, "")
    assert response["Location"] == plan_url(campaign, cast.branch_a)
    plan = ImplementationPlan.objects.get()
    assert (plan.text, plan.is_filed, plan.updated_by) == ("", False, cast.secretary_a)

    response = post_plan(client, campaign, cast.branch_a, "一、目标：创建五个好党支部。", version=plan.version)
    plan.refresh_from_db()
    assert plan.text.startswith("一、目标") and not plan.is_filed

    carrier = campaign.carriers.get(name="结对共建")
    response = post_plan(
        client, campaign, cast.branch_a, "一、目标：创建五个好党支部。", "file", plan.version, carriers=[carrier.pk]
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.is_filed and plan.filed_by == cast.secretary_a
    assert list(plan.carriers.all()) == [carrier]
    assert "Filed" in client.get(plan_url(campaign, cast.branch_a)).content.decode()
    verbs = list(AuditEntry.objects.filter(object_type="campaigns.ImplementationPlan").values_list("verb", flat=True))
    assert sorted(verbs) == ["create", "update", "update"]


def test_filing_needs_the_text_and_keeps_the_input(client, cast, campaign):
    client.force_login(cast.secretary_a)
    response = post_plan(client, campaign, cast.branch_a, "   ", "file")
    assert response.status_code == 200
    assert response.context["form"].errors["text"] == ["Write the plan before filing it, or save it as a draft."]
    assert not ImplementationPlan.objects.exists()


def test_a_filed_plan_cannot_be_emptied(client, cast, campaign):
    plan = ImplementationPlan(campaign=campaign, organization=cast.branch_a, text="方案")
    plan.save_edit(cast.secretary_a, None, [], file=True)
    client.force_login(cast.secretary_a)
    response = post_plan(client, campaign, cast.branch_a, "", "save", plan.version)
    assert response.context["form"].errors["text"] == ["Write the plan before filing it, or save it as a draft."]
    plan.refresh_from_db()
    assert plan.text == "方案"


def test_a_validation_error_loses_nothing_typed(client, cast, campaign):
    client.force_login(cast.secretary_a)
    text = "二、措施：开展党员先锋岗活动，每季度讲评一次。"
    response = post_plan(client, campaign, cast.branch_a, text, "file", attachment=upload("plan.exe", b"MZ"))
    assert response.status_code == 200
    assert text in response.content.decode()
    assert not ImplementationPlan.objects.exists()


def test_only_carriers_open_to_the_sector_are_offered_and_accepted(client, cast, campaign):
    client.force_login(cast.secretary_a)
    offered = client.get(plan_url(campaign, cast.branch_a, edit=True)).context["form"].fields["carriers"].queryset
    assert {c.sector for c in offered} == {"", "community"}  # branch_a is a community branch
    agency_only = campaign.carriers.get(sector="agency", name="三走进三服务")
    response = post_plan(client, campaign, cast.branch_a, "方案", carriers=[agency_only.pk])
    assert "carriers" in response.context["form"].errors
    assert not ImplementationPlan.objects.exists()


def test_a_dissolved_organization_files_no_plan(client, cast, campaign):
    Organization.objects.filter(pk=cast.branch_a2.pk).update(status=Organization.Status.DISSOLVED)
    client.force_login(cast.committee_a)
    response = post_plan(client, campaign, cast.branch_a2, "方案", "file")
    assert response.context["form"].non_field_errors() == ["A dissolved organization files no implementation plan."]
    assert not ImplementationPlan.objects.exists()


# --- two editors ----------------------------------------------------------------------------------


def test_the_second_of_two_editors_is_refused_and_keeps_their_text(client, cast, campaign):
    plan = ImplementationPlan(campaign=campaign, organization=cast.branch_a, text="初稿")
    plan.save_edit(cast.secretary_a, None, [])
    loaded = plan.version
    client.force_login(cast.committee_a)
    assert post_plan(client, campaign, cast.branch_a, "镇党委修改的方案", version=loaded).status_code == 302
    client.force_login(cast.secretary_a)
    response = post_plan(client, campaign, cast.branch_a, "书记自己的修改", version=loaded)
    assert response.status_code == 200
    assert "Someone else changed this record" in " ".join(response.context["form"].non_field_errors())
    assert "书记自己的修改" in response.content.decode()
    plan.refresh_from_db()
    assert plan.text == "镇党委修改的方案"
    assert plan.updated_by == cast.committee_a


def test_two_editors_starting_the_same_plan_do_not_overwrite_each_other(client, cast, campaign):
    client.force_login(cast.committee_a)
    assert post_plan(client, campaign, cast.branch_a, "镇党委起草").status_code == 302
    client.force_login(cast.secretary_a)
    response = post_plan(client, campaign, cast.branch_a, "书记起草")  # loaded when there was no plan yet
    assert response.status_code == 200
    assert "Someone else changed this record" in " ".join(response.context["form"].non_field_errors())
    assert ImplementationPlan.objects.get().text == "镇党委起草"


# --- scope ----------------------------------------------------------------------------------------


def test_plan_pages_follow_the_scope(client, cast, campaign, town_campaign):
    client.force_login(cast.secretary_a)
    assert client.get(plan_url(campaign, cast.branch_a2)).status_code == 404
    assert client.get(plan_url(town_campaign, cast.branch_b)).status_code == 404
    client.force_login(cast.secretary_b)
    assert client.get(plan_url(town_campaign, cast.branch_b)).status_code == 404  # campaign not theirs
    assert client.get(plan_url(campaign, cast.branch_b)).status_code == 200
    client.force_login(cast.member_user)
    assert client.get(plan_url(campaign, cast.branch_a)).status_code == 403
    assert post_plan(client, campaign, cast.branch_a, "方案").status_code == 403
    client.force_login(cast.office)
    assert client.get(plan_url(campaign, cast.other_city)).status_code == 404  # outside the area
    assert client.get(plan_url(town_campaign, cast.branch_b)).status_code == 404
    assert not ImplementationPlan.objects.exists()


# --- attachments ----------------------------------------------------------------------------------


def test_an_attachment_is_stored_privately_and_downloaded_within_scope(client, cast, campaign, private_storage):
    client.force_login(cast.secretary_a)
    response = post_plan(client, campaign, cast.branch_a, "方案", attachment=upload("实施方案.pdf", PDF))
    assert response.status_code == 302
    attachment = PlanAttachment.objects.get()
    assert (attachment.name, attachment.size, attachment.uploaded_by) == ("实施方案.pdf", len(PDF), cast.secretary_a)
    assert private_storage.exists(attachment.file.name)
    assert "实施方案" not in attachment.file.name  # stored under a random name
    url = reverse("campaigns:attachment", args=[attachment.pk])
    assert url in client.get(plan_url(campaign, cast.branch_a)).content.decode()

    for role in ("secretary_a", "committee_a", "office"):
        client.force_login(getattr(cast, role))
        download = client.get(url)
        assert download.status_code == 200
        assert download["Content-Type"] == "application/pdf"
        assert "attachment;" in download["Content-Disposition"]
        assert b"".join(download.streaming_content) == PDF
    for role in ("secretary_b", "member_user"):
        client.force_login(getattr(cast, role))
        assert client.get(url).status_code == 404
        assert AuditEntry.objects.filter(verb=AuditEntry.Verb.DENIED, actor=getattr(cast, role)).exists()


def test_another_branchs_attachment_is_404(client, cast, campaign):
    plan = ImplementationPlan(campaign=campaign, organization=cast.branch_b, text="乙村方案")
    plan.save_edit(cast.secretary_b, None, [])
    attachment = plan.add_attachment(cast.secretary_b, upload("乙村.png", PNG))
    client.force_login(cast.secretary_a)
    assert client.get(reverse("campaigns:attachment", args=[attachment.pk])).status_code == 404
    assert client.get(reverse("campaigns:attachment_delete", args=[attachment.pk])).status_code == 404
    assert client.post(reverse("campaigns:attachment_delete", args=[attachment.pk])).status_code == 404
    assert PlanAttachment.objects.filter(pk=attachment.pk).exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "plan.exe",
            b"MZ\x90\x00",
            "“plan.exe” cannot be attached: attach a PDF, Word (doc, docx), Excel (xls, xlsx), JPEG or PNG file.",
        ),
        ("plan.html", b"<html>", "cannot be attached"),
        ("plan.pdf", b"<script>alert(1)</script>", "“plan.pdf” is not a PDF file inside, whatever its name says."),
        ("photo.png", b"\xff\xd8\xff\xe0JFIF", "is not a PNG file inside"),
        ("big.pdf", b"%PDF-" + b"0" * MAX_ATTACHMENT_BYTES, "“big.pdf” is larger than 10 MB"),
    ],
    ids=["exe", "html", "fake-pdf", "jpeg-named-png", "too-large"],
)
def test_a_wrong_or_too_large_attachment_is_refused(client, cast, campaign, private_storage, name, content, message):
    client.force_login(cast.secretary_a)
    response = post_plan(client, campaign, cast.branch_a, "方案", attachment=upload(name, content))
    assert response.status_code == 200
    assert message in response.context["form"].errors["attachment"][0]
    assert not ImplementationPlan.objects.exists()
    assert not PlanAttachment.objects.exists()
    assert not private_storage.exists("plans") or not any(private_storage.listdir("plans")[0])


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("a.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 8),
        ("a.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 8),
        ("a.docx", b"PK\x03\x04" + b"\x00" * 8),
        ("a.XLSX", b"PK\x03\x04" + b"\x00" * 8),
        ("a.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 8),
        ("a.jpeg", b"\xff\xd8\xff\xe1" + b"\x00" * 8),
        ("a.png", PNG),
        ("exactly-10MB.pdf", b"%PDF-" + b"0" * (MAX_ATTACHMENT_BYTES - 5)),
    ],
    ids=["doc", "xls", "docx", "xlsx-upper-case", "jpg", "jpeg", "png", "10MB"],
)
def test_the_allowed_kinds_are_accepted(client, cast, campaign, name, content):
    client.force_login(cast.secretary_a)
    assert post_plan(client, campaign, cast.branch_a, "方案", attachment=upload(name, content)).status_code == 302
    assert PlanAttachment.objects.get().name == name


def test_removing_an_attachment_asks_first_and_deletes_the_file(
    client, cast, campaign, private_storage, django_capture_on_commit_callbacks
):
    plan = ImplementationPlan(campaign=campaign, organization=cast.branch_a, text="方案")
    plan.save_edit(cast.secretary_a, None, [])
    attachment = plan.add_attachment(cast.secretary_a, upload("方案.pdf", PDF))
    stored = attachment.file.name
    client.force_login(cast.secretary_a)
    url = reverse("campaigns:attachment_delete", args=[attachment.pk])
    assert "方案.pdf" in client.get(url).content.decode()
    assert PlanAttachment.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response["Location"] == plan.get_absolute_url()
    assert not PlanAttachment.objects.exists()
    assert not private_storage.exists(stored)
    assert AuditEntry.objects.filter(changes__attachments=["方案.pdf", ""]).exists()
