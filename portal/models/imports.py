"""Import jobs: one uploaded roll file (organizations or members), from upload to the last written row."""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.storage import private_storage

from .organizations import Organization


def upload_path(job, filename):
    """Stored under the job's code: the user's file name is kept only as data (``file_name``)."""
    return f"imports/{job.code}.xlsx"


class ImportJobQuerySet(models.QuerySet):
    def visible_to(self, scope):
        """A job is seen by its creator, and by administrators."""
        return self if scope.is_admin() else self.filter(created_by_id=scope.user.pk)


class ImportJob(models.Model):
    class Kind(models.TextChoices):
        ORGANIZATIONS = "organizations", _("Organizations")
        MEMBERS = "members", _("Members")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        VALIDATING = "validating", _("Checking")
        VALID = "valid", _("Ready to import")
        INVALID = "invalid", _("Has errors")
        IMPORTING = "importing", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")

    RUNNING = (Status.PENDING, Status.VALIDATING, Status.IMPORTING)

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to=upload_path, storage=private_storage)
    file_name = models.CharField(_("file name"), max_length=200)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    organization = models.ForeignKey(
        Organization,
        models.PROTECT,  # never SET_NULL: an emptied limit would widen the import to the whole area
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("limited to"),
        help_text=_("Rows may only name this organization and its subordinates; empty: the creator's whole area."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="import_jobs", verbose_name=_("uploaded by")
    )
    language = models.CharField(max_length=10, default=settings.LANGUAGE_CODE)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    imported_rows = models.PositiveIntegerField(_("rows imported"), default=0)
    errors = models.JSONField(default=list, blank=True)  # [{"row", "column", "message"}], the first MAX_ERRORS
    preview = models.JSONField(default=list, blank=True)  # the first rows as text, for the confirmation page
    summary = models.JSONField(default=list, blank=True)  # [label, count] pairs
    progress = models.PositiveSmallIntegerField(_("progress"), null=True, blank=True)  # None: not yet known
    message = models.CharField(_("message"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_by", "-created_at"], name="portal_importjob_creator")]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.file_name}"

    def get_absolute_url(self):
        return reverse("portal:roll_import_job", args=[self.code])

    @property
    def running(self):
        return self.status in self.RUNNING

    @classmethod
    def discard_old_files(cls, before):
        """Delete the uploaded files (personal data) of jobs uploaded before ``before`` that no longer run; a job
        still waiting for its confirmation fails, saying why. Returns how many files went."""
        from django.utils.translation import gettext, override

        old = cls.objects.filter(created_at__lt=before).exclude(file="").exclude(status__in=cls.RUNNING)
        count = 0
        for job in old.iterator():
            job.file.delete(save=False)
            if job.status == cls.Status.VALID:
                with override(job.language):
                    message = gettext("The file waited too long for its confirmation and was deleted: upload it again.")
                cls.objects.filter(pk=job.pk).update(status=cls.Status.FAILED, message=message, file="")
            else:
                cls.objects.filter(pk=job.pk).update(file="")
            count += 1
        return count
