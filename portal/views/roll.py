"""Import and export of the roll: upload, the job page and its status, templates, the member export."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import roll_export, roll_import
from ..audit import record
from ..forms import MemberFilterForm
from ..models import AuditEntry, ImportJob, Member
from ..roll_format import SPECS
from .members import filtered_members
from .organizations import scope_roots

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RECENT_JOBS = 10


def _spec(request, kind):
    """The layout of ``kind``, for a user whom the scope layer grants its import action somewhere."""
    spec = SPECS.get(kind)
    if spec is None:
        request.scope.refused(ImportJob, {"kind": kind})
        raise Http404
    request.scope.require_any(spec.action, spec.model)
    return spec


def _job(request, code):
    jobs = ImportJob.objects.visible_to(request.scope).select_related("organization", "created_by")
    try:
        return jobs.get(code=code)
    except ImportJob.DoesNotExist:
        request.scope.refused(ImportJob, {"code": code})
        raise Http404 from None


@login_required
def import_upload(request, kind):
    spec = _spec(request, kind)
    form = roll_import.UploadForm(
        request.POST or None,
        request.FILES or None,
        spec=spec,
        organizations=request.scope.organizations(spec.action).active(),
        initial={"organization": request.GET.get("org", "")},
    )
    if request.method == "POST" and form.is_valid():
        job = form.create_job(request.user)
        roll_import.start(job, form.rows)
        return redirect(job)
    context = {
        "form": form,
        "spec": spec,
        "kinds": [(s.kind, s.kind.label) for s in SPECS.values() if request.scope.can(s.action)],
        "jobs": ImportJob.objects.visible_to(request.scope).filter(created_by=request.user)[:RECENT_JOBS],
    }
    return render(request, "portal/roll_import.html", context)


@login_required
def import_job(request, code):
    """The job's state; a valid job is confirmed here (POST) by the user who uploaded it."""
    job = _job(request, code)
    may_confirm = job.created_by_id == request.user.pk  # administrators may look, only the uploader confirms
    if request.method == "POST":
        if not may_confirm:
            request.scope.refused(ImportJob, {"code": code}, action="confirm")
            raise PermissionDenied
        if not roll_import.confirm(job):
            messages.info(request, _("This import has already been started."))
        return redirect(job)
    context = {
        "job": job,
        "spec": SPECS[job.kind],
        "progress": roll_import.current_progress(job),
        "may_confirm": may_confirm and job.status == ImportJob.Status.VALID,
    }
    return render(request, "portal/roll_job.html", context)


@login_required
def import_status(request, code):
    job = _job(request, code)
    return JsonResponse(
        {
            "status": job.status,
            "status_display": str(job.get_status_display()),
            "progress": roll_import.current_progress(job),
            "running": job.running,
        }
    )


@login_required
def template(request, kind):
    spec = _spec(request, kind)
    name = f"{_('Import template')}-{spec.sheet}.xlsx"
    return FileResponse(roll_export.template(spec), as_attachment=True, filename=name, content_type=XLSX)


@login_required
def member_export(request):
    """The member list, with its filters, as .xlsx."""
    request.scope.require_any("member.export", Member)
    form = MemberFilterForm(request.GET)
    if not form.is_valid():
        return redirect(f"{reverse('portal:member_list')}?{request.GET.urlencode()}")
    members, org = filtered_members(request.scope, form)
    members = request.scope.filter(members, "member.export")
    name = f"{_('Member roll')}-{org.code if org else _('all')}-{timezone.localdate():%Y%m%d}.xlsx"
    area = org or scope_roots(request.scope).first()  # the filter's organization, else the user's area
    changes = {"file_name": name, "filters": request.GET.urlencode()}
    record(request.user, area, AuditEntry.Verb.EXPORT, changes)
    return FileResponse(roll_export.member_roll(members), as_attachment=True, filename=name, content_type=XLSX)
