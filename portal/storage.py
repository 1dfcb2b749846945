"""Storage for files with personal data: outside MEDIA_ROOT, never given a URL, served only by views
that check the requester's scope. Its folder follows ``settings.PRIVATE_ROOT`` (tests move it)."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage


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
