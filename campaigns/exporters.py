"""The annual report (年度总结) of an organization and its subtree, for one year of a campaign, as PDF.

Every figure is an SQL aggregate over the subtree (``portal.dashboard``, ``commitments.rollups``), the
same arithmetic as the dashboard's. The year narrows the commitment items counted for progress and
fulfilment to those due in it; filing is the campaign's as it stands when the report is made. The periodic
reviews are the campaign's review cycles due in the year (``evaluations.results.annual``); the mass
evaluation, the campaign's rounds whose ballots close in the year, with the results published when they
closed (``evaluations.mass_results.annual``); the awards, the campaign's rounds announced or approved in the
year (``awards.results.annual``). A chapter with nothing in the year says so.
"""

from functools import cached_property

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from awards import results as award_results
from commitments.models import Commitment
from evaluations import mass_results
from evaluations import results as review_results
from portal import area_keys, dashboard, exporting
from portal.charts import bar_chart, rows_fitting
from portal.exporting.base import Column
from portal.models import Level, Member, Sector

from .agreement_scoring import round_figure
from .models import Campaign, Indicator, Period, TargetAgreement

APPENDIX_LIMIT = 1000  # organizations listed one by one at the end; the ledgers list any number
CHART_HEIGHT = 800  # in chart units (640 span the text width of A4): a chart and its heading fit on a page


def campaign_field(scope):
    campaigns = scope.filter(Campaign.objects.all(), "campaign.view").order_by("-starts_on", "name")
    return forms.ModelChoiceField(campaigns, label=gettext_lazy("campaign"), empty_label=None)


def check_campaign(organization, campaign):
    if not campaign.includes(organization):
        raise ValidationError(
            {
                "campaign": _("%(campaign)s does not cover %(organization)s: choose a campaign whose area includes it.")
                % {"campaign": campaign.name, "organization": organization.name}
            }
        )


def campaign_of(exporter):
    """The job's campaign, still within the requester's reach and covering the organization."""
    campaign = exporter.scope.filter(Campaign.objects.filter(pk=exporter.params.get("campaign")), "campaign.view")
    campaign = campaign.select_related("area").first()
    if campaign is None:
        raise exporting.ExportError(_("The campaign no longer exists or is out of your reach."))
    try:
        check_campaign(exporter.organization, campaign)
    except ValidationError as error:
        raise exporting.ExportError(error.messages[0]) from None
    return campaign


class ForCampaign:
    """An exporter of one campaign's data: the form asks for the campaign, which must cover the organization."""

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


def _rate(figures):
    c, v = figures.commitments, figures.coverage
    return {
        "organizations": c.organizations,
        "organizations_filed": c.organizations_filed,
        "filed_rate": c.filed_rate,
        "members": c.members,
        "members_filed": c.members_filed,
        "members_rate": c.members_rate,
        "items": c.items,
        "progress": c.progress,
        "assessed": c.assessed,
        "fulfilled": c.fulfilled,
        "partly": c.partly,
        "fulfilled_rate": c.fulfilled_rate,
        "can_form": v.can_form,
        "organized": v.organized,
        "organization_rate": v.organization_rate,
        "rest": v.rest,
        "work_covered": v.work_covered,
        "work_rate": v.work_rate,
        "warnings": figures.warnings,
    }


def _chunks(rows, size):
    return [rows[i : i + size] for i in range(0, len(rows), size)]


