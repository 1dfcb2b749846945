"""The annual report (campaigns.exporters.AnnualReport): registry and scope, its form, the figures printed
in it (extracted with pdftotext), the embedded CJK font, the fingerprint in its footer, and what it fetches."""

import hashlib
import re
import shutil
import subprocess

import pytest
from django.urls import reverse
from django.utils import translation

from campaigns.exporters import AnnualReport
from portal import exporting, pdf
from portal.exporting.pdf import canonical
from portal.models import ExportJob, Role
from portal.scope import Scope
from portal.tasks import run_export

from ..factories import OrganizationFactory, UserFactory, grant

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed")


def start(client, org, campaign, year=2026):
    return client.post(
        reverse("portal:export_start", args=["annual_report"]),
        {"organization": org.code, "campaign": campaign.pk, "year": year},
    )


def report_job(area, org=None, user=None, year=2026, language="en"):
    """A report job of ``org`` (town_a) by ``user`` (committee_a), rendered in English unless told otherwise:
    the structure is checked on the English texts, the data is Chinese in every language."""
    return ExportJob.objects.create(
        exporter="annual_report",
        title="年度总结",
        organization=org or area.town_a,
        requested_by=user or area.committee_a,
        params={"campaign": area.campaign.pk, "year": year},
        language=language,
    )


