import hashlib
import logging
import tempfile
from datetime import date, timedelta
from pathlib import Path

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files import File
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from . import audit, exporting
from .models import ExportJob, ImportJob

logger = logging.getLogger(__name__)


@shared_task
def purge_old_audit():
    """Daily: drop audit entries past the retention period (at least 180 days)."""
    return audit.purge(settings.AUDIT_RETENTION_DAYS)


@shared_task(
    bind=True,
    acks_late=True,
    throws=(exporting.ExportError,),
    soft_time_limit=settings.EXPORT_TIME_LIMIT,
    time_limit=settings.EXPORT_TIME_LIMIT + 60,
)
def run_export(self, job_id):
    """Run one export job: claim it, re-check the requester's scope, write to a temporary file,
    and only then store it. Any failure leaves the job failed with a message, never a partial file."""
    from .scope import Scope

    job = ExportJob.objects.select_related("organization", "requested_by").get(pk=job_id)
    if not job.claim():
        return job.status  # already taken: a redelivery or a second worker
    exporter_class = exporting.get(job.exporter)
    try:
        with translation.override(job.language):
            if exporter_class is None:
                raise exporting.ExportError(_("This export no longer exists."))
            if not Scope(job.requested_by).allows(exporter_class.action, job.organization):
                raise exporting.ExportError(_("You may no longer export data of this organization."))
            exporter = exporter_class(job, progress=job.report_progress)
            with tempfile.TemporaryFile() as spool:
                exporter.write(spool)
                spool.seek(0)
                digest = hashlib.file_digest(spool, "sha256").hexdigest()
                spool.seek(0)
                job.finish(exporter.file_name(), File(spool), digest, exporter.fingerprint.hexdigest())
    except exporting.ExportError as error:
        job.fail(error)
    except SoftTimeLimitExceeded:
        with translation.override(job.language):
            job.fail(_("The export took too long and was stopped. Choose a smaller organization or period."))
    except Exception:
        logger.exception("export %s failed", job.pk)
        with translation.override(job.language):
            job.fail(_("The export failed because of an error in the portal. The administrators have been told."))
    tell_requester(job)
    # No close_old_connections() here: in a worker Celery's Django fix-up closes stale connections
    # around every task, and run eagerly (or in a test) the connection belongs to the caller.
    return job.status


def tell_requester(job):
    """A notification to the requester (the bell, and its e-mail copy): the file is ready, or why it failed.
    A failure to notify is logged; it never changes the job."""
    from . import notifications

    with translation.override(job.language):
        if job.status == ExportJob.Status.DONE:
            title = _("Your export is ready: %(title)s") % {"title": job.title}
            until = date_format(timezone.localtime(job.expires_at), "Y-m-d H:i")
            body = _("Download it in the download centre; it is kept until %(date)s.") % {"date": until}
        else:
            title, body = _("Your export failed: %(title)s") % {"title": job.title}, job.error
    try:
        notifications.notify([job.requested_by], title, body, url=reverse("portal:export_list"))
    except Exception:
        logger.exception("export %s: the requester could not be notified", job.pk)


def sweep_spooled_sheets(before):
    """Delete the sheets openpyxl's write-only mode spooled to the temporary folder (``openpyxl.*``) and left
    there when a worker was killed mid-export; a live export writes to its file, so it is never that old."""
    swept = []
    for path in Path(tempfile.gettempdir()).glob("openpyxl.*"):
        try:
            if path.is_file() and path.stat().st_mtime < before.timestamp():
                path.unlink()
                swept.append(path.name)
        except FileNotFoundError:  # openpyxl removed it meanwhile
            continue
    return swept


@shared_task
def clean_up_exports():
    """Hourly: delete expired files, files no job refers to and spooled sheets killed workers left behind,
    and fail jobs a killed worker left running past the time limit."""
    now = timezone.now()
    for job in ExportJob.objects.filter(status=ExportJob.Status.DONE, expires_at__lt=now).iterator():
        job.file.delete(save=False)
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.EXPIRED, file="")
    stale = now - timedelta(seconds=settings.EXPORT_TIME_LIMIT + 300)
    for name in ExportJob.delete_orphan_files(before=stale):
        logger.info("export clean-up: deleted %s, which no job refers to", name)
    for name in sweep_spooled_sheets(before=stale):
        logger.info("export clean-up: deleted the spooled sheet %s of an interrupted export", name)
    with translation.override(settings.LANGUAGE_CODE):
        interrupted = _("The export was interrupted. Start it again.")
    return ExportJob.objects.filter(status=ExportJob.Status.RUNNING, started_at__lt=stale).update(
        status=ExportJob.Status.FAILED, error=interrupted, finished_at=now
    )


@shared_task
def clean_up_imports():
    """Daily: delete uploaded roll files (personal data) once their job is older than IMPORT_KEEP_DAYS."""
    return ImportJob.discard_old_files(before=timezone.now() - timedelta(days=settings.IMPORT_KEEP_DAYS))


@shared_task(ignore_result=True)
def warm_dashboards():
    """A little more often than the figures expire: the dashboards of large areas computed ahead."""
    from .home_figures import warm

    return warm()


@shared_task(ignore_result=True, acks_late=True)
def run_import(job_id, confirm=False):
    """Validate (and with ``confirm`` write) an uploaded roll file: see ``portal.roll_import``."""
    from .roll_import import run_job

    run_job(job_id, confirm)


# --- notifications, reminders and the outbox (queued through portal.outbox, so idempotent) -------


@shared_task(bind=True, ignore_result=True, acks_late=True, max_retries=5)
def deliver_notification(self, notification_id):
    """Send a notification's e-mail and SMS copies; each channel goes out once (see ``notifications.deliver``)."""
    from . import notifications

    try:
        notifications.deliver(notification_id)
    except notifications.DeliveryFailed as failure:
        if self.request.retries >= self.max_retries:
            logger.error("notification %s: delivery given up: %s", notification_id, failure)
            return
        countdown = min(60 * 2**self.request.retries, settings.CELERY_TASK_RETRY_MAX_SECONDS)
        raise self.retry(countdown=countdown, exc=failure) from failure


@shared_task(ignore_result=True, acks_late=True)
def relay_outbox():
    """Every minute: publish the outbox messages the broker could not take when they were written."""
    from . import outbox

    return outbox.relay()


@shared_task(acks_late=True)
def run_reminders(day=None):
    """Daily (beat, 07:30): one reminder pass for ``day`` (ISO date; default today), then the relay.

    Running it twice, or in two workers at once, sends nothing twice: see ``portal/reminder_pass.py``.
    """
    from . import reminder_pass

    return reminder_pass.run_pass(date.fromisoformat(day) if day else None).as_dict()
