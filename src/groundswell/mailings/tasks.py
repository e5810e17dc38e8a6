"""Background tasks of the mailings app (Django Tasks); each is safe to run twice or at once."""

from __future__ import annotations

from dataclasses import asdict

from django_tasks import task

from groundswell.mailings.sender import mailing_work
from groundswell.mailings.services import mailings_start_due


@task()
def mailing_deliver(mailing_id: int) -> dict:
    """One worker of a send: claims batches of the ledger and delivers them at most once."""
    return asdict(mailing_work(mailing_id=mailing_id))


@task()
def mailings_due() -> list[int]:
    """Start scheduled mailings that are due and restart sends that lost their workers."""
    return mailings_start_due()
