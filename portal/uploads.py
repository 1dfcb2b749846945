"""Uploaded files: which kind a file is, decided by its content, never by the type the browser sends.

A file's extension names the kind it claims to be; its first bytes must agree (``head_matches``).
``check_content`` goes further: an Office file must be a zip holding that program's parts, a photo must
open in Pillow as that format and have no more pixels than a photo. Each form chooses the kinds and the
checks it needs and says in its own words what is wrong (campaigns' plan attachments, commitments'
evidence).
"""

import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath

from PIL import Image, UnidentifiedImageError

MAX_BYTES = 10 * 1024 * 1024  # the largest file any upload takes
MAX_IMAGE_PIXELS = 60_000_000  # a 10 MB photo never has more; a "decompression bomb" has

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the container of .doc and .xls
ZIP = b"PK\x03\x04"  # the container of .docx and .xlsx
HEAD_BYTES = 16


def _is_webp(head):
    return head[:4] == b"RIFF" and head[8:12] == b"WEBP"


@dataclass(frozen=True)
class FileType:
    content_type: str
    head_matches: Callable[[bytes], bool]  # the test of the file's first HEAD_BYTES bytes
    image_format: str | None = None  # Pillow's name of the format, for photos
    zip_member: str | None = None  # a part the zip of an Office file holds


FILE_TYPES = {
    "jpg": FileType("image/jpeg", lambda h: h[:3] == b"\xff\xd8\xff", "JPEG"),
    "jpeg": FileType("image/jpeg", lambda h: h[:3] == b"\xff\xd8\xff", "JPEG"),
    "png": FileType("image/png", lambda h: h[:8] == b"\x89PNG\r\n\x1a\n", "PNG"),
    "webp": FileType("image/webp", _is_webp, "WEBP"),
    "pdf": FileType("application/pdf", lambda h: h[:5] == b"%PDF-"),
    "doc": FileType("application/msword", lambda h: h[:8] == OLE2),
    "xls": FileType("application/vnd.ms-excel", lambda h: h[:8] == OLE2),
    "docx": FileType(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        lambda h: h[:4] == ZIP,
        zip_member="word/document.xml",
    ),
    "xlsx": FileType(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        lambda h: h[:4] == ZIP,
        zip_member="xl/workbook.xml",
    ),
}


class ContentMismatch(Exception):
    """The content is not what the extension says."""


class TooManyPixels(Exception):
    """A photo with more pixels than any photo of at most ``MAX_BYTES`` has."""


def extension(upload):
    """The extension the file's name claims, lowercase and without the dot: "pdf"; "" without one."""
    return PurePath(upload.name).suffix.lower().lstrip(".")


def head_matches(upload, ext):
    """Whether the first bytes of ``upload`` are those of a file of kind ``ext`` (a key of ``FILE_TYPES``)."""
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    return FILE_TYPES[ext].head_matches(head)


def check_content(upload, ext):
    """Raise ``ContentMismatch`` unless ``upload`` is a file of kind ``ext`` by its first bytes and, for Office
    files and photos, by what it holds; ``TooManyPixels`` for a photo too large to be one. Leaves the file at
    its start."""
    file_type = FILE_TYPES[ext]
    if not head_matches(upload, ext):
        raise ContentMismatch
    if file_type.zip_member:
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            raise ContentMismatch from None
        finally:
            upload.seek(0)
        if "[Content_Types].xml" not in names or file_type.zip_member not in names:
            raise ContentMismatch
    if file_type.image_format:
        try:
            with Image.open(upload) as image:
                if image.format != file_type.image_format:
                    raise ContentMismatch
                if image.width * image.height > MAX_IMAGE_PIXELS:
                    raise TooManyPixels
                image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
            raise ContentMismatch from None
        finally:
            upload.seek(0)
