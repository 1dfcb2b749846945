"""Helpers of the commitment tests: form payloads and a snapshot of everything a refusal must leave alone."""

import datetime
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django.utils.translation import gettext
from PIL import Image

from campaigns.models import Meeting
from commitments.models import Commitment, Event, Evidence, Item, ProgressUpdate

from .factories import criterion, today


def items_payload(commitment, rows, version=None, title=None):
    """The edit form's POST data: ``rows`` are dicts of item fields (with ``id`` for stored items)."""
    data = {
        "title": title or commitment.title,
        "version": commitment.version if version is None else version,
        "items-TOTAL_FORMS": len(rows),
        "items-INITIAL_FORMS": sum(1 for row in rows if row.get("id")),
        "items-MIN_NUM_FORMS": 0,
        "items-MAX_NUM_FORMS": 1000,
    }
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"items-{index}-{name}"] = value
    return data


def item_row(commitment, **fields):
    target = "member" if commitment.kind == Commitment.Kind.MEMBER else "organization"
    row = {
        "content": "每月走访困难群众",
        "target": "全年走访48户",
        "deadline": (today() + datetime.timedelta(days=60)).isoformat(),
        "criterion": criterion(commitment.campaign, target).pk,
        "carrier": "",
        "weight": "1",
    }
    row.update(fields)
    return row


def meeting_payload(**fields):
    data = {
        "held_on": (today() - datetime.timedelta(days=2)).isoformat(),
        "attendance": 18,
        "members_total": 20,
        "staff_representatives": 3,
        "topic": "党员大会讨论公开承诺",
        "minutes": "全体党员逐条讨论了承诺事项。",
    }
    data.update(fields)
    return data


def photo(name="photo.jpg", image_format="JPEG", size=(1200, 900), exif=False):
    image = Image.new("RGB", size, (200, 30, 30))
    out = BytesIO()
    options = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "FakeCamera"  # Make
        data[0x8825] = {2: (31.0, 0.0, 0.0)}  # GPSInfo: a latitude
        options["exif"] = data
    image.save(out, image_format, **options)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def pdf(name="report.pdf", size=None):
    body = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    if size:
        body = body + b"0" * (size - len(body))
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def state():
    """Every row a commitment flow writes."""
    models = (Commitment, Item, Event, ProgressUpdate, Evidence, Meeting)
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in models}


def zh(message, **params):
    """A msgid as the Chinese interface (the default language) shows it, with ``params`` filled in."""
    with translation.override("zh-hans"):
        text = gettext(message)
        return text % {key: gettext(value) for key, value in params.items()} if params else text
