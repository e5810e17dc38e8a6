"""`groundswell recurring run [--now ISO]`: charge the recurring installments that are due.

`groundswell serve` already charges them every 15 minutes (its `periodic` process enqueues the
task for the worker); this command is for a catch-up by hand, or for cron where `serve` is not
used. Two runs that overlap never charge one installment twice, so a slow run and the next one
can safely meet.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from groundswell.donations.recurring.services import installments_charge_due

logger = logging.getLogger(__name__)


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"--now {text!r} is not an ISO date and time (e.g. 2026-03-01T09:00:00+00:00)"
        ) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


class Command(BaseCommand):
    help = "Recurring gifts made on our pages. Actions: run (charge the installments due)."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        run = actions.add_parser(
            "run", help="charge every installment due by now", called_from_command_line=True
        )
        run.add_argument(
            "--now",
            metavar="ISO",
            help="charge what is due by this moment instead of the current time (for catching "
            "up, or testing a schedule); local time when no offset is given",
        )

    def handle(self, *args, action: str, now: str | None = None, **options):
        moment = _moment(now) if now else timezone.now()
        self._run(moment)

    def _run(self, moment: datetime) -> None:
        summary = installments_charge_due(now=moment)
        self.stdout.write(
            f"Charged {summary.charged}, declined {summary.failed} "
            f"(series cancelled: {summary.cancelled}), skipped {summary.skipped}, "
            f"processor errors {summary.errors} — due by {moment.isoformat()}"
        )
        if summary.errors:
            raise CommandError(
                f"{summary.errors} installment(s) could not reach the processor; "
                "they are tried again on the next run."
            )
