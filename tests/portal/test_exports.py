"""The export framework: registry, the one task, the download centre, the member roll ledger."""

import datetime
import hashlib
import os
import tempfile
from io import BytesIO
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.db import DatabaseError
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet import _writer as openpyxl_writer

from portal import exporting
from portal.exporting.base import Column, ListExporter
from portal.models import AuditEntry, ExportJob, ImportJob, Member, Notification
from portal.roll_format import MEMBERS
from portal.tasks import clean_up_exports, run_export

from ..factories import MemberFactory
from .test_roll_export import member_with_every_field
from .test_roll_import import MEMBER_HEADERS


def start(client, identifier, org, **params):
    return client.post(reverse("portal:export_start", args=[identifier]), {"organization": org.code, **params})


def roll_job(cast):
    return ExportJob.objects.create(
        exporter="member_roll", title="roll", organization=cast.city, requested_by=cast.office
    )


def download(client, job):
    response = client.get(reverse("portal:export_download", args=[job.code]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


@pytest.fixture
def failing_exporter():
    class Failing(ListExporter):
        identifier = "test_failing"
        verbose_name = "failing"
        action = "member.export"

        def columns(self):
            return [Column("A")]

        def total(self):
            return 3

        def rows(self):
            yield (1,)
            raise RuntimeError("disk on fire")

    exporting.register(Failing)
    yield Failing
    del exporting.REGISTRY["test_failing"]


def test_the_registry_holds_the_portal_exporters_and_offers_them_by_scope(cast):
    from portal.scope import Scope

    assert exporting.get("member_roll") and exporting.get("organization_list")
    assert exporting.get("nope") is None
    offered = {e.identifier for e in exporting.available_to(Scope(cast.secretary_a))}
    assert {"member_roll", "organization_list"} <= offered
    assert exporting.available_to(Scope(cast.member_user)) == []


def test_office_exports_the_member_roll_of_the_city(client, cast, django_capture_on_commit_callbacks):
    MemberFactory(name='=HYPERLINK("http://x")', organization=cast.branch_b, birth_date=datetime.date(1990, 1, 2))
    client.force_login(cast.office)
    with django_capture_on_commit_callbacks(execute=True):
        response = start(client, "member_roll", cast.city)
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.DONE
    assert job.rows_done == job.rows_total == 4
    content = download(client, job)
    assert hashlib.sha256(content).hexdigest() == job.sha256
    workbook = load_workbook(BytesIO(content))
    sheet = workbook.active
    rows = list(sheet.iter_rows(values_only=True))
    with translation.override("zh-hans"):
        assert rows[0][0] == str(translation.gettext("Name"))
    assert sheet.freeze_panes == "A2"
    names = {row[0] for row in rows[1:]}
    assert names == {"张三", "李四", "王五", '=HYPERLINK("http://x")'}
    formula_row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value.startswith("="))
    assert formula_row[0].data_type == "s"  # text, never a formula
    assert isinstance(formula_row[2].value, datetime.datetime)  # dates are dates
    assert workbook.properties.description == f"SHA-256 {job.fingerprint}"


def test_a_secretary_cannot_export_beyond_the_branch(client, cast):
    client.force_login(cast.secretary_a)
    response = start(client, "member_roll", cast.town_a)
    assert response.status_code == 200
    assert response.context["form"].errors["organization"]
    assert not ExportJob.objects.exists()


def test_a_member_without_staff_role_gets_403(client, cast):
    client.force_login(cast.member_user)
    assert client.get(reverse("portal:export_start", args=["member_roll"])).status_code == 403
    assert client.get(reverse("portal:export_start", args=["unknown"])).status_code == 404


def test_only_the_requester_may_download_and_only_while_in_scope(client, cast, django_capture_on_commit_callbacks):
    client.force_login(cast.committee_a)
    with django_capture_on_commit_callbacks(execute=True):
        start(client, "member_roll", cast.town_a)
    job = ExportJob.objects.get()
    url = reverse("portal:export_download", args=[job.code])
    client.force_login(cast.office)  # sees the town, but did not request the file
    assert client.get(url).status_code == 404
    assert client.get(reverse("portal:export_status", args=[job.code])).status_code == 404
    client.force_login(cast.committee_a)
    cast.committee_a.roles.update(organization=cast.town_b)
    assert client.get(url).status_code == 403


def test_rows_of_another_tree_never_enter_the_file(client, cast, django_capture_on_commit_callbacks):
    MemberFactory(name="外人", organization=cast.other_city)
    client.force_login(cast.committee_a)
    with django_capture_on_commit_callbacks(execute=True):
        start(client, "member_roll", cast.town_a)
    sheet = load_workbook(BytesIO(download(client, ExportJob.objects.get()))).active
    assert {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)} == {"张三", "李四"}


