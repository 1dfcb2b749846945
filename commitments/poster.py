"""The public board's QR code and the printable poster for the physical bulletin board.

The QR code encodes the board's absolute address (``settings.SITE_URL`` + the short URL, percent-encoded).
The poster is HTML rendered by WeasyPrint with a CJK font (fonts-noto-cjk). WeasyPrint fetches the
resources an HTML page names; ours may name only the portal's own static files and ``data:`` URIs:
``StaticOnlyFetcher`` refuses every other address (no network, no ``file://``), so nothing a template
or a stored name contains can make the server read another file or call another host.
"""

import mimetypes
from io import BytesIO
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import segno
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import iri_to_uri
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

QR_ERROR_LEVEL = "m"  # survives a little dirt or a crease on a printed poster


def board_url(board):
    """The board's absolute address, ASCII-only (safe for a QR code and for gunicorn)."""
    return iri_to_uri(settings.SITE_URL + reverse("commitments:board", args=[board.code]))


def qr_code(board):
    return segno.make(board_url(board), error=QR_ERROR_LEVEL)


def qr_svg_data_uri(board, scale=6):
    return qr_code(board).svg_data_uri(scale=scale, border=2)


def qr_png(board, scale=20):
    """The QR code alone as a PNG, large enough to print (about 700 px for a board address)."""
    out = BytesIO()
    qr_code(board).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def static_file(name):
    """The path of the static file ``name`` (collected, else found in the source tree), or None."""
    try:
        if staticfiles_storage.exists(name):
            return staticfiles_storage.path(name)
        return finders.find(name)
    except (SuspiciousFileOperation, NotImplementedError):
        return None


class StaticOnlyFetcher(URLFetcher):
    """A WeasyPrint fetcher that serves the portal's static files and ``data:`` URIs, and nothing else."""

    def __init__(self, base_url):
        super().__init__(allowed_protocols=("data",))
        self.static_prefix = urljoin(base_url, settings.STATIC_URL)

    def fetch(self, url, headers=None):
        if url.startswith(self.static_prefix):
            name = unquote(urlsplit(url).path[len(urlsplit(self.static_prefix).path) :])
            path = static_file(name)
            if path is None:
                raise ValueError(f"No static file {name!r}")
            content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, Path(path).read_bytes(), {"Content-Type": content_type})
        return super().fetch(url, headers)  # data: URIs only; any other scheme is refused


def poster_pdf(board):
    """The A4 poster: the organization's name, the QR code and the short address, as PDF bytes."""
    base_url = settings.SITE_URL + "/"
    html = render_to_string(
        "commitments/poster.html",
        {
            "organization": board.organization,
            "url": board_url(board),
            "qr": qr_svg_data_uri(board, scale=10),
        },
    )
    return HTML(string=html, base_url=base_url, url_fetcher=StaticOnlyFetcher(base_url)).write_pdf()
