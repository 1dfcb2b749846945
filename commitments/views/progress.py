"""Progress updates with evidence, the fulfilment assessment, and the evidence files themselves.

An item is reached through its commitment (``scope.get(..., items=<item pk>)``), so the scope decides
on the commitment: progress with ``commitment.progress`` (the owner's side), assessment with
``commitment.assess`` (decided on the acceptor). Evidence is stored under an unguessable name in the
default storage and never served from it directly: staff download it through ``evidence``, scope-checked
through its commitment (the public board serves that of published commitments: ``public.evidence``).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .. import services
from ..forms import AssessForm, ProgressForm
from ..models import Commitment, Evidence, TransitionError
from .staff import refusal, with_saved


def _item_page(request, item_pk, action):
    commitment = request.scope.get(
        Commitment.objects.select_related("campaign", "organization", "member", "acceptor"), action, items=item_pk
    )
    return commitment, commitment.items.select_related("criterion").get(pk=item_pk)


@login_required
def progress(request, pk):
    commitment, item = _item_page(request, pk, "commitment.progress")
    form = ProgressForm(request.POST or None, request.FILES or None, initial={"progress": item.progress})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.post_progress(request.user, item, data["text"], data["progress"], data["files"])
        except TransitionError as error:
            form.add_error(None, refusal(error))
        else:
            messages.success(request, _("The progress is recorded."))
            return redirect(with_saved(commitment.get_absolute_url(), f"progress-{item.pk}"))
    return render(
        request,
        "commitments/item_progress.html",
        {"commitment": commitment, "item": item, "form": form, "draft_key": f"progress-{item.pk}"},
    )


@login_required
def assess(request, pk):
    commitment, item = _item_page(request, pk, "commitment.assess")
    initial = {"fulfilment": item.fulfilment, "comment": item.fulfilment_comment}
    form = AssessForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            item.assess(request.user, form.cleaned_data["fulfilment"], form.cleaned_data["comment"])
        except TransitionError as error:
            form.add_error(None, refusal(error))
        else:
            messages.success(request, _("The assessment is recorded."))
            return redirect(commitment)
    return render(
        request,
        "commitments/item_assess.html",
        {"commitment": commitment, "item": item, "form": form, "assessment_open": commitment.assessment_open()},
    )


def _serve(evidence, thumbnail):
    """The file (or a photo's thumbnail): photos shown inline, documents as a download."""
    file = evidence.thumbnail if thumbnail and evidence.thumbnail else evidence.file
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    content_type = "image/jpeg" if file is evidence.thumbnail else evidence.content_type
    response = FileResponse(
        handle, content_type=content_type, as_attachment=not evidence.is_image, filename=evidence.name
    )
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_GET
def evidence(request, pk):
    """An evidence file for staff: seen by whoever sees its commitment."""
    commitment = request.scope.get(Commitment.objects.all(), "commitment.view", items__updates__evidence=pk)
    item = get_object_or_404(Evidence.objects.filter(update__item__commitment=commitment), pk=pk)
    return _serve(item, request.GET.get("thumb") == "1")