def test_a_failing_export_is_marked_failed_with_no_file(
    client, cast, failing_exporter, django_capture_on_commit_callbacks
):
    client.force_login(cast.office)
    with django_capture_on_commit_callbacks(execute=True):
        start(client, "test_failing", cast.city)
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.FAILED
    assert job.error
    assert not job.file
    status = client.get(reverse("portal:export_status", args=[job.code])).json()
    assert status["status"] == "failed" and not status["ready"]
    assert client.get(reverse("portal:export_download", args=[job.code])).status_code == 404
    page = client.get(reverse("portal:export_list"))
    assert job.error in page.content.decode()


def spooled_sheets():
    """openpyxl's temporary files of write-only sheets that are still on disk."""
    return {path for path in openpyxl_writer.ALL_TEMP_FILES if os.path.exists(path)}


def test_a_failed_export_leaves_no_spooled_rows_behind(cast, failing_exporter):
    before = spooled_sheets()
    job = ExportJob.objects.create(exporter="test_failing", title="x", organization=cast.city, requested_by=cast.office)
    run_export(job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED
    assert spooled_sheets() == before  # the row already written is not left in the temporary folder


def test_a_failure_while_saving_the_workbook_stores_nothing(cast, monkeypatch, settings):
    def full_disk(self, fileobj):
        fileobj.write(b"PK\x03\x04 half a workbook")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Workbook, "save", full_disk)
    before = spooled_sheets()
    job = roll_job(cast)
    run_export(job.pk)
    job.refresh_from_db()
    assert (job.status, job.file.name, job.sha256, job.size) == (ExportJob.Status.FAILED, "", "", 0)
    with translation.override("zh-hans"):
        assert job.error == translation.gettext(
            "The export failed because of an error in the portal. The administrators have been told."
        )
    assert spooled_sheets() == before
    assert not list(Path(settings.PRIVATE_ROOT).rglob("*.xlsx"))


