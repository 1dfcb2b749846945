"""The printable ballot slips: one per code, with its QR code and its short form, as PDF (``portal.pdf``).

The QR code carries the ballot page's address with the code in the fragment (``mass_codes.ballot_url``).
The plain codes exist only while this document is made: the response that carries it is not cached.
"""

import segno
from django.conf import settings
from django.urls import reverse
from django.utils.encoding import iri_to_uri

from portal import pdf

from . import mass_codes

QR_ERROR_LEVEL = "m"
PER_PAGE = 8  # 2 × 4 slips on A4


def slip(code):
    qr = segno.make(mass_codes.ballot_url(code), error=QR_ERROR_LEVEL)
    groups = mass_codes.grouped(code).split("-")
    return {"lines": ["-".join(groups[:4]), "-".join(groups[4:])], "qr": qr.svg_data_uri(scale=4, border=2)}


def pages(slips):
    """The slips laid out as pages of rows of two (a table per page: WeasyPrint lays tables out quickly)."""
    rows = [slips[i : i + 2] for i in range(0, len(slips), 2)]
    return [rows[i : i + PER_PAGE // 2] for i in range(0, len(rows), PER_PAGE // 2)]


def slips_pdf(participant, codes):
    """The slips of ``codes`` (plain) for ``participant``, as PDF bytes."""
    round = participant.round
    context = {
        "participant": participant,
        "organization": participant.organization,
        "round": round,
        "address": iri_to_uri(settings.SITE_URL + reverse("evaluations:mass_ballot")),
        "pages": pages([slip(code) for code in codes]),
    }
    return pdf.render_to_bytes("evaluations/mass_slips.html", context)
