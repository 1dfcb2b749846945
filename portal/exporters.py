"""The portal's own exports: the member roll and the list of organizations of a subtree."""

from django.utils.translation import gettext_lazy as _

from . import exporting
from .exporting.base import Column, ListExporter
from .models import Member, Organization


@exporting.register
class MemberRoll(ListExporter):
    identifier = "member_roll"
    verbose_name = _("Member roll")
    description = _("Every member on the roll of the organization and its subordinates.")
    action = "member.export"
    sheet_title = _("Member roll")

    def queryset(self):
        return Member.objects.active().in_subtree(self.organization)

    def columns(self):
        return [
            Column(_("Name"), 12),
            Column(_("Gender"), 6),
            Column(_("Birth date"), 12, "yyyy-mm-dd"),
            Column(_("Membership"), 10),
            Column(_("Joined the party on"), 12, "yyyy-mm-dd"),
            Column(_("Organization"), 28),
            Column(_("Organization code"), 14),
            Column(_("Party role"), 10),
            Column(_("Mobile member"), 8),
            Column(_("Position in a non-public firm"), 10),
            Column(_("Phone"), 14),
        ]

    def total(self):
        return self.queryset().count()

    def rows(self):
        members = self.queryset().select_related("organization").order_by("organization__path", "name", "pk")
        yes, no = str(_("yes")), str(_("no"))
        for m in members.iterator(chunk_size=2000):
            yield (
                m.name,
                m.get_gender_display(),
                m.birth_date,
                m.get_status_display(),
                m.joined_on,
                m.organization.name,
                m.organization.code,
                m.get_role_display() if m.role else "",
                yes if m.mobile else no,
                m.get_staff_kind_display() if m.staff_kind else "",
                m.phone,
            )


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
