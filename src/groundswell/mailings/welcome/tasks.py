"""The welcome series' periodic job (registered in core's ``periodic`` command)."""

from __future__ import annotations

from django_tasks import task

from groundswell.mailings.welcome.services import welcome_process


@task()
def welcome_due() -> dict:
    """Let new people into active series and send each the steps now due, once per person."""
    return welcome_process()
