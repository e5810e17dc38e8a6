"""The notices' background tasks; each is safe to run twice."""

from __future__ import annotations

from django_tasks import task

from groundswell.events.notices.messages import confirmations_send
from groundswell.events.notices.reminders import reminders_due as reminders_send_due


@task()
def confirmations_deliver(attendance_ids: list[int]) -> dict:
    """Send the confirmation, waitlist or "you're in" message each attendance is owed."""
    return confirmations_send(attendance_ids=attendance_ids)


@task()
def reminders_due() -> dict:
    """The periodic job (core's ``periodic``, every minute): the reminders owed now, once."""
    return reminders_send_due()
