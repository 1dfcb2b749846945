"""Writing the audit trail. Model methods and services call ``record``; signals log logins."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models import Model
from django.dispatch import receiver
from django.utils import timezone

from .models import AuditEntry, Organization
from .request_context import current_ip


def snapshot(instance, fields):
    """A dict of display values, to diff before and after a change."""
    out = {}
    for name in fields:
        value = getattr(instance, name)
        field = instance._meta.get_field(name)
        if field.choices:
            value = getattr(instance, f"get_{name}_display")()
        elif isinstance(value, Model):
            value = str(value)
        out[name] = "" if value is None else str(value)
    return out


def diff(before, after):
    return {name: [before.get(name, ""), after[name]] for name in after if before.get(name, "") != after[name]}


def _organization_of(instance):
    if isinstance(instance, Organization):
        return instance
    return getattr(instance, "organization", None)


def record(actor, instance, verb, changes=None, organization=None):
    organization = organization or _organization_of(instance)
    return AuditEntry.objects.create(
        actor=actor if actor and actor.is_authenticated else None,
        actor_name=actor.get_username() if actor and actor.is_authenticated else "",
        verb=verb,
        object_type=instance._meta.label,
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        organization=organization,
        organization_path=organization.path if organization else "",
        changes=changes or {},
        ip_address=current_ip(),
    )


def record_event(verb, username, user=None, changes=None):
    return AuditEntry.objects.create(
        actor=user, actor_name=username[:150], verb=verb, changes=changes or {}, ip_address=current_ip()
    )


def record_denied(user, model, lookup, action):
    username = user.get_username() if user and user.is_authenticated else ""
    record_event(
        AuditEntry.Verb.DENIED,
        username,
        user if user and user.is_authenticated else None,
        {"object": model._meta.label, "lookup": {k: str(v) for k, v in lookup.items()}, "action": action},
    )


def purge(days):
    """Delete entries older than ``days``; returns the number deleted."""
    deleted, _ = AuditEntry.objects.filter(at__lt=timezone.now() - timezone.timedelta(days=days)).delete()
    return deleted


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    record_event(AuditEntry.Verb.LOGIN, user.get_username(), user)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user:
        record_event(AuditEntry.Verb.LOGOUT, user.get_username(), user)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    record_event(AuditEntry.Verb.LOGIN_FAILED, str(credentials.get("username", "")))
