"""The A/B tests' periodic job (Django Tasks); safe to run twice or in two workers at once."""

from __future__ import annotations

from django_tasks import task

from groundswell.mailings.abtests.services import abtests_advance


@task()
def abtests_due() -> dict[str, str]:
    """Look at every running A/B test: stop tripped variants, send decided winners."""
    return {str(pk): what for pk, what in abtests_advance().items()}
