"""The download centre: start an export, watch its progress, download the file."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import exporting
from ..forms import OrganizationChoiceField
from ..models import ExportJob
from .organizations import scope_roots


class ExportForm(forms.Form):
    def __init__(self, exporter, *args, **kwargs):
        self.exporter = exporter
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if "organization" in cleaned:
            self.exporter.clean_params(cleaned["organization"], cleaned)
        return cleaned


def export_form(scope, exporter, data=None):
    """The organization (by code, within the exporter's action) plus the exporter's own parameters."""
    roots = scope_roots(scope)
    form = ExportForm(exporter, data, initial={"organization": roots[0].code if roots else ""})
    form.fields["organization"] = OrganizationChoiceField(
        scope.organizations(exporter.action), label=_("organization (code), with its subordinates")
    )
    form.fields.update(exporter.form_fields(scope))
    return form


@login_required
def export_list(request):
    jobs = ExportJob.objects.visible_to(request.scope).select_related("organization")
    page = Paginator(jobs, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/export_list.html",
        {
            "page": page,
            "exporters": exporting.available_to(request.scope),
        },
    )


@login_required
def export_start(request, identifier):
    exporter = exporting.get(identifier)
    if exporter is None:
        raise Http404
    request.scope.require_any(exporter.action, ExportJob)
    form = export_form(request.scope, exporter, request.POST or None)
    if request.method == "POST" and form.is_valid():
        organization = form.cleaned_data.pop("organization")
        params = exporter.serialize_params(form.cleaned_data)
        title = f"{exporter.verbose_name} · {organization.name}"
        ExportJob.start(request.user, identifier, organization, params, title, get_language())
        messages.info(request, _("The export has started. It appears below; the page shows its progress."))
        return redirect("portal:export_list")
    return render(request, "portal/export_form.html", {"form": form, "exporter": exporter})


def _own_job(request, code):
    """The requester's own job; anyone else's answers 404 and is logged as a refused access."""
    job = ExportJob.objects.visible_to(request.scope).filter(code=code).first()
    if job is None:
        request.scope.refused(ExportJob, {"code": code})
        raise Http404
    return job


@login_required
def export_status(request, code):
    job = _own_job(request, code)
    return JsonResponse(
        {
            "status": job.status,
            "status_display": job.get_status_display(),
            "ready": job.ready,
            "percentage": job.percentage,
            "rows_done": job.rows_done,
            "rows_total": job.rows_total,
            "error": job.error,
        }
    )


@login_required
def export_download(request, code):
    """Served only to the requester, and only while they may still export that organization."""
    job = _own_job(request, code)
    exporter = exporting.get(job.exporter)
    if not job.ready or exporter is None:
        raise Http404
    request.scope.require(exporter.action, job.organization)
    job.record_download(request.user)
    return FileResponse(
        job.file.open("rb"), as_attachment=True, filename=job.file_name, content_type=exporter.content_type
    )


@login_required
@require_POST
def export_retry(request, code):
    """Run a failed or expired export again, as a new job with the same parameters."""
    job = _own_job(request, code)
    exporter = exporting.get(job.exporter)
    if exporter is None or job.status not in (ExportJob.Status.FAILED, ExportJob.Status.EXPIRED):
        raise Http404
    request.scope.require(exporter.action, job.organization)
    job.retry(request.user, get_language())
    return redirect("portal:export_list")
