"""The commitment ledger (承诺台帐): one row per commitment item of a campaign in a subtree, as Excel."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.exporters import ForCampaign
from portal import exporting
from portal.exporting.base import Column

from .models import Commitment, Item

DATE = "yyyy-mm-dd"
FIELDS = (
    "commitment__organization__name",
    "commitment__organization__code",
    "commitment__title",
    "commitment__member__name",
    "commitment__kind",
    "commitment__audience",
    "commitment__state",
    "order",
    "content",
    "target",
    "deadline",
    "criterion__title",
    "carrier__name",
    "weight",
    "progress",
    "fulfilment",
    "fulfilment_comment",
    "commitment__submitted_at",
    "commitment__accepted_at",
    "commitment__published_at",
    "assessed_at",
)


def local_date(moment):
    return timezone.localtime(moment).date() if moment else None


@exporting.register
class CommitmentLedger(ForCampaign, exporting.ListExporter):
    identifier = "commitment_ledger"
    verbose_name = _("Commitment ledger")
    description = _(
        "Every item of the campaign's commitments in the organization and its subordinates: owner, state, "
        "target, deadline, criterion, progress and fulfilment. Organizations' commitments come before their members'."
    )
    action = "commitment.export"
    sheet_title = _("Commitment ledger")

    def queryset(self):
        items = Item.objects.filter(
            commitment__campaign=self.campaign, commitment__organization__path__startswith=self.organization.path
        )
        return self.scope.filter(items, "commitment.view")

    def columns(self):
        return [
            Column(_("Organization"), 24),
            Column(_("Organization code"), 12),
            Column(_("Commitment"), 28),
            Column(_("Made by"), 14),
            Column(_("Kind"), 12),
            Column(_("Made to"), 12),
            Column(_("State"), 8),
            Column(_("Item no."), 6),
            Column(_("What we commit to"), 36),
            Column(_("Measurable target"), 24),
            Column(_("Deadline"), 11, DATE),
            Column(_("Criterion"), 14),
            Column(_("Activity carrier"), 14),
            Column(_("Weight"), 7, "0.00"),
            Column(_("Progress (%)"), 8, "0"),
            Column(_("Fulfilment"), 10),
            Column(_("Assessment comment"), 24),
            Column(_("Submitted on"), 11, DATE),
            Column(_("Accepted on"), 11, DATE),
            Column(_("Published on"), 11, DATE),
            Column(_("Assessed on"), 11, DATE),
        ]

    def total(self):
        return self.queryset().count()

    def rows(self):
        kinds = {value: str(label) for value, label in Commitment.Kind.choices}
        audiences = {value: str(label) for value, label in Commitment.Audience.choices}
        states = {value: str(label) for value, label in Commitment.State.choices}
        fulfilments = {value: str(label) for value, label in Item.Fulfilment.choices}
        items = self.queryset().order_by(
            "commitment__organization__path", "-commitment__kind", "commitment__member__name", "commitment_id", "order"
        )
        for row in items.values_list(*FIELDS).iterator(chunk_size=2000):
            (org, code, title, member, kind, audience, state, *item, submitted, accepted, published, assessed) = row
            order, content, target, deadline, criterion, carrier, weight, progress, fulfilment, comment = item
            yield (
                org,
                code,
                title,
                member or org,
                kinds[kind],
                audiences[audience],
                states[state],
                order,
                content,
                target,
                deadline,
                criterion or "",
                carrier or "",
                weight,
                progress,
                fulfilments.get(fulfilment, ""),
                comment,
                local_date(submitted),
                local_date(accepted),
                local_date(published),
                local_date(assessed),
            )
