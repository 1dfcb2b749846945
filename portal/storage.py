"""Private files: files with personal data, kept outside MEDIA_ROOT, never given a URL, served only by views
that check the requester's scope.

- ``PrivateStorage``, configured as ``settings.STORAGES["private"]``: its folder follows
  ``settings.PRIVATE_ROOT`` (tests move it);
- ``private_storage``: the callable every private ``FileField`` names as its ``storage``;
- ``private_path``: the ``upload_to`` of those fields: a random name in the model's ``private_folder``;
- ``private_file_response``: a view's download of such a file, once the view has checked scope.

The abstract model of an uploaded attachment is ``portal.models.PrivateAttachment``.
"""

import mimetypes
import secrets
from pathlib import PurePath

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.functional import LazyObject, empty


class PrivateStorage(FileSystemStorage):
    def __init__(self, **kwargs):
        kwargs["base_url"] = None
        super().__init__(**kwargs)

    @property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_ROOT)

    @property
    def location(self):
        return str(self.base_location)

    def url(self, name):
        raise ValueError("private files have no URL; serve them through a view that checks scope")


class _LazyPrivateStorage(LazyObject):
    """``settings.STORAGES["private"]``, looked up when first used."""

    def _setup(self):
        self._wrapped = storages["private"]


_PRIVATE_STORAGE = _LazyPrivateStorage()


@receiver(setting_changed)
def _private_storage_changed(*, setting, **kwargs):
    """Like Django's ``default_storage``: a changed STORAGES setting (in tests) is picked up."""
    if setting == "STORAGES":
        _PRIVATE_STORAGE._wrapped = empty


def private_storage():
    """The storage of every private file field (``storage=private_storage``; migrations name this callable).

    A field keeps what its callable returned, so this returns a lazy object that follows a changed
    ``STORAGES`` setting rather than ``storages["private"]`` itself.
    """
    return _PRIVATE_STORAGE


def private_path(instance, filename):
    """``upload_to`` of private files: ``<private_folder>/YYYY/MM/<random hex><suffix>``.

    The folder is the model's ``private_folder`` attribute (``"plans"``, ``"awards"`` …). The uploader's
    file name is kept, if at all, only as data on the row: it never reaches the disk. (Migrations' historical
    models have no ``private_folder``: a data migration that writes such a file names it itself.)
    """
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"{instance.private_folder}/{timezone.now():%Y/%m}/{secrets.token_hex(16)}{suffix}"


def private_file_response(file, filename):
    """Download a private file (a ``FieldFile``) as ``filename``; 404 when the file is gone from the disk.

    The caller has already found the row through the scope layer.
    """
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
