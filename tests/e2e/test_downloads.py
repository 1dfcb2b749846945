"""Issue 7, "Done when": office staff start an annual report and a ledger export in the download centre,
watch the progress bar and download files that open with correct Chinese.

The demo's Celery has no broker: a task runs eagerly, inside the request that queues it, so the page would
only ever show a finished job. Here the test stands in for the broker and the worker: queuing records the
job (it stays "waiting", as it does until a worker takes it), and the test then runs the real task,
``portal.tasks.run_export``, in its own thread. Every time the task reports progress, the test waits until
the browser, polling the status view on its own, shows that percentage. So the page is seen going
waiting → running 0 % → … → ready, from the same task code, views and script the site runs; only the
broker's transport is left out. The annual report reports three steps (33 %, 66 %, 99 %); the demo's
ledger has fewer rows than one progress step (500), so it goes from 0 % straight to ready.

The files are then downloaded through the browser and checked: the workbook with openpyxl (Chinese
headers, the demo's names, dates as dates), the PDF with pdftotext (Chinese text) and pdffonts (an
embedded subset of a CJK font), both against the SHA-256 and the content fingerprint the page shows.
"""

import hashlib
import re
import shutil
import subprocess
from io import BytesIO
from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from commitments.models import Commitment
from portal.models import ExportJob
from portal.tasks import run_export

from .test_demo_roles import BRANCH, follow_menu, log_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not shutil.which("pdffonts"), reason="poppler-utils is not installed"),
]

CITY = "中共吴江市委"
CAMPAIGN = "2010–2012年创先争优活动"
WAIT = 20_000  # ms: the page polls every 1.5 s


def zh(message):
    with translation.override("zh-hans"):
        return translation.gettext(message)


@pytest.fixture
def worker(monkeypatch):
    """Queued export jobs stay queued (``worker.queued``) until ``worker.run(job, page)`` runs the task.

    The task's body is replaced by a recorder, so whichever way the job is queued (``delay()`` or the
    outbox, both run the task in-process without a broker) it waits here for the test to run it.
    """
    task = run_export.run  # the task's own function, bound to the task

    class Worker:
        queued = []

        def run(self, job, page):
            """Run the task as a worker would, pausing at each progress report until the page shows it."""
            row = job_row(page, job)
            seen = []
            report = ExportJob.report_progress

            def report_and_wait(self_, done, total):
                report(self_, done, total)
                percentage = ExportJob.objects.get(pk=self_.pk).percentage
                expect(row.locator(".job-status")).to_have_text(zh("Running"), timeout=WAIT)
                expect(row.locator(".job-percentage")).to_have_text(f"{percentage}%", timeout=WAIT)
                expect(row.locator(".job-progress")).to_have_attribute("value", str(percentage), timeout=WAIT)
                seen.append(percentage)

            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(ExportJob, "report_progress", report_and_wait)
                self.queued.remove(job.pk)
                task(job.pk)
            return seen

    monkeypatch.setattr(run_export, "run", Worker.queued.append)
    return Worker()


def job_row(page, job):
    return page.locator(f'[data-status-url="{reverse("portal:export_status", args=[job.code])}"]')


def start_export(page, identifier, **fields):
    """Open the download centre, start the export ``identifier`` with the form's defaults (the user's whole
    area, the newest campaign, this year) changed by ``fields``; the new job, still waiting."""
    page.goto(reverse("portal:export_list"))
    page.locator(f'main a[href="{reverse("portal:export_start", args=[identifier])}"]').click()
    for name, value in fields.items():
        page.fill(f"#id_{name}", value)
    before = set(ExportJob.objects.values_list("pk", flat=True))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**{reverse('portal:export_list')}")
    [job] = ExportJob.objects.exclude(pk__in=before)
    row = job_row(page, job)
    expect(row.locator(".job-status")).to_have_text(zh("Waiting"))
    expect(row.locator(".job-progress")).to_have_attribute("value", "0")
    return job


def download(page, job):
    """Download the job's file through its link; (file bytes, SHA-256 and fingerprint shown on the page)."""
    job.refresh_from_db()
    row = job_row(page, job)
    expect(row.locator(".job-status")).to_have_text(zh("Ready"), timeout=WAIT)
    with page.expect_download() as info:
        row.locator(".job-download").click()
    content = Path(info.value.path()).read_bytes()
    assert info.value.suggested_filename == job.file_name
    return content, row.locator(".job-sha256").inner_text(), row.locator(".job-fingerprint").inner_text()


def poppler(tmp_path, content, *command):
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    out = ["-"] if command[0] == "pdftotext" else []
    return subprocess.run([*command, str(path), *out], capture_output=True, text=True, check=True).stdout


