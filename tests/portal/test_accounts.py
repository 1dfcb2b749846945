"""Login, lockout, sessions, deactivation, audit of security events, and the security headers."""

import datetime
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from portal.models import AuditEntry, Organization, Role, RoleAssignment

from ..factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "pw-test-12345"


def login(client, username, password=PASSWORD, ip="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_login_with_the_standard_form_fields_and_a_fresh_session_key(client, cast):
    client.get(reverse("login"))
    client.session.save()
    before = client.session.session_key
    response = login(client, "committee_a")
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
    assert client.session.session_key != before
    assert AuditEntry.objects.filter(verb="login", actor=cast.committee_a).exists()


def test_repeated_failures_lock_the_username_from_that_address(client, cast, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, "committee_a", "wrong-password").status_code == 200
    assert login(client, "committee_a", "wrong-password").status_code == 429  # the last allowed failure locks
    locked = login(client, "committee_a")  # even the right password is refused now
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    failures = AuditEntry.objects.filter(verb="login_failed", actor_name="committee_a")
    assert failures.count() >= settings.AXES_FAILURE_LIMIT
    # Another address, or another user from this address, is not locked out.
    assert login(Client(), "committee_a", ip="10.0.0.2").status_code == 302
    assert login(Client(), "office", ip="10.0.0.1").status_code == 302


def test_idle_session_expires(client, cast, settings):
    start = datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        login(client, "committee_a")
        assert client.get(reverse("portal:home")).status_code == 200
    with time_machine.travel(start + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60), tick=False):
        assert client.get(reverse("portal:home")).status_code == 200  # activity renews the session
    later = start + datetime.timedelta(seconds=2 * settings.SESSION_COOKIE_AGE)
    with time_machine.travel(later, tick=False):
        response = client.get(reverse("portal:home"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_a_deactivated_user_loses_access_on_the_next_request(client, cast):
    client.force_login(cast.committee_a)
    assert client.get(cast.branch_a.get_absolute_url()).status_code == 200
    cast.committee_a.is_active = False
    cast.committee_a.save()
    response = client.get(cast.branch_a.get_absolute_url())
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_a_moved_user_sees_the_new_scope_on_the_next_request(client, cast):
    client.force_login(cast.committee_a)
    assert client.get(cast.branch_a.get_absolute_url()).status_code == 200
    RoleAssignment.objects.filter(user=cast.committee_a).update(organization=cast.town_b)
    assert client.get(cast.branch_a.get_absolute_url()).status_code == 404
    assert client.get(cast.branch_b.get_absolute_url()).status_code == 200


def test_password_change_enforces_strength(client, cast):
    client.force_login(cast.secretary_a)
    url = reverse("password_change")
    weak = client.post(url, {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"})
    assert weak.status_code == 200
    assert weak.context["form"].errors["new_password2"]
    strong = "Dang-Jian-2026-xyz"
    done = client.post(url, {"old_password": PASSWORD, "new_password1": strong, "new_password2": strong})
    assert done.status_code == 302
    cast.secretary_a.refresh_from_db()
    assert cast.secretary_a.check_password(strong)


def test_passwords_are_hashed_with_argon2():
    from portal import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert UserFactory.build(password="x").password  # factory hashes (fast hasher in tests)


def test_post_without_csrf_token_is_refused(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.committee_a)
    response = client.post(reverse("portal:org_edit", args=[cast.branch_a.pk]), {"name": "x"})
    assert response.status_code == 403
    assert Organization.objects.get(pk=cast.branch_a.pk).name == "甲村党支部"


def test_pages_send_a_content_security_policy_and_have_no_inline_script(client, cast):
    client.force_login(cast.office)
    response = client.get(reverse("portal:home"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert re.search(r"script-src 'self'( 'nonce-[\w+/=-]+')?;", policy)  # a nonce only where a page uses one
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", response.content.decode())
    assert response["X-Frame-Options"] == "DENY"


def test_refused_access_is_audited(client, cast):
    client.force_login(cast.secretary_a)
    assert client.get(cast.branch_b.get_absolute_url()).status_code == 404
    entry = AuditEntry.objects.get(verb="denied")
    assert entry.actor == cast.secretary_a
    assert entry.changes["object"] == "portal.Organization"


def test_audit_retention_keeps_at_least_180_days(db, settings):
    from portal.tasks import purge_old_audit

    now = datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC)
    with time_machine.travel(now, tick=False):
        kept = AuditEntry.objects.create(verb="login", at=now - datetime.timedelta(days=179))
        expired = now - datetime.timedelta(days=settings.AUDIT_RETENTION_DAYS + 1)
        gone = AuditEntry.objects.create(verb="login", at=expired)
        assert purge_old_audit.delay().get() == 1
    assert AuditEntry.objects.filter(pk=kept.pk).exists()
    assert not AuditEntry.objects.filter(pk=gone.pk).exists()
    assert settings.AUDIT_RETENTION_DAYS >= 180


def test_production_settings_pass_the_deploy_check():
    env = {
        **os.environ,
        "DEBUG": "False",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "portal.example.org",
        "DATABASE_URL": "",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests in this process, never in deployment
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {**os.environ, "DEBUG": "False", "SECRET_KEY": "", "ALLOWED_HOSTS": "x"}
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize("value", ["yes", "1", "true"])
def test_boolean_settings_refuse_vague_values(value):
    env = {**os.environ, "DEBUG": value}
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "DEBUG must be True or False" in result.stderr


def test_roles_are_listed_in_the_admin_for_administrators(client, cast):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    RoleAssignment.objects.create(user=admin, role=Role.ADMIN)
    client.force_login(admin)
    assert client.get("/admin/").status_code == 200
