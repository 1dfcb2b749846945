"""Evidence uploads: at most 5 files of at most 10 MB, types decided by content, photos without metadata."""

import re
import zipfile
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from commitments.forms import MAX_FILE_BYTES
from commitments.models import Evidence

from .factories import make_commitment
from .helpers import pdf, photo, state, zh

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(fx):
    return make_commitment(fx.campaign, fx.branch_a, state="published").items.get()


def post(client, item, files):
    return client.post(
        reverse("commitments:progress", args=[item.pk]), {"text": "进展", "progress": 30, "files": files}
    )


def office_file(name, member):
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(member, "<x/>")
    return SimpleUploadedFile(name, out.getvalue(), content_type="application/octet-stream")


def files_errors(response):
    return [str(e) for e in response.context["form"].errors["files"]]


def test_accepted_types_are_stored_with_the_type_their_content_shows(client, fx, item):
    client.force_login(fx.secretary_a)
    uploads = [
        photo("a.jpg"),
        photo("b.png", "PNG"),
        photo("c.webp", "WEBP"),
        pdf("d.pdf"),
        office_file("e.docx", "word/document.xml"),
    ]
    uploads[3].content_type = "text/html"  # what the browser says is never read
    assert post(client, item, uploads).status_code == 302
    assert list(Evidence.objects.values_list("name", "content_type", "is_image")) == [
        ("a.jpg", "image/jpeg", True),
        ("b.png", "image/png", True),
        ("c.webp", "image/webp", True),
        ("d.pdf", "application/pdf", False),
        ("e.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", False),
    ]
    stored = Evidence.objects.get(name="d.pdf")
    folder, _sep, name = stored.file.name.rpartition("/")
    assert folder.startswith("evidence/") and re.fullmatch(r"[0-9a-f]{32}\.pdf", name)  # an unguessable name
    response = client.get(stored.get_absolute_url())
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content).startswith(b"%PDF-")  # read to the end: the client closes it


def test_photos_lose_their_metadata_and_get_a_thumbnail(client, fx, item):
    client.force_login(fx.secretary_a)
    assert post(client, item, [photo("gps.jpg", size=(3000, 2000), exif=True)]).status_code == 302
    evidence = Evidence.objects.get()
    with evidence.file.open("rb") as stored, Image.open(stored) as image:
        assert not image.getexif()
        assert max(image.size) == 2048
    with evidence.thumbnail.open("rb") as thumb, Image.open(thumb) as image:
        assert image.format == "JPEG" and max(image.size) == 400


def test_a_file_over_10_mb(client, fx, item):
    client.force_login(fx.secretary_a)
    before = state()
    response = post(client, item, [pdf("big.pdf", size=MAX_FILE_BYTES + 1)])
    assert response.status_code == 200
    assert files_errors(response) == [
        zh("“%(name)s” is larger than 10 MB: make it smaller and add it again.") % {"name": "big.pdf"}
    ]
    assert state() == before
    item.refresh_from_db()
    assert item.progress == 0


@pytest.mark.parametrize(
    ("upload", "reason"),
    [
        (SimpleUploadedFile("report.pdf", b"MZ\x90\x00\x03 an executable", content_type="application/pdf"), "mismatch"),
        (photo("photo.jpg", "PNG"), "mismatch"),  # a PNG called .jpg
        (
            SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n" + b"not a picture", content_type="image/png"),
            "mismatch",
        ),
        (office_file("table.xlsx", "word/document.xml"), "mismatch"),  # a Word file called .xlsx
        (SimpleUploadedFile("sheet.docx", b"PK\x03\x04 broken zip", content_type="application/msword"), "mismatch"),
        (SimpleUploadedFile("script.html", b"<script>alert(1)</script>", content_type="image/jpeg"), "type"),
        (SimpleUploadedFile("noextension", b"%PDF-1.4", content_type="application/pdf"), "type"),
    ],
    ids=["exe-as-pdf", "png-as-jpg", "fake-png", "docx-as-xlsx", "broken-docx", "html", "no-extension"],
)
def test_a_type_disguised_by_its_extension(client, fx, item, upload, reason):
    client.force_login(fx.secretary_a)
    before = state()
    response = post(client, item, [upload])
    assert response.status_code == 200
    msgid = {
        "mismatch": (
            "The content of “%(name)s” is not what its extension says: open it on your device and save it again."
        ),
        "type": "“%(name)s” is not a photo (jpg, png, webp) or a document (pdf, doc, docx, xls, xlsx).",
    }[reason]
    assert files_errors(response) == [zh(msgid) % {"name": upload.name}]
    assert state() == before


def test_too_many_files(client, fx, item):
    client.force_login(fx.secretary_a)
    before = state()
    response = post(client, item, [pdf(f"{i}.pdf") for i in range(6)])
    assert response.status_code == 200
    assert files_errors(response) == [
        zh("At most %(max)s files at once: you chose %(count)s.") % {"max": 5, "count": 6}
    ]
    assert state() == before


def test_one_bad_file_refuses_the_whole_update(client, fx, item):
    client.force_login(fx.secretary_a)
    before = state()
    response = post(
        client, item, [pdf("good.pdf"), SimpleUploadedFile("bad.jpg", b"GIF89a", content_type="image/jpeg")]
    )
    assert response.status_code == 200
    assert "text" not in response.context["form"].errors
    assert state() == before


def test_evidence_is_served_only_within_the_scope(client, fx, item):
    client.force_login(fx.secretary_a)
    post(client, item, [pdf("scoped.pdf")])
    evidence = Evidence.objects.get()
    client.force_login(fx.secretary_b)
    assert client.get(evidence.get_absolute_url()).status_code == 404
    client.force_login(fx.member_user)  # a member sees only their own commitments
    assert client.get(evidence.get_absolute_url()).status_code == 404
    client.logout()
    assert client.get(evidence.get_absolute_url()).status_code == 302