def test_office_makes_the_annual_report_and_the_commitment_ledger(
    demo, page, device, open_page, worker, screenshot, tmp_path
):
    log_in(page, device, "office", "顾晓燕")
    follow_menu(page, "portal:export_list")
    report = start_export(page, "annual_report")
    ledger = start_export(page, "commitment_ledger")
    assert worker.queued == [report.pk, ledger.pk]
    expect(job_row(page, report).locator(".job-status")).to_have_text(zh("Waiting"))
    screenshot("downloads-waiting")

    # The report reports its three steps; the bar shows each one before the task goes on.
    assert worker.run(report, page) == [0, 33, 66, 99]
    expect(job_row(page, report).locator(".job-status")).to_have_text(zh("Ready"), timeout=WAIT)
    assert worker.run(ledger, page) == [0, 99]  # 403 rows: fewer than one step of 500
    # Nothing left running: the page reloads itself and offers both files.
    expect(page.locator(".job-download")).to_have_count(2, timeout=WAIT)
    expect(page.locator(".job-progress")).to_have_count(0)
    screenshot("downloads-ready")

    content, sha256, fingerprint = download(page, report)
    assert hashlib.sha256(content).hexdigest() == sha256 == report.sha256
    assert fingerprint == report.fingerprint
    text = re.sub(r"\s+", " ", poppler(tmp_path, content, "pdftotext", "-raw"))
    assert f"{CITY}" in text and CAMPAIGN in text and BRANCH in text
    assert zh("3. Public commitments and their fulfilment") in text
    assert text.count(fingerprint) == int(poppler(tmp_path, content, "pdfinfo").split("Pages:")[1].split()[0])
    fonts = poppler(tmp_path, content, "pdffonts").splitlines()[2:]
    cjk = [line for line in fonts if "CJK" in line]
    assert cjk and all(re.match(r"[A-Z]{6}\+Noto", line) and line.split()[-5:-3] == ["yes", "yes"] for line in cjk)

    content, sha256, fingerprint = download(page, ledger)
    assert hashlib.sha256(content).hexdigest() == sha256 == ledger.sha256
    workbook = openpyxl.load_workbook(BytesIO(content))
    assert workbook.properties.description == f"SHA-256 {fingerprint}" and fingerprint == ledger.fingerprint
    rows = list(workbook.active.iter_rows(values_only=True))
    assert workbook.active.title == zh("Commitment ledger")
    assert rows[0][:4] == tuple(map(zh, ("Organization", "Organization code", "Commitment", "Made by")))
    assert rows[0][10] == zh("Deadline")
    assert len(rows) - 1 == ledger.rows_done == 403
    assert {"松陵镇党委", BRANCH} <= {row[0] for row in rows[1:]}
    with translation.override("zh-hans"):
        assert str(Commitment.State.PUBLISHED.label) in {row[6] for row in rows[1:]}
    assert all(row[10] is None or row[10].year >= 2010 for row in rows[1:])  # dates, read back as datetimes

    # The file is the requester's only: another browser, not logged in, is sent to the login page.
    stranger = open_page(device)
    stranger.goto(reverse("portal:export_download", args=[ledger.code]))
    assert stranger.url.split("?")[0].endswith(reverse("login"))


def test_a_failed_export_says_why_in_chinese_and_runs_again(demo, open_page, worker, monkeypatch):
    page = open_page("desktop")
    log_in(page, "desktop", "office", "顾晓燕")
    job = start_export(page, "commitment_ledger")

    def full_disk(self, fileobj):
        fileobj.write(b"PK\x03\x04 half a workbook")
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(openpyxl.Workbook, "save", full_disk)
        worker.run(job, page)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED and not job.file and not job.sha256
    row = job_row(page, job)
    expect(row.locator(".job-status")).to_have_text(zh("Failed"), timeout=WAIT)
    message = zh("The export failed because of an error in the portal. The administrators have been told.")
    expect(row.locator(".job-error")).to_have_text(message)
    expect(row.locator(".job-download")).to_have_count(0)
    assert page.goto(reverse("portal:export_download", args=[job.code])).status == 404

    page.goto(reverse("portal:export_list"))
    job_row(page, job).locator("form button[type=submit]").click()
    page.wait_for_url(f"**{reverse('portal:export_list')}")
    again = ExportJob.objects.exclude(pk=job.pk).get()
    assert worker.queued == [again.pk] and again.params == job.params
    worker.run(again, page)
    content, sha256, _ = download(page, again)
    assert hashlib.sha256(content).hexdigest() == sha256
    expect(job_row(page, job).locator(".job-error")).to_have_text(message)  # the failed run stays on record
