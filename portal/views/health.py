from django.conf import settings
from django.db import connection
from django.http import JsonResponse


def healthz(request):
    """Database and broker reachability as JSON; 200 when the database answers."""
    status = {"database": _database(), "broker": _broker()}
    return JsonResponse(status, status=200 if status["database"] == "ok" else 503)


def _database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception as error:  # any failure means "not reachable"; the message helps the operator
        return f"error: {error.__class__.__name__}"


def _broker():
    if not settings.CELERY_BROKER_URL:
        return "eager"  # no broker configured: tasks run in-process
    from portal.celery import app

    try:
        with app.connection_for_write(url=settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception as error:
        return f"error: {error.__class__.__name__}"
