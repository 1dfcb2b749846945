from django.conf import settings

from . import notifications


def portal(request):
    user = getattr(request, "user", None)
    return {
        "PORTAL_NAME": settings.PORTAL_NAME,
        # Called only where a template shows it (the navbar's bell): cached, see notifications.unread_count.
        "unread_notifications": (lambda: notifications.unread_count(user)) if user is not None else 0,
    }
