"""The award ledger (评选表彰台帐): every nomination of a campaign's award rounds in a subtree, as Excel."""

from functools import cached_property

from django.utils.translation import gettext_lazy as _

from campaigns.exporters import campaign_field, campaign_of, check_campaign
from portal import exporting
from portal.exporting.base import Column

from .models import Nomination

DATE = "yyyy-mm-dd"


@exporting.register
class AwardLedger(exporting.ListExporter):
    identifier = "award_ledger"
    verbose_name = _("Award ledger")
    description = _(
        "Every nomination of the campaign's award rounds in the organization and its subordinates: category, "
        "nominee, the level it reached, state, certificate number and date of approval."
    )
    action = "award.export"
    sheet_title = _("Award ledger")

    @classmethod
    def form_fields(cls, scope):
        return {"campaign": campaign_field(scope)}

    @classmethod
    def clean_params(cls, organization, cleaned_data):
        if cleaned_data.get("campaign") is not None:
            check_campaign(organization, cleaned_data["campaign"])

    @cached_property
    def campaign(self):
        return campaign_of(self)

    def queryset(self):
        rows = Nomination.objects.filter(
            round__campaign=self.campaign, organization__path__startswith=self.organization.path
        )
        return self.scope.filter(rows, "nomination.view")

    def columns(self):
        return [
            Column(_("Award round"), 24),
            Column(_("Awarding organization"), 20),
            Column(_("Category"), 14),
            Column(_("Nominee"), 20),
            Column(_("Organization"), 24),
            Column(_("Organization code"), 12),
            Column(_("Now with"), 20),
            Column(_("State"), 12),
            Column(_("Certificate no."), 14),
            Column(_("Approved on"), 11, DATE),
            Column(_("Deeds summary"), 40),
        ]

    def total(self):
        return self.queryset().count()

    def rows(self):
        states = {value: str(label) for value, label in Nomination.State.choices}
        fields = (
            "round__title",
            "round__organizer__name",
            "category__name",
            "member__name",
            "organization__name",
            "organization__code",
            "holder__name",
            "state",
            "certificate_no",
            "round__decided_on",
            "deeds",
        )
        rows = self.queryset().order_by("round_id", "category__order", "organization__path", "member__name", "pk")
        for row in rows.values_list(*fields).iterator(chunk_size=2000):
            title, organizer, category, member, org, code, holder, state, number, decided, deeds = row
            approved = decided if state == Nomination.State.APPROVED else None
            yield (title, organizer, category, member or org, org, code, holder, states[state], number, approved, deeds)
