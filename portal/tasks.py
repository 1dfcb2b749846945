from celery import shared_task
from django.conf import settings

from . import audit


@shared_task
def purge_old_audit():
    """Daily: drop audit entries past the retention period (at least 180 days)."""
    return audit.purge(settings.AUDIT_RETENTION_DAYS)