@exporting.register
class AnnualReport(exporting.PdfExporter):
    identifier = "annual_report"
    verbose_name = gettext_lazy("Annual report")
    description = gettext_lazy(
        "The year's summary of an organization and its subordinates: organizations and members, coverage, "
        "commitments and their fulfilment, reviews, mass evaluation and awards, with charts (PDF)."
    )
    action = "organization.export"
    template_name = "reports/annual_report.html"

    @classmethod
    def form_fields(cls, scope):
        return {
            "campaign": campaign_field(scope),
            "year": forms.IntegerField(
                label=gettext_lazy("year"), min_value=2000, max_value=2100, initial=timezone.localdate().year
            ),
        }

    @classmethod
    def clean_params(cls, organization, cleaned_data):
        campaign, year = cleaned_data.get("campaign"), cleaned_data.get("year")
        if campaign is None or year is None:
            return
        check_campaign(organization, campaign)
        if not campaign.starts_on.year <= year <= campaign.ends_on.year:
            raise ValidationError(
                {
                    "year": _("The campaign runs from %(start)s to %(end)s: choose a year between.")
                    % {"start": campaign.starts_on.year, "end": campaign.ends_on.year}
                }
            )

    def file_name(self):
        return f"{self.verbose_name}-{self.params['year']}-{self.organization.code}.pdf"

    def data(self):
        root, scope, year = self.organization, self.scope, int(self.params["year"])
        campaign = campaign_of(self)
        items = Q(deadline__year=year)
        organizations = scope.organizations().active().filter(path__startswith=root.path)
        levels = dict(Level.choices)
        sectors = dict(Sector.choices)
        by_level = organizations.values("level").annotate(n=Count("pk")).order_by("level")
        by_sector = organizations.values("sector").annotate(n=Count("pk")).order_by("sector")
        members = scope.filter(
            Member.objects.filter(active=True, organization__path__startswith=root.path), "member.view"
        ).aggregate(
            total=Count("pk"),
            full=Count("pk", filter=Q(status=Member.Status.FULL)),
            probationary=Count("pk", filter=Q(status=Member.Status.PROBATIONARY)),
            mobile=Count("pk", filter=Q(mobile=True)),
        )
        commitments = scope.filter(
            Commitment.objects.filter(campaign=campaign, organization__path__startswith=root.path), "commitment.view"
        )
        states = commitments.values("kind", "state").annotate(n=Count("pk")).order_by("kind", "state")
        groups, by_sector_figures = dashboard.split(
            dashboard.grouped(scope, root, campaign, area_keys.subordinate_and_sector_key(root), items)
        )
        children = scope.organizations().filter(parent=root).active().order_by("name", "pk")
        total = dashboard.total(groups)
        listed = list(organizations.order_by("path").values("path", "name", "code", "level", "depth")[:APPENDIX_LIMIT])
        each = dashboard.grouped(scope, root, campaign, area_keys.organization_key, items) if len(listed) > 1 else {}
        kinds, state_names = dict(Commitment.Kind.choices), dict(Commitment.State.choices)
        return {
            "title": _("%(organization)s: annual report %(year)s") % {"organization": root.name, "year": year},
            "organization": {"name": root.name, "code": root.code, "level": root.get_level_display()},
            "campaign": {"name": campaign.name, "starts_on": campaign.starts_on, "ends_on": campaign.ends_on},
            "year": year,
            "overview": {
                "organizations": sum(row["n"] for row in by_level),
                "by_level": [[str(levels.get(r["level"], r["level"])), r["n"]] for r in by_level],
                "by_sector": [[str(sectors.get(r["sector"], r["sector"])), r["n"]] for r in by_sector],
                "members": members,
                "organization_warnings": total.organization_warnings,
                "unit_warnings": total.unit_warnings,
            },
            "coverage": {
                **{name: getattr(total.coverage, name) for name in ("units", "above_scale", "above_scale_single")},
                "single_rate": total.coverage.single_rate,
                **_rate(total),
            },
            "commitments": {
                "states": [[str(kinds[r["kind"]]), str(state_names[r["state"]]), r["n"]] for r in states],
                "total": _rate(total),
                "subordinates": [
                    {"name": row.label, "own": row.own, **_rate(row.figures)}
                    for row in dashboard.subordinate_rows(root, children, groups)
                ],
                "sectors": [
                    {"name": row.label, **_rate(row.figures)}
                    for row in dashboard.sector_rows(by_sector_figures, Sector.choices)
                ],
            },
            "reviews": review_results.annual(scope, root, campaign, year),
            "evaluations": mass_results.annual(scope, root, campaign, year),
            "awards": award_results.annual(scope, root, campaign, year, limit=APPENDIX_LIMIT),
            "appendix": {
                "organizations": [
                    {
                        "name": org["name"],
                        "code": org["code"],
                        "level": str(levels.get(org["level"], org["level"])),
                        "depth": org["depth"] - root.depth,
                        **_rate(each.get(org["path"], dashboard.AreaFigures())),
                    }
                    for org in listed
                ]
                if each
                else [],
                "total": sum(row["n"] for row in by_level),
            },
        }

    def context(self, data):
        commitment_series = [_("Filed"), _("Progress"), _("Fulfilled")]
        coverage_series = [_("Organization coverage"), _("Work coverage")]
        rows = data["commitments"]["subordinates"]
        return {
            **data,
            "commitment_charts": [
                bar_chart(
                    _("Commitments by subordinate organization"),
                    commitment_series,
                    [(r["name"], (r["filed_rate"], r["progress"], r["fulfilled_rate"])) for r in chunk],
                )
                for chunk in _chunks(rows, rows_fitting(len(commitment_series), CHART_HEIGHT))
            ],
            "coverage_charts": [
                bar_chart(
                    _("Coverage by subordinate organization"),
                    coverage_series,
                    [(r["name"], (r["organization_rate"], r["work_rate"])) for r in chunk],
                )
                for chunk in _chunks(rows, rows_fitting(len(coverage_series), CHART_HEIGHT))
            ],
            "review_chart": bar_chart(
                _("Grades by review cycle"),
                [g["grade"] for g in data["reviews"]["cycles"][0]["grades"]],
                [(c["title"], [g["percent"] for g in c["grades"]]) for c in data["reviews"]["cycles"]],
            )
            if data["reviews"]
            else "",
            "satisfaction_charts": [
                bar_chart(
                    _("Satisfaction rate by subordinate organization"),
                    [_("Satisfaction rate")],
                    [(r["name"], (None if r["rate"] is None else float(r["rate"]),)) for r in chunk],
                )
                for chunk in _chunks(
                    data["evaluations"]["subordinates"] if data["evaluations"] else [], rows_fitting(1, CHART_HEIGHT)
                )
            ],
            "appendix_limit": APPENDIX_LIMIT,
            "toc": len(data["appendix"]["organizations"]) > 1,
        }


