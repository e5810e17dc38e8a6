"""`groundswell mailing_worker`: deliver sending mailings in this process, outside the task queue.

The task worker runs the same code (``mailings.tasks.mailing_deliver``); this command is for
running extra send workers on other machines sharing the database, and for the test that kills
a worker with SIGKILL half-way.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from groundswell.mailings.models import Mailing, MailingStatus
from groundswell.mailings.sender import mailing_work


class Command(BaseCommand):
    help = "Deliver sending mailings (one, or every one that is sending) in this process."

    def add_arguments(self, parser):
        parser.add_argument("--mailing", type=int, help="only this mailing")
        parser.add_argument(
            "--forever", action="store_true", help="keep looking for sending mailings"
        )

    def handle(self, *args, mailing: int | None = None, forever: bool = False, **options):
        while True:
            ids = (
                [mailing]
                if mailing
                else list(
                    Mailing.objects.filter(status=MailingStatus.SENDING).values_list(
                        "pk", flat=True
                    )
                )
            )
            for pk in ids:
                result = mailing_work(mailing_id=pk)
                self.stdout.write(
                    f"mailing {pk}: {result.sent} sent, {result.failed} failed, "
                    f"{result.suppressed} suppressed ({result.stopped})"
                )
            if not forever:
                return
            time.sleep(5)
