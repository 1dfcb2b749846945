"""The award ledger (评选表彰台帐): every nomination of a campaign's award rounds in a subtree, as Excel; the 公示
notice of a round, as PDF."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from campaigns.exporters import ForCampaign
from portal import exporting
from portal.exporting.base import Column

from .documents import NOTICE_TEMPLATE, notice_data
from .models import AwardRound, Nomination

DATE = "yyyy-mm-dd"


@exporting.register
class AwardLedger(ForCampaign, exporting.ListExporter):
    identifier = "award_ledger"
    verbose_name = _("Award ledger")
    description = _(
        "Every nomination of the campaign's award rounds in the organization and its subordinates: category, "
        "nominee, the level it reached, state, certificate number and date of approval."
    )
    action = "award.export"
    sheet_title = _("Award ledger")

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


@exporting.register
class AwardNotice(exporting.PdfExporter):
    """The printable 公示 notice of an announced (or approved) round of the organization, as on the public page."""

    identifier = "award_notice"
    verbose_name = _("Award notice (公示)")
    description = _("The list of an award round as announced for objections (公示), to print and post (PDF).")
    action = "award.manage"
    template_name = NOTICE_TEMPLATE

    @classmethod
    def form_fields(cls, scope):
        rounds = scope.filter(AwardRound.objects.exclude(state=AwardRound.State.NOMINATING), "award.manage")
        return {
            "round": forms.ModelChoiceField(
                rounds.order_by("-publicity_starts_on", "pk"), label=_("award round"), empty_label=None
            )
        }

    @classmethod
    def clean_params(cls, organization, cleaned_data):
        round = cleaned_data.get("round")
        if round is not None and round.organizer_id != organization.pk:
            raise ValidationError(
                {
                    "round": _("%(round)s is awarded by %(org)s: choose that organization.")
                    % {"round": round.title, "org": round.organizer.name}
                }
            )

    def data(self):
        round = (
            self.scope.filter(AwardRound.objects.filter(pk=self.params.get("round")), "award.manage")
            .exclude(state=AwardRound.State.NOMINATING)
            .select_related("organizer")
            .first()
        )
        if round is None or round.organizer_id != self.organization.pk:
            raise exporting.ExportError(
                _("The award round is not announced, no longer exists or is out of your reach.")
            )
        return notice_data(round)
