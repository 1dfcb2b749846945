"""Optimistic locking: concurrent edits never silently overwrite each other."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StaleEdit(Exception):
    """Somebody saved the object after this editor loaded it."""

    message = _(
        "Someone else changed this record while you were editing it. Your input is kept below: "
        "reload the page to see their change, then apply yours again."
    )


class VersionedModel(models.Model):
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True

    def save_checked(self, expected_version, update_fields=None):
        """Save only if the stored version is still ``expected_version``; else raise StaleEdit.

        The check and the write are one conditional UPDATE, so two concurrent saves cannot both pass.
        """
        expected_version = int(expected_version)
        fields = update_fields or [
            f.attname for f in self._meta.concrete_fields if not f.primary_key and f.attname != "version"
        ]
        values = {name: getattr(self, name) for name in fields}
        updated = (
            type(self)
            ._base_manager.filter(pk=self.pk, version=expected_version)
            .update(version=expected_version + 1, **values)
        )
        if not updated:
            raise StaleEdit()
        self.version = expected_version + 1
