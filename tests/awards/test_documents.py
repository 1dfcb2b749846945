"""Certificates and the 公示 notice as PDF: the right Chinese text (pdftotext), an embedded CJK font (pdffonts)."""

import shutil
import subprocess

import pytest
from django.urls import reverse

from portal.models import ExportJob
from portal.tasks import run_export

from .conftest import TODAY, days
from .test_flow import shortlisted

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed"),
]


def pdf_text(content, tmp_path):
    path = tmp_path / "doc.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def pdf_fonts(content, tmp_path):
    path = tmp_path / "fonts.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def approved(cast, round, categories):
    nomination = shortlisted(cast, round, categories["优秀共产党员"], cast.member_a)
    round.start_publicity(cast.office, on=days(-8))
    round.approve(cast.office, on=TODAY)
    nomination.refresh_from_db()
    return nomination


def test_a_certificate_names_the_member_the_organization_and_the_award(client, cast, round, approved, tmp_path):
    client.force_login(cast.office)
    response = client.get(reverse("awards:certificate", args=[approved.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = "".join(pdf_text(response.content, tmp_path).split())
    for expected in ("张三", "甲村党支部", "优秀共产党员", "测试市委", approved.certificate_no, f"{TODAY.year}年"):
        assert expected in text
    fonts = pdf_fonts(response.content, tmp_path)
    assert "CJK" in fonts
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert all(" yes " in line for line in cjk), fonts  # embedded (as a subset)


def test_the_certificate_is_for_approved_awards_within_reach(client, cast, round, approved, categories):
    client.force_login(cast.secretary_b)
    assert client.get(reverse("awards:certificate", args=[approved.pk])).status_code == 404
    client.force_login(cast.secretary_a)
    assert client.get(reverse("awards:certificate", args=[approved.pk])).status_code == 200


def test_the_notice_lists_the_candidates(client, cast, round, categories, tmp_path):
    nomination = shortlisted(cast, round, categories["优秀共产党员"], cast.member_a)
    round.start_publicity(cast.office, on=TODAY)
    response = client.get(reverse("awards:notice", args=[round.code]))  # public, no login
    text = "".join(pdf_text(response.content, tmp_path).split())
    assert nomination.nominee_name in text and "优秀共产党员" in text and round.title in text
    assert "CJK" in pdf_fonts(response.content, tmp_path)


def test_the_download_centres_notice_carries_the_public_copys_fingerprint(client, cast, round, categories, tmp_path):
    shortlisted(cast, round, categories["优秀共产党员"], cast.member_a)
    round.start_publicity(cast.office, on=TODAY)
    job = ExportJob.objects.create(
        exporter="award_notice",
        title="公示",
        organization=cast.city,
        requested_by=cast.office,
        params={"round": round.pk},
        language="zh-hans",
    )
    run_export(job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE, job.error
    public = "".join(pdf_text(client.get(reverse("awards:notice", args=[round.code])).content, tmp_path).split())
    assert job.fingerprint in public
    with job.file.open("rb") as f:
        assert "张三" in "".join(pdf_text(f.read(), tmp_path).split())


def test_the_notice_is_exported_only_by_the_awarding_organization(cast, round, categories):
    job = ExportJob.objects.create(
        exporter="award_notice",
        title="公示",
        organization=cast.town_a,
        requested_by=cast.office,
        params={"round": round.pk},
        language="zh-hans",
    )
    run_export(job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED
