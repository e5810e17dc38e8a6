"""The events app's own background tasks (reminders live in ``notices.tasks``, host mail in
``host_tasks``); each is safe to run twice."""

from __future__ import annotations

from django_tasks import task

from groundswell.events.ladder import ladder_snapshot_due, ladder_snapshot_take


@task()
def ladder_snapshot_run() -> int:
    """Take the ladder page's figures now (asked by the page when its snapshot is missing)."""
    return len(ladder_snapshot_take())


@task()
def ladder_snapshot_hourly() -> str:
    """The periodic job: a fresh snapshot every hour for a large database (see ladder.py)."""
    return ladder_snapshot_due()
