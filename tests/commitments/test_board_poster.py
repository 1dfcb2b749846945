"""The board's address for staff: QR code and printable poster (PDF with a CJK font; the fetcher: tests/reports)."""

import shutil
import subprocess

import pytest
from django.urls import reverse

from commitments import poster
from commitments.models import Board

needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed")


def share_url(org):
    return reverse("commitments:board_share", args=[org.pk])


def test_the_share_page_makes_the_board_on_first_need(client, cast):
    assert not Board.objects.exists()
    client.force_login(cast.secretary_a)
    response = client.get(share_url(cast.branch_a))
    board = Board.objects.get(organization=cast.branch_a)
    assert response.status_code == 200
    assert poster.board_url(board) in response.text
    assert 'src="data:image/svg+xml' in response.text
    assert client.get(share_url(cast.branch_a)).status_code == 200
    assert Board.objects.count() == 1


def test_the_organization_page_links_to_the_board(client, cast):
    client.force_login(cast.secretary_a)
    response = client.get(reverse("portal:org_detail", args=[cast.branch_a.pk]))
    assert share_url(cast.branch_a) in response.text


@pytest.mark.parametrize("name", ["board_share", "board_qr", "board_poster"])
def test_staff_of_another_branch_get_404_and_the_public_the_login(client, cast, name):
    url = reverse(f"commitments:{name}", args=[cast.branch_a.pk])
    client.force_login(cast.secretary_b)
    assert client.get(url).status_code == 404
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not Board.objects.exists()


def test_the_board_url_is_absolute_and_ascii(cast, settings):
    settings.SITE_URL = "https://dj.example/党建"
    board = Board.for_organization(cast.branch_a)
    url = poster.board_url(board)
    assert url == f"https://dj.example/%E5%85%9A%E5%BB%BA/b/{board.code}/"
    assert url.isascii()


def test_the_qr_code_is_a_png_of_the_board_url(client, cast, settings):
    settings.SITE_URL = "https://portal.example"
    client.force_login(cast.committee_a)
    response = client.get(reverse("commitments:board_qr", args=[cast.branch_a.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert "private" in response["Cache-Control"]
    board = Board.objects.get(organization=cast.branch_a)
    assert response.content == poster.qr_png(board)  # the same symbol as segno makes of ...
    assert poster.qr_code(board) == poster.segno.make(f"https://portal.example/b/{board.code}/", error="m")


@needs_poppler
def test_the_poster_is_a_pdf_with_the_name_in_an_embedded_chinese_font(client, cast, tmp_path):
    client.force_login(cast.secretary_a)
    response = client.get(reverse("commitments:board_poster", args=[cast.branch_a.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    pdf = tmp_path / "poster.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "甲村党支部" in text
    assert poster.board_url(Board.objects.get(organization=cast.branch_a)) in text.replace("\n", "")
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk, fonts
    assert all(" yes " in line for line in cjk), "the CJK font is embedded"
    assert len(response.content) < 1_000_000, "the font is subset, not embedded whole"
