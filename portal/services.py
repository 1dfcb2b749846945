"""Saving edits of organizations and members: version-checked, audited, in one transaction."""

from django.db import transaction

from .audit import diff, record, snapshot
from .models import AuditEntry, Organization

TREE_FIELDS = {"parent", "path", "depth"}  # changed only through Organization.move_to


@transaction.atomic
def save_form(actor, form):
    """Save a ``VersionedForm``; raises ``StaleEdit`` when someone saved in between."""
    instance = form.instance
    fields = [name for name in form.Meta.fields if name in form.fields]
    if instance._state.adding:
        instance = form.save()
        record(actor, instance, AuditEntry.Verb.CREATE, diff({}, snapshot(instance, fields)))
        return instance
    stored = type(instance).objects.get(pk=instance.pk)
    before = snapshot(stored, fields)
    instance = form.save(commit=False)
    left = None
    if isinstance(instance, Organization) and "parent" in fields and instance.parent_id != stored.parent_id:
        left = stored.parent
        stored.move_to(instance.parent)
        instance.path, instance.depth = stored.path, stored.depth
    update_fields = [
        f.attname
        for f in instance._meta.concrete_fields
        if not f.primary_key and f.name != "version" and f.name not in TREE_FIELDS
    ]
    instance.save_checked(form.cleaned_data["version"], update_fields=update_fields)
    changes = diff(before, snapshot(instance, fields))
    if changes:
        record(actor, instance, AuditEntry.Verb.UPDATE, changes)
        if left is not None:  # a move is logged in the superior it left too, as a member's transfer is
            record(actor, instance, AuditEntry.Verb.UPDATE, changes, organization=left)
    return instance
