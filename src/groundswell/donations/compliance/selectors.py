"""Reads of the compliance queues for pages outside them (the staff home): how many gifts wait
for a person, counted as the queues' own pages count them."""

from __future__ import annotations

from dataclasses import dataclass

from groundswell.accounts.roles import FINANCE_VIEW
from groundswell.core.pagination import CappedCount, count_capped
from groundswell.donations.compliance.best_efforts import best_efforts_queue
from groundswell.donations.compliance.holds import holds_pending


@dataclass(frozen=True)
class ComplianceQueues:
    holds: CappedCount  # gifts held over the limit, not yet resolved
    best_efforts: CappedCount  # itemized gifts missing employer or occupation, never asked


def compliance_queues(*, user) -> ComplianceQueues | None:
    """The holds and best-efforts queues' sizes; None for a role without finance data."""
    if not user.can(FINANCE_VIEW):
        return None
    return ComplianceQueues(
        holds=count_capped(holds_pending()),
        best_efforts=count_capped(best_efforts_queue(state="not_asked")),
    )
