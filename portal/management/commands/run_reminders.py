"""``manage.py run_reminders [--date YYYY-MM-DD]``: one reminder pass (what beat runs daily at 07:30)."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.reminder_pass import run_pass


def iso_date(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(_("--date must be a date like 2026-03-31, not %(value)r.") % {"value": value}) from None


class Command(BaseCommand):
    help = gettext_lazy(
        "Send the reminders of one day: before each open deadline, when overdue, and the digest of late "
        "subordinates to their superiors; then publish the queued messages. Running it twice sends nothing twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", type=str, default=None, help=gettext_lazy("The day to run for (default: today), YYYY-MM-DD.")
        )

    def handle(self, *args, date, **options):
        result = run_pass(iso_date(date) if date else None)
        self.stdout.write(
            _(
                "Reminders for %(day)s: %(deadlines)d open deadlines, %(sent)d reminders and %(escalations)d digests "
                "sent, %(already)d already sent before; %(published)d queued messages published."
            )
            % {
                "day": result.day,
                "deadlines": result.deadlines,
                "sent": result.sent,
                "escalations": result.escalations,
                "already": result.already_sent,
                "published": result.published,
            }
        )
