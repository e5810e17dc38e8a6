"""The bounce mailbox, read end to end: read, parse, apply to people, and only then mark seen.

The List-Unsubscribe mailto address (GROUNDSWELL_UNSUBSCRIBE_MAILTO) is meant to deliver into
the same mailbox: a message whose subject names a delivery's token unsubscribes its recipient.

Used by `groundswell bounces_read` and the periodic task. A message that cannot be applied
for a reason other than the database (a bug, an odd value) is logged and marked handled, so one
poisoned message cannot stop the mailbox; a database error stops the run with the message
unseen, to be read again next time (applying is idempotent).
"""

from __future__ import annotations

import logging
from urllib.parse import unquote, urlsplit

from django.db import DatabaseError

from groundswell.mailings.bounces.parse import Report
from groundswell.mailings.bounces.readers import mailbox_read
from groundswell.mailings.bounces.services import ApplyResult, bounce_events_apply
from groundswell.mailings.models import Delivery
from groundswell.mailings.services import delivery_unsubscribe

logger = logging.getLogger(__name__)


def mailbox_source(url: str) -> str:
    """The mailbox's address for the consent history: no password."""
    parts = urlsplit(url)
    if parts.scheme == "maildir":
        return f"maildir://{unquote(parts.path)}"[:200]
    user = unquote(parts.username or "")
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{user}@{parts.hostname}{port}{parts.path}"[:200]


class _Handler:
    """Applies each report and keeps the totals; `bad` counts messages it could not apply."""

    def __init__(self, source: str):
        self.source = source
        self.result = ApplyResult()
        self.messages = 0
        self.not_bounces = 0
        self.unsubscribed = 0
        self.bad = 0

    def __call__(self, report: Report) -> None:
        self.messages += 1
        if report.unsubscribe_token:
            self._unsubscribe(report)
            return
        if not report.events:
            self.not_bounces += 1
            logger.info("bounce mailbox: not a bounce (%s)", report.reason[:200])
            return
        try:
            self.result.merge(
                bounce_events_apply(
                    events=report.events, source=self.source, report_id=report.report_id
                )
            )
        except DatabaseError:
            raise
        except Exception:
            self.bad += 1
            logger.exception("bounce mailbox: could not apply the report %r", report.report_id)

    def _unsubscribe(self, report: Report) -> None:
        # The token is the delivery's 128 random bits, as in the one-click URL: whoever holds it
        # received the message, whichever address they write from (forwarding, aliases).
        delivery = (
            Delivery.objects.select_related("mailing", "person")
            .filter(token=report.unsubscribe_token)
            .first()
        )
        if delivery is None:
            self.not_bounces += 1
            logger.warning(
                "unsubscribe mailbox: unknown token %r (%s)",
                report.unsubscribe_token[:40],
                report.report_id[:200],
            )
            return
        if delivery_unsubscribe(delivery=delivery, via="mailto"):
            self.unsubscribed += 1


def bounce_mailbox_process(*, url: str, limit: int = 1000) -> _Handler:
    """Read up to `limit` unseen messages of the mailbox at `url` and apply them."""
    handler = _Handler(mailbox_source(url))
    mailbox_read(url=url, handle=handler, limit=limit)
    return handler
