import datetime

import pytest
from django.test import Client
from django.utils import timezone

from portal.models import AuditEntry

from .conftest import wait_for

pytestmark = pytest.mark.services


def test_a_real_worker_takes_a_task_from_redis_and_writes_postgresql(celery_worker_process):
    old = AuditEntry.objects.create(verb="login", actor_name="old")
    AuditEntry.objects.filter(pk=old.pk).update(at=timezone.now() - datetime.timedelta(days=400))
    recent = AuditEntry.objects.create(verb="login", actor_name="recent")

    celery_worker_process.send("portal.tasks.purge_old_audit")

    wait_for(lambda: not AuditEntry.objects.filter(pk=old.pk).exists(), what="the old audit entry to be purged")
    assert AuditEntry.objects.filter(pk=recent.pk).exists()
    assert "purge_old_audit" in celery_worker_process.log_path.read_text()


def test_healthz_reports_a_reachable_broker(redis_url, postgres, transactional_db, settings):
    settings.CELERY_BROKER_URL = redis_url
    body = Client().get("/healthz").json()
    assert body == {"database": "ok", "broker": "ok"}
