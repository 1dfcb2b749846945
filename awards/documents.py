"""The awards' printed documents, rendered by ``portal.pdf`` (WeasyPrint, CJK font embedded as a subset):
the 公示 notice of a round's list and the certificates (荣誉证书) of approved awards, one per page."""

from django.utils import timezone

from portal import pdf


def notice_pdf(round, nominations, url):
    context = {"round": round, "nominations": nominations, "url": url, "printed_on": timezone.localdate()}
    return pdf.render_to_bytes("awards/notice_pdf.html", context)


def certificates_pdf(awards):
    """One A4 landscape page per approved nomination: the award, the nominee and its organization, the date."""
    return pdf.render_to_bytes("awards/certificates_pdf.html", {"awards": awards})
