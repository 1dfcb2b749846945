from celery import shared_task
from django.conf import settings

from . import audit


@shared_task
def purge_old_audit():
    """Daily: drop audit entries past the retention period (at least 180 days)."""
    return audit.purge(settings.AUDIT_RETENTION_DAYS)


@shared_task(ignore_result=True)
def run_import(job_id, confirm=False):
    """Validate (and with ``confirm`` write) an uploaded roll file: see ``portal.roll_import``."""
    from .roll_import import run_job

    run_job(job_id, confirm)
