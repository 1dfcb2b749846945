"""Export jobs: one run of a registered exporter, from the request to the expiring file."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.storage import private_storage

from .audit import AuditEntry
from .organizations import Organization

FINISHED_FIELDS = ["file", "file_name", "size", "sha256", "fingerprint", "status", "finished_at", "expires_at"]


class ExportJobQuerySet(models.QuerySet):
    def visible_to(self, scope):
        """A job is seen by its requester only; a file never travels by a shared link."""
        return self.filter(requested_by_id=scope.user.pk)


class ExportJob(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    exporter = models.CharField(_("export"), max_length=60)
    title = models.CharField(_("title"), max_length=200)
    organization = models.ForeignKey(
        Organization, models.CASCADE, related_name="+", verbose_name=_("organization and subordinates")
    )
    params = models.JSONField(default=dict, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="export_jobs")
    language = models.CharField(max_length=10, default=settings.LANGUAGE_CODE)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    file = models.FileField(upload_to="exports/%Y/%m/", storage=private_storage, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, blank=True)
    fingerprint = models.CharField(
        _("content fingerprint"),
        max_length=64,
        blank=True,
        help_text=_("SHA-256 of the exported data, written into the file itself so a copy can be checked."),
    )
    error = models.CharField(_("error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["requested_by", "-created_at"], name="portal_exportjob_requester"),
            models.Index(fields=["status", "expires_at"], name="portal_exportjob_expiry"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("portal:export_list")

    @classmethod
    def start(cls, user, exporter, organization, params, title, language):
        """Record a job and queue it for a worker, in one transaction: a broker outage fails neither (the
        outbox relays the message later)."""
        from django.db import transaction

        from portal import outbox
        from portal.tasks import run_export

        with transaction.atomic():
            job = cls.objects.create(
                exporter=exporter,
                title=title,
                organization=organization,
                params=params,
                requested_by=user,
                language=language,
            )
            outbox.enqueue(run_export, job.pk)
        return job

    def retry(self, user, language):
        """A failed or expired job run again, as a new job with the same parameters."""
        return self.start(user, self.exporter, self.organization, self.params, self.title, language)

    def record_download(self, user):
        """Files of personal data leaving the portal are audited: who downloaded which file, with its hash."""
        from portal.audit import record

        changes = {"file_name": self.file_name, "sha256": self.sha256}
        record(user, self, AuditEntry.Verb.EXPORT, changes, organization=self.organization)

    @property
    def percentage(self):
        if self.status == self.Status.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, int(100 * self.rows_done / self.rows_total))

    @property
    def ready(self):
        return self.status == self.Status.DONE and (self.expires_at is None or self.expires_at > timezone.now())

    def claim(self):
        """Take the job for running, once: a conditional UPDATE, so a redelivered task does nothing."""
        claimed = ExportJob.objects.filter(pk=self.pk, status=self.Status.PENDING).update(
            status=self.Status.RUNNING, started_at=timezone.now()
        )
        self.refresh_from_db()
        return bool(claimed)

    def report_progress(self, done, total):
        ExportJob.objects.filter(pk=self.pk).update(rows_done=done, rows_total=total)

    def finish(self, name, content, sha256, fingerprint):
        """Store the finished file and mark the job done. If storing or saving fails, the stored part is
        deleted again: a file no job record offers would never be cleaned up."""
        try:
            self.file.save(name, content, save=False)
            self.file_name = name
            self.size = self.file.size
            self.sha256 = sha256
            self.fingerprint = fingerprint
            self.status = self.Status.DONE
            self.finished_at = timezone.now()
            self.expires_at = self.finished_at + timedelta(days=settings.EXPORT_KEEP_DAYS)
            # Not the row counts: report_progress keeps those up to date in the database.
            self.save(update_fields=FINISHED_FIELDS)
        except BaseException:
            if self.file.name and self.file.storage.exists(self.file.name):
                self.file.storage.delete(self.file.name)
            self.file = ""
            raise

    @classmethod
    def delete_orphan_files(cls, before):
        """Delete stored export files no job refers to, last changed before ``before``; returns their names.

        They come from jobs deleted with their requester or organization (the rows cascade, the files
        stay), and from a worker killed while storing a file. A file being stored right now is younger
        than ``before`` (the clean-up passes a moment longer ago than an export may run).
        """
        storage = cls._meta.get_field("file").storage
        known = set(cls.objects.exclude(file="").values_list("file", flat=True))
        deleted = []
        for name in _walk(storage, "exports"):
            if name not in known and storage.get_modified_time(name) < before:
                storage.delete(name)
                deleted.append(name)
        return deleted

    def fail(self, message):
        ExportJob.objects.filter(pk=self.pk).update(
            status=self.Status.FAILED, error=str(message)[:500], finished_at=timezone.now()
        )
        self.refresh_from_db()


def _walk(storage, folder):
    """The names of the files under ``folder`` of ``storage``, in every subfolder."""
    if not storage.exists(folder):
        return
    folders, files = storage.listdir(folder)
    for name in files:
        yield f"{folder}/{name}"
    for sub in folders:
        yield from _walk(storage, f"{folder}/{sub}")
