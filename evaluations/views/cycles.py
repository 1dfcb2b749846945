"""The review cycle a page shows: ``?cycle=<id>`` among the cycles the user sees, else the current one."""

from django.http import Http404

from ..models import current_cycle


def chosen_cycle(request, cycles, strict=False):
    """The cycle named by ``?cycle=`` among ``cycles``, or the current one of the newest campaign when none is
    named. A named cycle that is not among them: 404 when ``strict``, else the current one."""
    wanted = request.GET.get("cycle", "")
    cycle = next((c for c in cycles if str(c.pk) == wanted), None)
    if cycle is None and wanted and strict:
        raise Http404
    return cycle or current_cycle(cycles)