@exporting.register
class AgreementLedger(exporting.ListExporter):
    """The target agreements (目标责任书) of a year in a subtree: one row per indicator, scored as the pages score.

    An agreement is in the subtree when its responsible committee is. The indicator's figures (earned,
    bonus, deduction, score) come from the year-end actual once it is reported; the agreement's score is
    the confirmed one, else the one computed from the year-end report, else empty. Numbers are numbers.
    """

    identifier = "agreement_ledger"
    verbose_name = gettext_lazy("Target agreement ledger")
    description = gettext_lazy(
        "The year's target agreements of the organization and its subordinates: every indicator with its "
        "target, mid-year and year-end actuals, points, bonus, deduction and score."
    )
    action = "agreement.export"
    sheet_title = gettext_lazy("Target agreements")

    @classmethod
    def form_fields(cls, scope):
        return {
            "year": forms.IntegerField(
                label=gettext_lazy("year"), min_value=2000, max_value=2100, initial=timezone.localdate().year
            )
        }

    def file_name(self):
        return f"{self.verbose_name}-{self.params['year']}-{self.organization.code}.xlsx"

    def agreements(self):
        agreements = TargetAgreement.objects.filter(
            year=int(self.params["year"]), subordinate__path__startswith=self.organization.path
        )
        return self.scope.filter(agreements, "agreement.view")

    def columns(self):
        return [
            Column(_("Issued by"), 20),
            Column(_("Responsible committee"), 20),
            Column(_("Responsible committee code"), 12),
            Column(_("Target agreement"), 28),
            Column(_("Status"), 10),
            Column(_("Indicator"), 28),
            Column(_("Unit"), 6),
            Column(_("Target"), 9),
            Column(_("Mid-year actual"), 10),
            Column(_("Year-end actual"), 10),
            Column(_("Points"), 7, "0.0"),
            Column(_("Earned"), 8, "0.00"),
            Column(_("Bonus"), 7, "0.00"),
            Column(_("Deduction"), 8, "0.00"),
            Column(_("Indicator score"), 9, "0.00"),
            Column(_("Agreement score"), 9, "0.0"),
            Column(_("Score confirmed"), 8),
        ]

    def total(self):
        return Indicator.objects.filter(agreement__in=self.agreements()).count()

    def rows(self):
        statuses = {value: str(label) for value, label in TargetAgreement.Status.choices}
        yes, no = _("yes"), _("no")
        indicators = Indicator.objects.order_by("order", "pk").prefetch_related("reports")
        agreements = (
            self.agreements()
            .select_related("issuer", "subordinate")
            .prefetch_related(Prefetch("indicators", queryset=indicators))
            .order_by("issuer__path", "subordinate__path", "pk")
        )
        for agreement in agreements.iterator(chunk_size=200):
            indicators = list(agreement.indicators.all())
            mid_year = agreement.actuals(Period.MID_YEAR, indicators)
            year_end = agreement.actuals(Period.YEAR_END, indicators)
            result = agreement.compute_score(indicators) if year_end else None
            scored = agreement.status == TargetAgreement.Status.SCORED
            total = agreement.score if scored else (result.total if result else None)
            for n, indicator in enumerate(indicators):
                figures = result.indicators[n] if result and indicator.pk in year_end else None
                yield (
                    agreement.issuer.name,
                    agreement.subordinate.name,
                    agreement.subordinate.code,
                    agreement.title,
                    statuses[agreement.status],
                    indicator.name,
                    indicator.unit,
                    indicator.target,
                    mid_year.get(indicator.pk),
                    year_end.get(indicator.pk),
                    indicator.points,
                    *(
                        (round_figure(v) for v in (figures.base, figures.bonus, figures.deduction, figures.net))
                        if figures
                        else (None,) * 4
                    ),
                    total,
                    yes if scored else no,
                )