def run(job):
    run_export(job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE, job.error
    with job.file.open("rb") as f:
        return f.read()


def poppler(tmp_path, content, *command):
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    out = ["-"] if command[0] == "pdftotext" else []
    return subprocess.run([*command, str(path), *out], capture_output=True, text=True, check=True).stdout


def test_the_registry_offers_the_report_and_the_ledgers_to_staff_only(area):
    assert exporting.get("annual_report") is AnnualReport
    for user in (area.secretary_a, area.committee_a, area.office):
        offered = {e.identifier for e in exporting.available_to(Scope(user))}
        assert {"annual_report", "commitment_ledger", "coverage_ledger"} <= offered
    assert exporting.available_to(Scope(area.member_user)) == []


def test_office_staff_make_the_report_in_the_download_centre(
    client, area, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(area.office)
    form = client.get(reverse("portal:export_start", args=["annual_report"])).context["form"]
    assert set(form.fields) == {"organization", "campaign", "year"}
    with django_capture_on_commit_callbacks(execute=True):
        assert start(client, area.town_a, area.campaign).status_code == 302
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.DONE, job.error
    assert (job.rows_done, job.rows_total) == (3, 3)
    response = client.get(reverse("portal:export_download", args=[job.code]))
    assert response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content)
    assert content.startswith(b"%PDF-")
    assert job.file_name.endswith("-2026-TOWN-A.pdf")


def test_the_report_prints_the_areas_figures(area, tmp_path):
    text = poppler(tmp_path, run(report_job(area, language="zh-hans")), "pdftotext", "-raw")
    flat = re.sub(r"\s+", " ", text)
    with translation.override("zh-hans"):
        assert translation.gettext("3. Public commitments and their fulfilment") in flat
    assert "甲镇党委" in flat and "2025—2027年创先争优活动" in flat
    assert "甲村党支部 100.0% (1/1) 33.3% (1/3) 70.0% (2) 50.0% (1/2)" in flat
    assert "甲二村党支部 0.0% (0/1) 0.0% (0/1) — (0) — (0/0)" in flat
    # The town's own item is due in 2027: the 2026 report leaves it out of progress and fulfilment.
    assert "50.0% (1/2) 25.0% (1/4) 70.0% (2) 50.0% (1/2)" in flat
    assert "甲村党支部 100.0% (1/1) 100.0% (1/1) 0" in flat  # coverage and warnings
    assert "甲二村党支部 0.0% (0/1) 0.0% (0/1) 2" in flat
    assert "乙村" not in flat  # another town's organizations and figures stay out


def test_the_years_items_are_the_ones_counted(area, tmp_path):
    text = re.sub(r"\s+", " ", poppler(tmp_path, run(report_job(area, year=2027)), "pdftotext", "-raw"))
    assert "50.0% (1/2) 25.0% (1/4) 50.0% (1) — (0/0)" in text  # only the town's own item, due in 2027


def test_the_report_has_contents_page_numbers_and_no_data_chapters(area, tmp_path):
    content = run(report_job(area))
    text = poppler(tmp_path, content, "pdftotext", "-layout")
    pages = text.split("\f")[:-1]
    assert len(pages) >= 5
    contents = pages[1]
    assert re.search(r"1\. Overview \.+ *3", contents), contents
    assert re.search(r"Appendix: every organization ?\.+ *\d+", contents)
    for number, page in enumerate(pages[1:], start=2):
        assert f"{number}/{len(pages)}" in page.replace(" ", "")
    assert "No data yet: the half-yearly reviews" in text
    assert "No mass evaluation of the area closed its ballots in 2026." in text
    assert "No award round of the campaign was announced or approved in 2026." in text


def test_a_single_branch_has_no_contents_and_no_appendix(area, tmp_path):
    text = poppler(tmp_path, run(report_job(area, org=area.branch_a, user=area.secretary_a)), "pdftotext", "-raw")
    assert "Contents" not in text and "Appendix" not in text
    assert "甲村党支部" in text


def test_the_footer_prints_the_fingerprint_of_the_data(area, tmp_path):
    job = report_job(area)
    text = poppler(tmp_path, run(job), "pdftotext", "-raw")
    assert len(job.fingerprint) == 64
    assert text.count(job.fingerprint) == text.count("\f")  # on every page
    again = report_job(area)
    run(again)
    assert again.fingerprint == job.fingerprint  # the same data, the same fingerprint
    with translation.override(job.language):  # the data as printed: names of levels and sectors translated
        assert hashlib.sha256(canonical(AnnualReport(job).data())).hexdigest() == job.fingerprint
    area.branch_commitment.items.filter(order=1).update(progress=45)
    changed = report_job(area)
    run(changed)
    assert changed.fingerprint != job.fingerprint


def test_the_chinese_is_an_embedded_subset_of_noto_cjk(area, tmp_path):
    content = run(report_job(area))
    fonts = poppler(tmp_path, content, "pdffonts").splitlines()[2:]
    cjk = [line for line in fonts if "Noto" in line and "CJK" in line]
    assert cjk, fonts
    assert all(re.match(r"[A-Z]{6}\+", line) and line.split()[-5:-3] == ["yes", "yes"] for line in cjk), fonts
    assert len(content) < 1_000_000  # subset, never the whole font


def test_hostile_names_render_as_text_and_nothing_but_the_stylesheet_is_fetched(area, tmp_path, monkeypatch):
    area.branch_a.name = '<img src="file:///etc/passwd">甲村'
    area.branch_a.save()
    area.branch_a2.name = '<img src="http://169.254.169.254/latest">甲二村'
    area.branch_a2.save()
    fetched = []
    original = pdf.StaticOnlyFetcher.fetch

    def recording(self, url, headers=None):
        fetched.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(pdf.StaticOnlyFetcher, "fetch", recording)
    content = run(report_job(area))
    assert [url.rsplit("/", 2)[-2:] for url in fetched] == [["reports", "report.css"]]
    assert poppler(tmp_path, content, "pdfimages", "-list").splitlines()[2:] == []
    text = poppler(tmp_path, content, "pdftotext", "-raw").replace("\n", "")
    assert '<img src="file:///etc/passwd">甲村' in text


def test_the_form_refuses_another_tree_a_campaign_elsewhere_and_a_year_outside(client, area):
    client.force_login(area.office)
    response = start(client, area.other_city, area.campaign)
    assert response.status_code == 200 and "organization" in response.context["form"].errors
    town_campaign = type(area.campaign).objects.create(
        name="甲镇活动", area=area.town_a, starts_on=area.campaign.starts_on, ends_on=area.campaign.ends_on
    )
    response = start(client, area.town_b, town_campaign)
    assert "乙镇党委" in response.context["form"].errors["campaign"][0]
    response = start(client, area.town_a, area.campaign, year=2030)
    [error] = response.context["form"].errors["year"]
    assert "2025" in error and "2027" in error
    client.force_login(area.committee_a)
    response = start(client, area.city, area.campaign)
    assert "organization" in response.context["form"].errors
    assert not ExportJob.objects.exists()


def test_the_task_rechecks_the_scope_and_the_campaign(area):
    job = report_job(area)
    area.committee_a.roles.update(organization=area.town_b)
    run_export(job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED and not job.file
    stranger = grant(UserFactory(username="stranger"), Role.COMMITTEE, area.other_city)
    OrganizationFactory(name="邻市支部", code="OC-1", parent=area.other_city)
    job = report_job(area, org=area.other_city, user=stranger)
    run_export(job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED
    assert job.error  # the campaign is out of the stranger's reach and does not cover other_city
