"""The user's own notifications (the bell's page): list them, mark one or all read. Nobody sees another's."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import notifications
from ..models import Notification

PAGE_SIZE = 20


@login_required
def notification_list(request):
    page = Paginator(Notification.objects.of(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "portal/notification_list.html", {"page": page})


def _own(request, pk):
    """The user's own notification; anyone else's answers 404 and is logged as a refused access."""
    notification = Notification.objects.of(request.user).filter(pk=pk).first()
    if notification is None:
        request.scope.refused(Notification, {"pk": pk})
        raise Http404
    return notification


@login_required
@require_POST
def notification_read(request, pk):
    """Mark read; with ``open``, go on to the page the notification points at."""
    notification = _own(request, pk)
    notifications.mark_read(request.user, notification)
    url = notification.url
    if "open" in request.POST and url and url_has_allowed_host_and_scheme(url, allowed_hosts=None):
        return redirect(url)
    return redirect(_back(request))


@login_required
@require_POST
def notification_read_all(request):
    count = notifications.mark_all_read(request.user)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect(_back(request))


def _back(request):
    """The list again, at the page the user was on."""
    page, url = request.POST.get("page", ""), reverse("portal:notifications")
    return f"{url}?page={page}" if page.isdigit() else url
