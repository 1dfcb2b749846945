"""Exports run by a real Celery worker (Redis, PostgreSQL): the same task as the eager default, and a worker
killed in the middle of an export leaves a job that ends up failed, with no file, and can run again."""

import datetime
import hashlib
import os
import tempfile
from io import BytesIO
from pathlib import Path

import pytest
from django.utils import timezone, translation
from openpyxl import load_workbook

from portal.models import ExportJob, Member
from portal.tasks import clean_up_exports

from .conftest import wait_for

pytestmark = pytest.mark.services

TASK = "portal.tasks.run_export"


@pytest.fixture
def shared_files(settings, monkeypatch, tmp_path):
    """The worker process stores files where this test's settings look for them, and keeps its temporary
    files in the test's folder: a killed worker leaves openpyxl's spooled sheet behind (nothing in the
    process is left to delete it), and it must not pile up in the machine's /tmp. The clean-up, run in this
    process, looks in the same folder."""
    monkeypatch.setenv("PRIVATE_ROOT", str(settings.PRIVATE_ROOT))
    (tmp_path / "worker-tmp").mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp_path / "worker-tmp"))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "worker-tmp"))
    return tmp_path / "worker-tmp"


def roll_job(cast):
    return ExportJob.objects.create(
        exporter="member_roll", title="党员名册", organization=cast.city, requested_by=cast.office, language="zh-hans"
    )


def status(job):
    job.refresh_from_db()
    return job.status


def test_a_real_worker_runs_an_export(cast, shared_files, celery_worker_process):
    job = roll_job(cast)
    celery_worker_process.send(TASK, job.pk)
    wait_for(lambda: status(job) in (ExportJob.Status.DONE, ExportJob.Status.FAILED), what="the export to end")
    assert job.status == ExportJob.Status.DONE, job.error
    with job.file.open("rb") as f:
        content = f.read()
    assert hashlib.sha256(content).hexdigest() == job.sha256
    rows = list(load_workbook(BytesIO(content)).active.iter_rows(values_only=True))
    assert {row[0] for row in rows[1:]} == {"张三", "李四", "王五"}


def test_a_worker_killed_mid_export_leaves_a_failed_job_and_no_file(
    cast, settings, shared_files, celery_worker_process
):
    Member.objects.bulk_create(
        Member(name=f"党员{i}", gender="m", joined_on=datetime.date(2000, 7, 1), organization=cast.branch_a)
        for i in range(60_000)
    )
    job = roll_job(cast)
    celery_worker_process.send(TASK, job.pk)
    wait_for(lambda: ExportJob.objects.get(pk=job.pk).rows_done > 0, timeout=60, what="the export to be under way")
    celery_worker_process.process.kill()  # SIGKILL: no exception handler, no clean-up in the worker
    celery_worker_process.process.wait(timeout=15)

    assert status(job) == ExportJob.Status.RUNNING and not job.ready and not job.file
    spooled = list(shared_files.glob("openpyxl.*"))
    assert spooled  # the sheet the worker was writing
    # The clean-up fails a job running for longer than the time limit allows: the worker is gone.
    ExportJob.objects.filter(pk=job.pk).update(started_at=timezone.now() - datetime.timedelta(hours=2))
    two_hours_ago = (timezone.now() - datetime.timedelta(hours=2)).timestamp()
    for path in spooled:
        os.utime(path, (two_hours_ago, two_hours_ago))
    assert clean_up_exports() == 1
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED and not job.file
    with translation.override("zh-hans"):
        assert job.error == translation.gettext("The export was interrupted. Start it again.")
    assert [p for p in Path(settings.PRIVATE_ROOT).rglob("*") if p.is_file()] == []
    assert list(shared_files.glob("openpyxl.*")) == []
