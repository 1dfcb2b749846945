"""Service tests: real PostgreSQL, real Redis, a real Celery worker process.

bin/run-tests sets DATABASE_URL and TEST_REDIS_URL when the services answer on this machine;
without them these tests skip and say why.
"""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def redis_url():
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("no Redis: set TEST_REDIS_URL (bin/run-tests does when Redis answers on 127.0.0.1:6379)")
    return url


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): the worker process must share the test database")


def _database_url():
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    """A Celery worker process on its own queue, fed through a sender app on the same broker."""

    def __init__(self, broker, queue, process):
        self.queue = queue
        self.process = process
        self.sender = Celery("test-sender", broker=broker)

    def send(self, name, *args, **kwargs):
        return self.sender.send_task(name, args=args, kwargs=kwargs, queue=self.queue)


def wait_for(condition, timeout=30, what="the worker's effect"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@pytest.fixture
def celery_worker_process(redis_url, postgres, transactional_db, tmp_path):
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": redis_url,
        "CELERY_TASK_DEFAULT_QUEUE": queue,  # what the worker's own tasks queue (the outbox relay) stays with it
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
        "DB_CONN_MAX_AGE": "0",
    }
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115 - closed below, after the process ends
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
            "--loglevel=INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    worker = Worker(redis_url, queue, process)
    worker.log_path = tmp_path / "worker.log"
    worker.mail_dir = tmp_path / "mail"
    try:
        started = lambda: "ready" in worker.log_path.read_text() or process.poll() is not None  # noqa: E731
        wait_for(started, what="the worker to start")
        assert process.poll() is None, worker.log_path.read_text()
        yield worker
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        connection.close()  # the worker's connections are gone; let the flush open a fresh one
