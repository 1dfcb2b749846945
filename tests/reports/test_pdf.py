"""portal.pdf: the one PDF machinery. What WeasyPrint may fetch, the CJK font, and the system check."""

import shutil
import subprocess
from io import StringIO

import pytest
from django.core.checks import Warning
from django.core.management import call_command
from django.template import engines
from weasyprint.urls import URLFetchingError

from portal import checks, pdf

needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed")


@pytest.fixture
def fetcher(settings):
    settings.SITE_URL = "https://portal.example"
    return pdf.StaticOnlyFetcher("https://portal.example/")


@pytest.fixture
def fetched(monkeypatch):
    """Every address WeasyPrint asks for, and whether it was served; urllib itself must never be reached."""
    calls = []
    original = pdf.StaticOnlyFetcher.fetch

    def recording(self, url, headers=None):
        try:
            response = original(self, url, headers)
        except Exception:
            calls.append((url, False))
            raise
        calls.append((url, True))
        return response

    def no_network(*args, **kwargs):
        raise AssertionError("urllib opened an address")

    monkeypatch.setattr(pdf.StaticOnlyFetcher, "fetch", recording)
    monkeypatch.setattr("urllib.request.OpenerDirector.open", no_network)
    return calls


def test_the_fetcher_serves_the_portals_static_files(fetcher):
    response = fetcher.fetch("https://portal.example/static/commitments/poster.css")
    assert b"@page" in response.read()
    assert response.content_type == "text/css"


def test_the_fetcher_serves_data_uris(fetcher):
    assert fetcher.fetch("data:text/plain;base64,5YWa5bu6").read().decode() == "党建"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://169.254.169.254/latest/meta-data/",
        "http://portal.example/static/commitments/poster.css",
        "https://example.com/static/commitments/poster.css",
        "https://portal.example.evil.com/static/commitments/poster.css",
        "https://portal.example/media/evidence/photo.png",
        "https://portal.example/b/somecode/",
        "https://portal.example/static/../portal/settings.py",
        "https://portal.example/static/%2e%2e/%2e%2e/portal/settings.py",
        "https://portal.example/static/commitments/nosuchfile.css",
        "ftp://portal.example/static/commitments/poster.css",
    ],
)
def test_the_fetcher_refuses_everything_else(fetcher, url):
    with pytest.raises(ValueError):
        fetcher.fetch(url)


def test_weasyprint_skips_what_the_fetcher_refuses(settings, tmp_path):
    """An HTML page naming a local file renders without it (WeasyPrint logs the refusal and goes on)."""
    from weasyprint import HTML
    from weasyprint.urls import fetch

    settings.SITE_URL = "https://portal.example"
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }")
    refusing = pdf.StaticOnlyFetcher("https://portal.example/")
    with pytest.raises(URLFetchingError), fetch(refusing, secret.as_uri()):
        pass
    html = f'<link rel="stylesheet" href="{secret.as_uri()}"><p>甲村</p>'
    assert HTML(string=html, base_url="https://portal.example/", url_fetcher=refusing).write_pdf().startswith(b"%PDF")


def poppler(tmp_path, content, *command):
    """The output of a poppler tool (pdftotext, pdffonts, pdfimages) run on ``content``."""
    path = tmp_path / "out.pdf"
    path.write_bytes(content)
    out = ["-"] if command[0] == "pdftotext" else []
    return subprocess.run([*command, str(path), *out], capture_output=True, text=True, check=True).stdout


def render_string(source, context):
    """A template given as text, rendered through the same machinery as the report templates."""
    return pdf.layout(engines["django"].from_string(source).render(context)).write_pdf()


TEMPLATE = '{% load static %}<link rel="stylesheet" href="{% static "reports/report.css" %}"><p>{{ text }}</p>'
HOSTILE = '<img src="file:///etc/passwd"><img src="http://169.254.169.254/x.png">甲村'


@needs_poppler
def test_user_text_with_img_tags_renders_as_text_and_nothing_is_fetched(settings, tmp_path, fetched):
    settings.SITE_URL = "https://portal.example"
    content = render_string(TEMPLATE, {"text": HOSTILE})
    assert [url for url, _served in fetched] == ["https://portal.example/static/reports/report.css"]
    text = poppler(tmp_path, content, "pdftotext", "-raw").replace("\n", "")
    assert 'src="file:///etc/passwd"' in text  # escaped: printed as the text it is
    assert poppler(tmp_path, content, "pdfimages", "-list").splitlines()[2:] == []


@needs_poppler
def test_markup_naming_files_or_other_hosts_is_refused_and_left_out(settings, tmp_path, fetched):
    """Even markup that reached the page unescaped fetches nothing: the fetcher refuses, urllib is never called."""
    settings.SITE_URL = "https://portal.example"
    content = pdf.layout(HOSTILE).write_pdf()
    assert fetched == [("file:///etc/passwd", False), ("http://169.254.169.254/x.png", False)]
    assert poppler(tmp_path, content, "pdfimages", "-list").splitlines()[2:] == []
    assert "甲村" in poppler(tmp_path, content, "pdftotext", "-raw")


@needs_poppler
def test_chinese_is_set_in_an_embedded_subset_of_a_noto_cjk_font(tmp_path):
    content = render_string(TEMPLATE, {"text": "创先争优活动年度总结"})
    fonts = poppler(tmp_path, content, "pdffonts").splitlines()[2:]
    cjk = [line for line in fonts if "Noto" in line and "CJK" in line]
    assert cjk, fonts
    for line in cjk:
        name, emb, sub = line.split()[0], line.split()[-5], line.split()[-4]
        assert "+" in name and (emb, sub) == ("yes", "yes"), line  # ABCDEF+Noto…: an embedded subset
    assert len(content) < 200_000


def test_the_system_check_is_quiet_with_a_cjk_font_installed():
    if not shutil.which("fc-list"):
        pytest.skip("fontconfig is not installed")
    assert checks.cjk_font_available(None) == []


def test_the_system_check_warns_without_fontconfig(monkeypatch):
    monkeypatch.setattr(checks.shutil, "which", lambda name: None)
    [warning] = checks.cjk_font_available(None)
    assert isinstance(warning, Warning) and warning.id == "portal.W001"


def test_the_system_check_warns_without_a_chinese_font(monkeypatch):
    monkeypatch.setattr(checks.shutil, "which", lambda name: "/usr/bin/fc-list")
    monkeypatch.setattr(
        checks.subprocess, "run", lambda *a, **k: subprocess.CompletedProcess(a, 0, stdout="\n", stderr="")
    )
    [warning] = checks.cjk_font_available(None)
    assert warning.id == "portal.W002"
    assert "fonts-noto-cjk" in warning.hint


def test_manage_py_check_shows_the_warning_at_start_up(monkeypatch):
    """The check is registered: ``manage.py check`` (and runserver, migrate) print it."""
    monkeypatch.setattr(checks.shutil, "which", lambda name: None)
    out, err = StringIO(), StringIO()
    call_command("check", stdout=out, stderr=err)
    assert "portal.W001" in err.getvalue() and "fonts-noto-cjk" in err.getvalue()
