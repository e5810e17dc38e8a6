"""The A/B tests' periodic job (Django Tasks); safe to run twice or in two workers at once."""

from __future__ import annotations

from django_tasks import task

from groundswell.mailings.abtests.services import abtest_split, abtests_advance


@task()
def abtest_split_run(*, test_id: int, ip_address: str | None = None) -> str:
    """Deal a started test's audience out to its variants and send them (see abtest_split)."""
    return abtest_split(test_id=test_id, ip_address=ip_address)


@task()
def abtests_due() -> dict[str, str]:
    """Look at every running A/B test: stop tripped variants, send decided winners."""
    return {str(pk): what for pk, what in abtests_advance().items()}
