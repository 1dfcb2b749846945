"""The abstract model of an uploaded private attachment (a plan's file, a nomination's material)."""

from pathlib import PurePath

from django.conf import settings
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from portal.storage import private_path, private_storage

from .audit import AuditEntry


class PrivateAttachment(models.Model):
    """A file uploaded to a record (its ``owner``), in the private storage: downloaded only through a scoped view.

    A subclass names the foreign key to its owner (``owner_field``) and the storage folder of its files
    (``private_folder``, which ``private_path`` reads). The uploader's file name is kept in ``name``; the
    stored name is random.
    """

    owner_field: str
    private_folder: str

    file = models.FileField(_("file"), upload_to=private_path, storage=private_storage, max_length=200)
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.name

    @property
    def owner(self):
        return getattr(self, self.owner_field)

    @classmethod
    def add(cls, owner, actor, upload, **fields):
        """Store an upload (already checked for type and size by the form) with ``owner``, in its audit trail.

        The file is written first; if the row or its audit entry cannot be saved, the file goes again.
        """
        from portal.audit import record

        name = PurePath(upload.name).name[:200]
        attachment = cls(name=name, size=upload.size, uploaded_by=actor, **{cls.owner_field: owner}, **fields)
        attachment.file.save(name, upload, save=False)
        try:
            with transaction.atomic():
                attachment.save()
                record(actor, owner, AuditEntry.Verb.UPDATE, {"attachments": ["", name]})
        except Exception:
            attachment.file.delete(save=False)
            raise
        return attachment

    def remove(self, actor):
        """Delete the attachment, in its owner's audit trail; its file goes once the deletion is committed."""
        from portal.audit import record

        file, owner = self.file, self.owner
        with transaction.atomic():
            self.delete()
            record(actor, owner, AuditEntry.Verb.UPDATE, {"attachments": [self.name, ""]})
            transaction.on_commit(lambda: file.storage.delete(file.name))
