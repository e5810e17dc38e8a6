"""What the person page shows of someone's giving (finance roles only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, F, Max, Min, Q, Sum

from groundswell.donations.models import (
    Contribution,
    ContributionStatus,
    RecurringSeries,
    cents_display,
)

# Gifts that never reached the campaign count for nothing; refunds are netted out.
_NOT_COUNTED = (ContributionStatus.CHARGED_BACK, ContributionStatus.VOIDED)


@dataclass
class PersonGiving:
    gifts: int
    net_cents: int
    largest_cents: int
    first_at: datetime | None
    last_at: datetime | None
    held: int
    active_series: list[RecurringSeries]
    recent: list[Contribution]
    donor_identity: str

    @property
    def net_display(self) -> str:
        return cents_display(max(0, self.net_cents))

    @property
    def largest_display(self) -> str:
        return cents_display(self.largest_cents)


def person_giving(*, person_id: int, recent: int = 5) -> PersonGiving | None:
    """A person's giving in brief (memo rows excluded), or None when they never gave."""
    counted = Contribution.objects.filter(person_id=person_id, is_memo=False).exclude(
        status__in=_NOT_COUNTED
    )
    stats = counted.aggregate(
        gifts=Count("id"),
        net=Sum(F("amount_cents") - F("refunded_cents")),
        largest=Max("amount_cents"),
        first=Min("received_at"),
        last=Max("received_at"),
        held=Count("id", filter=Q(held_at__isnull=False, hold_resolution="")),
    )
    if not stats["gifts"]:
        return None
    return PersonGiving(
        gifts=stats["gifts"],
        net_cents=int(stats["net"] or 0),
        largest_cents=int(stats["largest"] or 0),
        first_at=stats["first"],
        last_at=stats["last"],
        held=stats["held"],
        active_series=list(
            RecurringSeries.objects.filter(
                person_id=person_id,
                status__in=[RecurringSeries.Status.ACTIVE, RecurringSeries.Status.FAILING],
            )[:5]
        ),
        recent=list(counted.order_by("-received_at", "-id")[:recent]),
        donor_identity=f"p:{person_id}",
    )
