"""``manage.py seed_demo``: the demo city of 吴江市 with one account per role (see README, "Demo accounts")."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from awards import demo as awards_demo
from campaigns.demo_agreements import build_demo_agreements
from commitments.demo import build_demo_campaign
from evaluations import demo as reviews_demo
from evaluations import demo_branch, mass_demo
from portal.demo import (
    DEFAULT_MEMBERS,
    DEFAULT_ORGS,
    account_rows,
    build_demo_city,
    build_demo_notifications,
    clashing_usernames,
    demo_city_exists,
    minimums,
)
from portal.models import Unit


class Command(BaseCommand):
    help = gettext_lazy(
        "Build the demo city (吴江市: towns, development zones, organizations, members, two-new units), "
        "one account per role and the demo campaign with commitments in every state. Deterministic; does nothing "
        "when the demo city is already there."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--orgs",
            type=int,
            default=DEFAULT_ORGS,
            help=gettext_lazy("Number of organizations (default %(default)s; 100000 for a province-sized benchmark)."),
        )
        parser.add_argument(
            "--members",
            type=int,
            default=DEFAULT_MEMBERS,
            help=gettext_lazy("Number of party members (default %(default)s; 3000000 for a benchmark)."),
        )
        parser.add_argument(
            "--commitments",
            type=int,
            default=None,
            help=gettext_lazy(
                "Organizations with commitments in the demo campaign besides the fixed showcase (default: all, "
                "about one commitment per organization; 0 for the showcase only, e.g. to seed a benchmark faster)."
            ),
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help=gettext_lazy("Create the demo accounts even though DEBUG is off."),
        )

    def handle(self, *args, orgs, members, commitments, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                _(
                    "DEBUG is off, so this looks like a production site: seed_demo would create accounts with "
                    "a published password. Nothing was changed. Add --force if you really want the demo here."
                )
            )
        if demo_city_exists():
            self.stdout.write(_("The demo city is already in the database: nothing was changed."))
        else:
            self._build(orgs, members, commitments)
        self._print_accounts()

    def _build(self, orgs, members, commitments):
        min_orgs, min_members = minimums()
        if orgs < min_orgs:
            raise CommandError(_("--orgs must be at least %(n)d (the fixed part of the demo city).") % {"n": min_orgs})
        if members < min_members:
            raise CommandError(
                _("--members must be at least %(n)d (the members of its fixed branches).") % {"n": min_members}
            )
        if commitments is not None and commitments < 0:
            raise CommandError(_("--commitments must be 0 or more."))
        if clashes := clashing_usernames():
            raise CommandError(
                _("These users already exist and the demo needs their names: %(names)s. Use a fresh database.")
                % {"names": ", ".join(clashes)}
            )
        started = time.monotonic()
        with transaction.atomic():
            build_demo_city(orgs, members)
            campaign = build_demo_campaign(limit=commitments)
            build_demo_agreements()
            # The campaign's later steps, each on what the earlier ones left: the organizations' own
            # reviews, the superiors' scores, the mass evaluation, then the awards that draw on them all.
            for step in (demo_branch, reviews_demo, mass_demo, awards_demo):
                step.seed(campaign)
            build_demo_notifications()
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Built the demo city: %(orgs)d organizations, %(members)d members, %(units)d two-new units "
                    "in %(seconds).1f s."
                )
                % {
                    "orgs": orgs,
                    "members": members,
                    "units": Unit.objects.count(),
                    "seconds": time.monotonic() - started,
                }
            )
        )
        rows = campaign.commitments.all()
        self.stdout.write(
            _("The demo campaign %(name)s: %(commitments)d commitments, %(published)d of them on the public boards.")
            % {"name": campaign.name, "commitments": rows.count(), "published": rows.published().count()}
        )

    def _print_accounts(self):
        self.stdout.write(
            _("Demo accounts, all with the password %(password)s:") % {"password": settings.DEMO_PASSWORD}
        )
        for username, role, organization in account_rows():
            where = f" · {organization}" if organization else ""
            self.stdout.write(f"  {username:<10} {role}{where}")
        self.stdout.write(
            _("Open %(url)s and log in; the admin account also opens %(admin)s.")
            % {"url": f"{settings.SITE_URL}/", "admin": f"{settings.SITE_URL}/admin/"}
        )
