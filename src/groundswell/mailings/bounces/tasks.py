"""The bounce mailbox's periodic read, enqueued by `groundswell periodic`. Safe to run twice:
a message is marked seen only after it was applied, and applying is idempotent."""

from __future__ import annotations

import logging

from django.conf import settings
from django_tasks import task

from groundswell.mailings.bounces.mailbox import bounce_mailbox_process

logger = logging.getLogger(__name__)


@task()
def bounces_read() -> dict:
    """Read the bounce mailbox (BOUNCE_MAILBOX_URL) once; nothing when it is not set."""
    url = settings.BOUNCE_MAILBOX_URL
    if not url:
        return {"skipped": True}
    run = bounce_mailbox_process(url=url)
    if run.result.suppressed:
        logger.info("bounce mailbox: suppressed %d addresses", len(run.result.suppressed))
    return {
        "messages": run.messages,
        "suppressed": len(run.result.suppressed),
        "counted": run.result.counted,
        "unsubscribed": run.unsubscribed,
        "bad": run.bad,
    }
