from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from ..models import Commitment


@login_required
def commitment_list(request):
    commitments = request.scope.filter(Commitment.objects.all(), "commitment.view").select_related(
        "organization", "member", "campaign"
    )
    page = Paginator(commitments.order_by("-updated_at", "-pk"), 50).get_page(request.GET.get("page"))
    return render(request, "commitments/commitment_list.html", {"page": page})
