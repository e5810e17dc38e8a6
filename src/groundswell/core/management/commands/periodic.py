"""`groundswell periodic`: enqueue the jobs that run on a clock, for the task worker to run.

`groundswell serve` starts it beside the worker. It only enqueues: the work itself runs in the
task worker, where every one of these tasks is safe to run twice (so a restart that enqueues a
job early, or two schedulers at once, do no harm).
"""

from __future__ import annotations

import logging
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

# (task, every so many seconds, why)
JOBS = (
    # ActBlue webhook gifts are processed by a task enqueued with each delivery; this sweep
    # picks up any whose task was lost (a crash between commit and enqueue).
    ("groundswell.donations.tasks.contributions_process_pending", 60),
    # Recurring gifts on our own pages fall due; installments are claimed before charging.
    ("groundswell.donations.tasks.recurring_charge_due", 900),
    # Public sign-ups are stored, then turned into people by a task enqueued with each; this
    # sweep picks up any whose task was lost, so a thanked visitor is never dropped.
    ("groundswell.actions.tasks.submissions_process_pending", 60),
    # RSVPs are stored, then placed on their shifts by a task enqueued with each; this sweep
    # places any whose task was lost, so an acknowledged RSVP is never dropped.
    ("groundswell.events.tasks.rsvps_place_pending", 60),
    # An import whose worker was killed mid-file resumes from its last committed batch.
    ("groundswell.people.tasks.people_imports_resume_stale", 60),
    # The bounce mailbox (BOUNCE_MAILBOX_URL; nothing when unset): bounces and complaints
    # suppress addresses before the next mailing goes out.
    ("groundswell.mailings.bounces.tasks.bounces_read", 300),
    # Scheduled mailings start when due; a send whose workers died is restarted.
    ("groundswell.mailings.tasks.mailings_due", 60),
    # Running A/B tests: the circuit breaker stops variants, decided winners go to the rest.
    ("groundswell.mailings.abtests.tasks.abtests_due", 60),
    # Welcome series: new sign-ups enter, and each step due goes out once per person.
    ("groundswell.mailings.welcome.tasks.welcome_due", 60),
    # Event reminders (24 h and 2 h before a shift, or the event's own offsets), once each.
    ("groundswell.events.notices.tasks.reminders_due", 60),
    # The ladder page's figures for a database too large to count on each view (hourly).
    ("groundswell.events.ladder.tasks.ladder_snapshot_hourly", 900),
    # The dashboards' DuckDB extract: refreshed here so a page view's own refresh is small.
    ("groundswell.analytics.tasks.analytics_extract_refresh", 300),
)


class Command(BaseCommand):
    help = (
        "Enqueue periodic jobs (webhook and sign-up sweeps, recurring charges, stale imports) "
        "for the task worker."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="enqueue every job once, then exit")

    def handle(self, *args, once: bool = False, **options):
        tasks = []
        for path, every in JOBS:
            try:
                tasks.append((import_string(path), every))
            except ImportError as exc:
                raise CommandError(f"cannot load periodic task {path}: {exc}") from None
        due = [0.0] * len(tasks)
        while True:
            now = time.monotonic()
            for index, (task, every) in enumerate(tasks):
                if now >= due[index]:
                    try:
                        task.enqueue()
                    except Exception:
                        # The database may be restarting: try again at the next tick.
                        logger.exception("could not enqueue %s", task.name)
                        continue
                    due[index] = now + every
            if once:
                return
            time.sleep(max(1.0, min(due) - time.monotonic()))
