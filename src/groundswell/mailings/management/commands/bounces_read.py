"""`groundswell bounces_read [--once]`: read the bounce mailbox and apply its bounces and
complaints to people (the periodic job does the same every few minutes)."""

from __future__ import annotations

import imaplib
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from groundswell.mailings.bounces.mailbox import bounce_mailbox_process


class Command(BaseCommand):
    help = (
        "Read the bounce mailbox (BOUNCE_MAILBOX_URL, or --url): parse each unseen DSN or ARF "
        "report, suppress bouncing and complaining addresses, then mark the message seen."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="read once, then exit")
        parser.add_argument("--url", help="a mailbox other than BOUNCE_MAILBOX_URL")
        parser.add_argument("--every", type=int, default=300, help="seconds between reads")
        parser.add_argument("--limit", type=int, default=1000, help="messages per read")

    def handle(self, *args, once=False, url=None, every=300, limit=1000, **options):
        url = url or settings.BOUNCE_MAILBOX_URL
        if not url:
            raise CommandError("no bounce mailbox: set BOUNCE_MAILBOX_URL (see the README)")
        while True:
            try:
                run = bounce_mailbox_process(url=url, limit=max(1, limit))
            except (ValueError, OSError, imaplib.IMAP4.error) as exc:
                raise CommandError(f"cannot read the bounce mailbox: {exc}") from None
            result = run.result
            self.stdout.write(
                f"{run.messages} messages: {len(result.suppressed)} addresses suppressed, "
                f"{result.counted} soft bounces counted, {result.repeated} already applied, "
                f"{result.unknown} not ours, {run.not_bounces} not bounces, "
                f"{run.unsubscribed} unsubscribed by e-mail, "
                f"{run.bad} could not be applied"
            )
            if once:
                return
            time.sleep(max(1, every))
