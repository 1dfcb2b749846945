"""The portal's own exports: the member roll, the organizations and the two-new units (coverage) of a subtree."""

from django.utils.translation import gettext_lazy as _

from . import exporting
from .coverage import FORMED
from .exporting.base import Column, ListExporter
from .models import Member, Organization, Sector, Unit
from .roll_format import MEMBERS, member_rows


@exporting.register
class MemberRoll(ListExporter):
    """The roll in the member import template's columns (``roll_format.MEMBERS``), as the member list's
    export writes it, and the organization's name for the reader: a file from the download centre imports
    again (the import finds its columns by their headers and reads the organization's code)."""

    ORGANIZATION_NAME = "所在组织名称"  # fixed Chinese, as the template's headers

    identifier = "member_roll"
    verbose_name = _("Member roll")
    description = _("Every member on the roll of the organization and its subordinates.")
    action = "member.export"
    sheet_title = _("Member roll")

    def queryset(self):
        return Member.objects.active().in_subtree(self.organization)

    def columns(self):
        template = [Column(column.title, column.width, column.number_format) for column in MEMBERS.columns]
        return [*template, Column(self.ORGANIZATION_NAME, 28)]

    def total(self):
        return self.queryset().count()

    def rows(self):
        return member_rows(self.queryset(), extra=("organization__name",))


@exporting.register
class OrganizationList(ListExporter):
    identifier = "organization_list"
    verbose_name = _("Organizations")
    description = _("The organization and all its subordinates, with their full-member counts.")
    action = "organization.export"
    sheet_title = _("Organizations")

    def queryset(self):
        return Organization.objects.subtree(self.organization)

    def columns(self):
        return [
            Column(_("Name"), 30),
            Column(_("Code"), 14),
            Column(_("Superior organization"), 28),
            Column(_("Level"), 12),
            Column(_("Sector"), 12),
            Column(_("Secretary"), 10),
            Column(_("Founded on"), 12, "yyyy-mm-dd"),
            Column(_("Full members"), 10),
            Column(_("Status"), 8),
        ]

    def total(self):
        return self.queryset().count()

    def rows(self):
        orgs = self.queryset().select_related("parent").with_full_member_count().order_by("path")
        for org in orgs.iterator(chunk_size=2000):
            yield (
                org.name,
                org.code,
                org.parent.name if org.parent_id else "",
                org.get_level_display(),
                org.get_sector_display(),
                org.secretary_name,
                org.founded_on,
                org.full_members,
                org.get_status_display(),
            )


@exporting.register
class CoverageLedger(ListExporter):
    """The 双百 ledger: every two-new unit of the subtree, how it is covered and whether that counts as covered
    (the same rule as ``portal.coverage``: 3+ party members need an organization, the rest work coverage)."""

    identifier = "coverage_ledger"
    verbose_name = _("Coverage ledger")
    description = _(
        "Every two-new unit in the organization and its subordinates: size, party members, how it is covered "
        "and by which organization, and whether it counts as covered."
    )
    action = "organization.export"
    sheet_title = _("Coverage ledger")

    def queryset(self):
        units = Unit.objects.filter(organization__path__startswith=self.organization.path)
        return self.scope.filter(units, "unit.view")

    def columns(self):
        return [
            Column(_("Unit"), 28),
            Column(_("Kind"), 14),
            Column(_("Above designated size"), 8),
            Column(_("Employees"), 9, "0"),
            Column(_("Party members employed"), 9, "0"),
            Column(_("Coverage"), 18),
            Column(_("Counts toward"), 14),
            Column(_("Covered"), 7),
            Column(_("Instructor or liaison"), 12),
            Column(_("Covering organization"), 28),
            Column(_("Organization code"), 14),
            Column(_("Sector"), 12),
        ]

    def total(self):
        return self.queryset().count()

    def rows(self):
        yes, no = str(_("yes")), str(_("no"))
        toward_organization, toward_work = str(_("Organization coverage")), str(_("Work coverage"))
        sectors = {value: str(label) for value, label in Sector.choices}
        units = self.queryset().select_related("organization").order_by("organization__path", "name", "pk")
        for unit in units.iterator(chunk_size=2000):
            if unit.can_form_organization:
                toward, covered = toward_organization, unit.coverage in FORMED
            else:
                toward, covered = toward_work, unit.coverage != Unit.Coverage.NONE
            yield (
                unit.name,
                unit.get_kind_display(),
                yes if unit.above_scale else no,
                unit.employees,
                unit.party_members,
                unit.get_coverage_display(),
                toward,
                yes if covered else no,
                unit.liaison,
                unit.organization.name,
                unit.organization.code,
                sectors[unit.organization.sector],
            )
