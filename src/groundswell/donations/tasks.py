"""Background tasks of the donations app; each is safe to run twice."""

from __future__ import annotations

from dataclasses import asdict

from django_tasks import task

from groundswell.donations.intake.processing import contributions_process
from groundswell.donations.recurring.services import installments_charge_due


@task()
def recurring_charge_due() -> dict:
    """Charge the recurring installments due now (a second run at once charges nothing twice)."""
    return asdict(installments_charge_due())


@task()
def contributions_process_pending() -> int:
    """Process every received (webhook) contribution, in batches; also the sweep for lost tasks."""
    total, failed = 0, set()
    while True:
        done, errors = contributions_process(limit=50, exclude=failed)
        failed.update(errors)
        total += done - len(errors)
        if done == 0:
            return total
