"""The awards' printed documents, rendered by ``portal.pdf`` (WeasyPrint, CJK font embedded as a subset):
the 公示 notice of a round's list and the certificates (荣誉证书) of approved awards, one per page.

The notice states plain data (``notice_data``) whose SHA-256 is printed in its footer, as the download
centre's PDF exports do (``portal.exporting.pdf``): the public page's copy and the download centre's
(``awards.exporters.AwardNotice``) carry the same fingerprint for the same list.
"""

import hashlib

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import iri_to_uri

from portal import pdf
from portal.exporting.pdf import canonical

NOTICE_TEMPLATE = "awards/notice_pdf.html"


def announcement_url(round):
    return iri_to_uri(settings.SITE_URL + reverse("awards:announcement", args=[round.code]))


def notice_data(round):
    """What the notice states: the round, the announcement's dates and the candidates, as plain values."""
    return {
        "title": round.title,
        "organizer": round.organizer.name,
        "starts_on": round.publicity_starts_on,
        "ends_on": round.publicity_ends_on,
        "decided_on": round.decided_on,
        "url": announcement_url(round),
        "candidates": [
            {"category": n.category.name, "name": n.nominee_name, "organization": n.organization.name, "deeds": n.deeds}
            for n in round.listed()
        ],
    }


def notice_pdf(round):
    data = notice_data(round)
    context = {**data, "fingerprint": hashlib.sha256(canonical(data)).hexdigest(), "generated_at": timezone.localtime()}
    return pdf.render_to_bytes(NOTICE_TEMPLATE, context)


def certificates_pdf(awards):
    """One A4 landscape page per approved nomination: the award, the nominee and its organization, the date."""
    return pdf.render_to_bytes("awards/certificates_pdf.html", {"awards": awards})
