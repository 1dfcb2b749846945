"""PDF exporters: a template rendered by ``portal.pdf`` from data gathered first.

A subclass says what the document states (``data()``: plain values, the figures and names it prints)
and which template prints it. The base takes the SHA-256 of that data before rendering, prints it in
every page's footer and keeps it on the job, so a printed copy can be checked against the portal's
record: the same data gives the same fingerprint, whenever it is rendered. The data is taken as printed,
in the job's language (a level's or a state's name is part of it).
"""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from .. import pdf
from .base import Exporter

STEPS = 3  # data gathered, pages laid out, file written


def canonical(data):
    """The bytes the fingerprint is taken of: sorted keys, no spacing, dates as ISO text."""
    return json.dumps(data, cls=DjangoJSONEncoder, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


class PdfExporter(Exporter):
    extension = "pdf"
    content_type = "application/pdf"
    template_name: str

    def data(self):
        """What the document states, as JSON-serializable values (names, dates, numbers, lists, dicts)."""
        raise NotImplementedError

    def context(self, data):
        """The template's context: the data, plus what is drawn from it (charts)."""
        return data

    def write(self, fileobj):
        self.progress(0, STEPS)
        data = self.data()
        self.fingerprint.update(canonical(data))
        self.progress(1, STEPS)
        context = {
            **self.context(data),
            "fingerprint": self.fingerprint.hexdigest(),
            "generated_at": timezone.localtime(),
        }
        document = pdf.render(self.template_name, context)
        self.pages = len(document.pages)
        self.progress(2, STEPS)
        document.write_pdf(fileobj)
        self.progress(STEPS, STEPS)