def test_a_failure_while_recording_the_file_deletes_it_again(cast, monkeypatch, settings):
    original = ExportJob.save

    def failing_save(self, *args, **kwargs):
        if self.status == ExportJob.Status.DONE:
            raise DatabaseError("connection lost")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(ExportJob, "save", failing_save)
    job = roll_job(cast)
    run_export(job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED and not job.file
    assert not [p for p in Path(settings.PRIVATE_ROOT).rglob("*") if p.is_file()]  # no file without its record


def test_the_requester_is_notified_of_the_file_and_of_a_failure(cast, failing_exporter):
    job = roll_job(cast)
    run_export(job.pk)
    job.refresh_from_db()
    failed = ExportJob.objects.create(
        exporter="test_failing", title="failing", organization=cast.city, requested_by=cast.office
    )
    run_export(failed.pk)
    failed.refresh_from_db()
    ready, failure = Notification.objects.filter(recipient=cast.office).order_by("pk")
    with translation.override("zh-hans"):
        assert ready.title == translation.gettext("Your export is ready: %(title)s") % {"title": "roll"}
        assert failure.title == translation.gettext("Your export failed: %(title)s") % {"title": "failing"}
    assert timezone.localtime(job.expires_at).strftime("%Y-%m-%d") in ready.body
    assert failure.body == failed.error
    assert ready.url == failure.url == reverse("portal:export_list")
    assert run_export(job.pk) == ExportJob.Status.DONE  # a redelivery notifies nobody again
    assert Notification.objects.count() == 2


def test_a_redelivered_task_runs_the_job_once(cast):
    job = roll_job(cast)
    assert run_export(job.pk) == ExportJob.Status.DONE
    first = ExportJob.objects.get(pk=job.pk)
    assert run_export(job.pk) == ExportJob.Status.DONE
    assert ExportJob.objects.get(pk=job.pk).file.name == first.file.name


def test_retry_runs_a_failed_export_again(client, cast, failing_exporter, django_capture_on_commit_callbacks):
    client.force_login(cast.office)
    with django_capture_on_commit_callbacks(execute=True):
        start(client, "test_failing", cast.city)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal:export_retry", args=[ExportJob.objects.get().code]))
    assert response.status_code == 302
    assert list(ExportJob.objects.values_list("status", flat=True)) == ["failed", "failed"]


def test_clean_up_deletes_expired_files_and_fails_abandoned_jobs(cast, settings):
    job = roll_job(cast)
    run_export(job.pk)
    job.refresh_from_db()
    storage, name = job.file.storage, job.file.name
    assert storage.exists(name)
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    abandoned = ExportJob.objects.create(
        exporter="member_roll",
        title="roll",
        organization=cast.city,
        requested_by=cast.office,
        status=ExportJob.Status.RUNNING,
        started_at=timezone.now() - datetime.timedelta(seconds=settings.EXPORT_TIME_LIMIT + 600),
    )
    assert clean_up_exports() == 1
    assert not storage.exists(name)
    assert ExportJob.objects.get(pk=job.pk).status == ExportJob.Status.EXPIRED
    assert ExportJob.objects.get(pk=abandoned.pk).status == ExportJob.Status.FAILED


def test_clean_up_deletes_files_no_job_refers_to_once_they_are_old(cast, settings):
    kept, gone = roll_job(cast), roll_job(cast)
    run_export(kept.pk)
    run_export(gone.pk)
    kept.refresh_from_db()
    gone.refresh_from_db()
    storage = kept.file.storage
    ExportJob.objects.filter(pk=gone.pk).delete()  # as a cascade from its requester or organization does
    fresh = storage.save("exports/2026/11/being-stored.xlsx", ContentFile(b"PK"))  # a worker storing it now
    an_hour_ago = (timezone.now() - datetime.timedelta(seconds=settings.EXPORT_TIME_LIMIT + 600)).timestamp()
    for name in (kept.file.name, gone.file.name):
        os.utime(storage.path(name), (an_hour_ago, an_hour_ago))
    clean_up_exports()
    assert not storage.exists(gone.file.name)
    assert storage.exists(kept.file.name) and storage.exists(fresh)


def test_clean_up_deletes_the_sheets_a_killed_worker_spooled_once_they_are_old(db, settings, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    left, live, other = tmp_path / "openpyxl.k3j1", tmp_path / "openpyxl.x9z2", tmp_path / "other.tmp"
    for path in (left, live, other):
        path.write_text("<sheetData>")
    an_hour_ago = (timezone.now() - datetime.timedelta(seconds=settings.EXPORT_TIME_LIMIT + 600)).timestamp()
    for path in (left, other):
        os.utime(path, (an_hour_ago, an_hour_ago))
    clean_up_exports()
    assert not left.exists()
    assert live.exists() and other.exists()


@pytest.mark.parametrize("extra", [0, 40])
def test_the_roll_export_runs_a_fixed_number_of_queries(cast, extra, django_assert_num_queries):
    MemberFactory.create_batch(extra, organization=cast.branch_b)
    job = roll_job(cast)
    with django_assert_num_queries(16):  # 4 of them notify the requester
        run_export(job.pk)


def test_beat_runs_the_clean_up_every_hour(settings):
    from celery import current_app

    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "portal.tasks.clean_up_exports")
    assert entry["schedule"] <= datetime.timedelta(hours=1)
    assert "portal.tasks.clean_up_exports" in current_app.tasks


def test_a_roll_from_the_download_centre_imports_again(client, cast):
    """The download centre writes the roll in the member import's columns, whatever the requester's language:
    members taken off the roll come back through the import, every value as it was."""
    member_with_every_field(cast.branch_a, phone="+8613900000002")
    fields = [c.field for c in MEMBERS.columns]
    before = sorted(Member.objects.filter(active=True).values_list(*fields))
    job = roll_job(cast)
    job.language = "en"
    job.save()
    run_export(job.pk)
    client.force_login(cast.office)
    content = download(client, job)
    sheet = load_workbook(BytesIO(content)).active
    assert [c.value for c in sheet[1]] == [*MEMBER_HEADERS, "所在组织名称"]  # the name only for the reader
    assert {row[-1] for row in sheet.iter_rows(min_row=2, values_only=True)} == {
        m.organization.name for m in Member.objects.filter(active=True).select_related("organization")
    }
    for member in Member.objects.all():
        member.remove_from_roll(cast.office, "误删")

    client.post(reverse("portal:roll_import", args=["members"]), {"file": ContentFile(content, name="roll.xlsx")})

    imported = ImportJob.objects.get()
    assert (imported.status, imported.total_rows, imported.errors) == (ImportJob.Status.VALID, len(before), [])
    client.post(imported.get_absolute_url())
    imported.refresh_from_db()
    assert imported.status == ImportJob.Status.DONE
    assert sorted(Member.objects.filter(active=True).values_list(*fields)) == before


def test_every_download_of_a_file_is_audited_on_its_organization(client, cast):
    job = roll_job(cast)
    run_export(job.pk)
    job.refresh_from_db()
    client.force_login(cast.office)
    download(client, job)
    download(client, job)
    entries = AuditEntry.objects.filter(verb=AuditEntry.Verb.EXPORT)
    assert entries.count() == 2
    entry = entries.first()
    assert (entry.actor, entry.organization, entry.object_type) == (cast.office, job.organization, "portal.ExportJob")
    assert entry.changes == {"file_name": job.file_name, "sha256": job.sha256}
    page = client.get(reverse("portal:org_audit", args=[job.organization.pk])).content.decode()
    assert "导出" in page and job.file_name in page
