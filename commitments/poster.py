"""The public board's QR code and the printable poster for the physical bulletin board.

The QR code encodes the board's absolute address (``settings.SITE_URL`` + the short URL, percent-encoded).
The poster is a template rendered to PDF by ``portal.pdf`` (WeasyPrint with a CJK font, fetching only
the portal's own static files and ``data:`` URIs: the QR code is one).
"""

from io import BytesIO

import segno
from django.conf import settings
from django.urls import reverse
from django.utils.encoding import iri_to_uri

from portal import pdf

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


def poster_pdf(board):
    """The A4 poster: the organization's name, the QR code and the short address, as PDF bytes."""
    context = {
        "organization": board.organization,
        "url": board_url(board),
        "qr": qr_svg_data_uri(board, scale=10),
    }
    return pdf.render_to_bytes("commitments/poster.html", context)
