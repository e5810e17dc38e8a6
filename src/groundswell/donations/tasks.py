"""Background tasks of the donations app; each is safe to run twice."""

from __future__ import annotations

from dataclasses import asdict

from django_tasks import task


@task()
def recurring_charge_due() -> dict:
    """Charge the recurring installments due now (a second run at once charges nothing twice)."""
    from groundswell.donations.recurring import installments_charge_due

    return asdict(installments_charge_due())
