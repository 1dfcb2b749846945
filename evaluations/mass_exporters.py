"""The evaluation ledger (群众评议专项台帐) and the rectification ledger (整改台帐), as Excel.

Both cover one round, for the organizations of the chosen organization's subtree that the round
evaluated, narrowed by the requester's scope. Registered from ``evaluations.apps`` (the registry's
autodiscovery imports ``<app>.exporters`` only).
"""

from functools import cached_property

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal import exporting
from portal.exporting.base import Column

from .mass_models import Channel, LedgerEntry, Rectification, Round

DATE = "yyyy-mm-dd"


def round_field(scope):
    rounds = scope.filter(Round.objects.exclude(state=Round.State.DRAFT), "evaluation.view").order_by("-opens_on", "pk")
    return forms.ModelChoiceField(rounds, label=gettext_lazy("evaluation round"), empty_label=None)


def check_round(organization, round):
    """The round must evaluate organizations of ``organization``'s subtree."""
    if not (organization.is_within(round.organization) or round.organization.is_within(organization)):
        raise ValidationError(
            {
                "round": _("%(round)s does not evaluate organizations of %(organization)s: choose another round.")
                % {"round": round.title, "organization": organization.name}
            }
        )


def local_date(moment):
    return timezone.localtime(moment).date() if moment else None


class RoundLedger(exporting.ListExporter):
    """What both ledgers share: the round parameter, checked in the form and again when the job runs."""

    action = "evaluation.export"

    @classmethod
    def form_fields(cls, scope):
        return {"round": round_field(scope)}

    @classmethod
    def clean_params(cls, organization, cleaned_data):
        if cleaned_data.get("round") is not None:
            check_round(organization, cleaned_data["round"])

    @cached_property
    def round(self):
        rounds = self.scope.filter(Round.objects.filter(pk=self.params.get("round")), "evaluation.view")
        round = rounds.select_related("organization").first()
        if round is None:
            raise exporting.ExportError(_("The evaluation round no longer exists or is out of your reach."))
        try:
            check_round(self.organization, round)
        except ValidationError as error:
            raise exporting.ExportError(error.messages[0]) from None
        return round

    def narrowed(self, queryset, action):
        rows = queryset.filter(
            participant__round=self.round, participant__organization__path__startswith=self.organization.path
        )
        return self.scope.filter(rows, action)

    def total(self):
        return self.queryset().count()


@exporting.register
class EvaluationLedger(RoundLedger):
    identifier = "evaluation_ledger"
    verbose_name = gettext_lazy("Evaluation ledger")
    description = gettext_lazy(
        "Every opinion of the public registered in a mass evaluation round — suggestion box, hotline, symposium, "
        "supervisors, paper ballots entered — and the results of each organization and member once the round closed."
    )
    sheet_title = gettext_lazy("Evaluation ledger")

    def queryset(self):
        return self.narrowed(LedgerEntry.objects.all(), "evaluation.view")

    def columns(self):
        return [
            Column(_("Date"), 11, DATE),
            Column(_("Organization"), 24),
            Column(_("Organization code"), 12),
            Column(_("Member"), 10),
            Column(_("Channel"), 12),
            Column(_("Content"), 60),
            Column(_("Valid answers"), 8, "0"),
            Column(_("Satisfaction rate (%)"), 8, "0.0"),
            Column(_("Handling"), 36),
            Column(_("From the public"), 8),
        ]

    def rows(self):
        channels = {value: str(label) for value, label in Channel.choices}
        yes, no = _("yes"), _("no")
        entries = self.queryset().order_by("participant__organization__path", "received_on", "pk")
        fields = (
            "received_on",
            "participant__organization__name",
            "participant__organization__code",
            "member__name",
            "channel",
            "content",
            "valid",
            "rate",
            "handling",
            "from_public",
        )
        for row in entries.values_list(*fields).iterator(chunk_size=2000):
            day, org, code, member, channel, content, valid, rate, handling, public = row
            yield (
                day,
                org,
                code,
                member or "",
                channels[channel],
                content,
                valid,
                rate,
                handling,
                yes if public else no,
            )


@exporting.register
class RectificationLedger(RoundLedger):
    identifier = "rectification_ledger"
    verbose_name = gettext_lazy("Rectification ledger")
    description = gettext_lazy(
        "The rectifications opened after a mass evaluation round: problem, who is responsible, deadline, measures, "
        "completion report, state and whether they are overdue."
    )
    sheet_title = gettext_lazy("Rectification ledger")

    def queryset(self):
        return self.narrowed(Rectification.objects.all(), "rectification.view")

    def columns(self):
        return [
            Column(_("Organization"), 24),
            Column(_("Organization code"), 12),
            Column(_("Member"), 10),
            Column(_("Problem"), 48),
            Column(_("Responsible"), 12),
            Column(_("Deadline"), 11, DATE),
            Column(_("State"), 10),
            Column(_("Overdue"), 7),
            Column(_("Measures"), 40),
            Column(_("Completion report"), 40),
            Column(_("Opened on"), 11, DATE),
            Column(_("Reported on"), 11, DATE),
            Column(_("Rectified on"), 11, DATE),
        ]

    def rows(self):
        states = {value: str(label) for value, label in Rectification.State.choices}
        yes, no = _("yes"), _("no")
        today = timezone.localdate()
        items = self.queryset().order_by("participant__organization__path", "deadline", "pk")
        fields = (
            "participant__organization__name",
            "participant__organization__code",
            "member__name",
            "problem",
            "owner",
            "deadline",
            "state",
            "measures",
            "report",
            "opened_at",
            "reported_at",
            "done_at",
        )
        for row in items.values_list(*fields).iterator(chunk_size=2000):
            org, code, member, problem, owner, deadline, state, measures, report, opened, reported, done = row
            overdue = state != Rectification.State.DONE and deadline < today
            yield (
                org,
                code,
                member or "",
                problem,
                owner,
                deadline,
                states[state],
                yes if overdue else no,
                measures,
                report,
                local_date(opened),
                local_date(reported),
                local_date(done),
            )
