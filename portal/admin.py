"""The Django admin: for system administrators (superusers) to manage accounts and roles.

Day-to-day work happens in the portal's own pages, which go through the scope layer; the admin is
a superuser's tool and shows everything.
"""

from django.contrib import admin

from .models import AuditEntry, Member, Organization, OutboxMessage, Reminder, RoleAssignment, Unit


class RoleInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["organization"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "level", "sector", "status"]
    list_filter = ["level", "sector", "status"]
    search_fields = ["name", "code"]
    readonly_fields = ["path", "depth", "version"]
    autocomplete_fields = ["parent"]
    inlines = [RoleInline]


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "status", "role", "active"]
    list_filter = ["status", "role", "active", "mobile"]
    search_fields = ["name", "phone", "organization__name"]
    autocomplete_fields = ["organization", "user"]
    readonly_fields = ["version"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "above_scale", "party_members", "coverage", "organization"]
    list_filter = ["kind", "above_scale", "coverage"]
    search_fields = ["name"]
    autocomplete_fields = ["organization"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "organization"]
    list_filter = ["role"]
    search_fields = ["user__username", "organization__name"]
    autocomplete_fields = ["user", "organization"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_name", "verb", "object_repr", "ip_address"]
    list_filter = ["verb"]
    search_fields = ["actor_name", "object_repr"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records the portal writes itself: to look at, never to edit by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    """Queued Celery work: a message without "published at" waits for the broker (see portal/outbox.py)."""

    list_display = ["task", "args", "created_at", "sent_at", "attempts", "last_error"]
    list_filter = [("sent_at", admin.EmptyFieldListFilter), "task"]


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ["day", "kind", "key", "recipient", "organization", "due_on"]
    list_filter = ["kind", "day"]
    search_fields = ["key", "recipient__username"]
