"""The transactional outbox: queue Celery work so that a broker outage never breaks a user's action.

Instead of ``task.delay(...)`` inside a request, write::

    outbox.enqueue("portal.tasks.run_export", job.pk)

in the same transaction as the action. The message is a row (``OutboxMessage``): it commits or rolls
back with the action. After the commit it is published at once if the broker answers; if it does
not (Redis down, a network cut), the action has still succeeded, and the message waits until the
relay (``portal.tasks.relay_outbox``: every minute from beat, and at the end of each reminder pass)
publishes it.

Exactly once: whoever publishes a message first takes its row lock
(``select_for_update(skip_locked=True)``) and marks it sent in the same transaction, so two relays
and the after-commit publisher never publish the same row twice. If the process dies after
publishing but before the commit, the message is published again later: every task queued this way
is idempotent (it claims its own work with a conditional UPDATE), so that costs nothing.

Without a broker (the embedded default, ``CELERY_TASK_ALWAYS_EAGER``) the task runs in-process right
after the commit, like ``delay()`` would.
"""

import logging
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .celery import app
from .models import OutboxMessage

logger = logging.getLogger(__name__)

BATCH = 100


def enqueue(task, *args, publish=True, **kwargs):
    """Write a message for ``task`` (a task or its name) with JSON arguments; publish it after commit.

    ``publish=False`` leaves it to the next relay (a pass writing many messages relays them together).
    """
    name = task if isinstance(task, str) else task.name
    message = OutboxMessage.objects.create(task=name, args=list(args), kwargs=kwargs)
    if publish:
        transaction.on_commit(lambda: relay(pks=[message.pk]))
    return message


def relay(pks=None, limit=None):
    """Publish pending messages (or only those of ``pks``), oldest first; returns how many went out.

    Stops at the first broker error: the rest wait for the next relay. Never raises for a broker
    error, so an after-commit publish cannot fail the request that wrote the message.
    """
    published = 0
    while limit is None or published < limit:
        size = BATCH if limit is None else min(BATCH, limit - published)
        done, failed = _relay_batch(pks, size)
        published += done
        if failed or done < size:
            break
    return published


def _pending(pks):
    rows = OutboxMessage.objects.pending().order_by("pk")
    return rows.filter(pk__in=pks) if pks is not None else rows


def _relay_batch(pks, size):
    """One transaction: lock up to ``size`` pending rows nobody else holds, publish them, mark them sent."""
    now = timezone.now()
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return _run_eagerly(pks, size, now)
    with transaction.atomic():
        batch = list(_pending(pks).select_for_update(skip_locked=True)[:size])
        if not batch:
            return 0, False
        with _publisher() as publish:
            for done, message in enumerate(batch):
                try:
                    publish(message)
                except Exception as error:  # the broker did not answer: the rest waits for the next relay
                    logger.warning("outbox: broker unavailable, %s waits for the relay (%s)", message, error)
                    OutboxMessage.objects.filter(pk=message.pk).update(
                        attempts=message.attempts + 1, last_error=_describe(error)
                    )
                    return done, True
                OutboxMessage.objects.filter(pk=message.pk).update(sent_at=now, attempts=message.attempts + 1)
    return len(batch), False


def _describe(error):
    return f"{error.__class__.__name__}: {error}"[:500]


def _run_eagerly(pks, size, now):
    """No broker: claim each message with a conditional UPDATE, then run its task here, after the claim."""
    batch = list(_pending(pks)[:size])
    done = 0
    for message in batch:
        if not OutboxMessage.objects.filter(pk=message.pk, sent_at__isnull=True).update(
            sent_at=now, attempts=message.attempts + 1
        ):
            continue  # someone else ran it
        done += 1
        # Like a worker: retries run (here at once), a failure is logged, the message counts as delivered.
        result = app.tasks[message.task].apply(args=message.args, kwargs=message.kwargs, throw=False)
        if result.failed():
            logger.error("outbox: task %s failed: %r", message, result.result)
            OutboxMessage.objects.filter(pk=message.pk).update(last_error=_describe(result.result))
    return done, False


@contextmanager
def _publisher():
    """A function publishing one message over one broker connection that gives up at once when refused.

    The connection is made from the settings at call time (not Celery's cached pool), with no
    connection retries: a user waits for no retry loop when Redis is down.
    """
    timeout = settings.OUTBOX_CONNECT_TIMEOUT
    options = {**settings.CELERY_BROKER_TRANSPORT_OPTIONS, "max_retries": 0}
    options.update(socket_connect_timeout=timeout, socket_timeout=timeout)  # a hung Redis: no endless wait
    with app.connection_for_write(
        url=settings.CELERY_BROKER_URL, connect_timeout=timeout, transport_options=options
    ) as connection:

        def publish(message):
            app.send_task(
                message.task,
                args=message.args,
                kwargs=message.kwargs,
                connection=connection,
                retry=False,
                ignore_result=True,
                queue=settings.CELERY_TASK_DEFAULT_QUEUE,
            )

        yield publish


def pending_count():
    return OutboxMessage.objects.pending().count()


def purge(days=7):
    """Drop messages published more than ``days`` ago (the pending ones stay, whatever their age)."""
    cutoff = timezone.now() - timedelta(days=days)
    return OutboxMessage.objects.filter(sent_at__lt=cutoff).delete()[0]
