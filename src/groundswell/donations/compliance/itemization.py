"""Itemized receipts: which gifts a report itemizes, each with the donor's aggregate to date.

The counting rules are those of ``selectors`` (memo rows never counted, money net of refunds).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q, Sum
from django.utils import timezone

from groundswell.donations.compliance.rules import cycle_for, rule_for
from groundswell.donations.models import Contribution
from groundswell.donations.selectors import (
    COUNTED_STATUSES,
    NET,
    DateRange,
    contributions_counted,
    donor_filter,
    donor_identity,
    donor_identity_of,
)


@dataclass(frozen=True)
class ItemizedReceipt:
    """A receipt a report must itemize, with the donor's cycle-to-date aggregate at that gift."""

    contribution: Contribution
    donor: str
    aggregate_cents: int
    cycle: int


def _cycle_chunks(period: DateRange) -> Iterator[tuple[int, date, DateRange]]:
    """The period cut at cycle boundaries: (cycle, the cycle's first day, the part inside it)."""
    start = period.start
    while start <= period.end:
        cycle = cycle_for(start)
        cycle_first, cycle_last = date(cycle - 1, 1, 1), date(cycle, 12, 31)
        part = DateRange(start, min(period.end, cycle_last))
        yield cycle, cycle_first, part
        start = part.end + timedelta(days=1)


def itemized_receipts(*, period: DateRange, committee_id: str = "") -> Iterator[ItemizedReceipt]:
    """The receipts of a period that a report itemizes, oldest first.

    A donor is itemized when their cycle aggregate (counted gifts of the cycle, net of refunds,
    up to the end of the period) passes the cycle's itemization threshold; then every gift of
    theirs in the period is itemized, each with the aggregate-to-date as of that gift, and their
    memo rows in the period come along (marked memo, not added to the aggregate). Refunded,
    voided and charged-back gifts are not receipts here: they are reported as refunds.
    """
    for cycle, cycle_first, part in _cycle_chunks(period):
        rule = rule_for(received_at=part.start_at, committee_id=committee_id)
        cycle_start_at = DateRange(cycle_first, cycle_first).start_at
        per_donor = (
            contributions_counted()
            .filter(received_at__gte=cycle_start_at, received_at__lt=part.end_before)
            .annotate(donor=donor_identity())
            .values("donor")
            .annotate(
                total=Sum(NET),
                before=Sum(NET, filter=Q(received_at__lt=part.start_at)),
                in_part=Count("pk", filter=Q(received_at__gte=part.start_at)),
            )
            .filter(total__gt=rule.itemization_threshold_cents, in_part__gt=0)
        )
        running = {row["donor"]: row["before"] or 0 for row in per_donor}
        if not running:
            continue
        rows = (
            Contribution.objects.filter(
                Q(is_memo=True) | Q(status__in=COUNTED_STATUSES),
                received_at__gte=part.start_at,
                received_at__lt=part.end_before,
            )
            .annotate(donor=donor_identity())
            .select_related("best_efforts_request")
            .order_by("received_at", "id")
        )
        for contribution in rows.iterator(chunk_size=2000):
            if contribution.donor not in running:
                continue
            if not contribution.is_memo:
                running[contribution.donor] += contribution.net_cents
            yield ItemizedReceipt(
                contribution, contribution.donor, running[contribution.donor], cycle
            )


@dataclass(frozen=True)
class GiftItemization:
    """Where one gift stands for itemization: its cycle, the donor's aggregate, the threshold."""

    cycle: int
    aggregate_cents: int
    threshold_cents: int

    @property
    def itemized(self) -> bool:
        return self.aggregate_cents > self.threshold_cents


def gift_itemization(*, contribution: Contribution, committee_id: str = "") -> GiftItemization:
    """The donor's cycle aggregate up to and including this gift (counted gifts, net)."""
    cycle = cycle_for(timezone.localdate(contribution.received_at))
    cycle_start = DateRange(date(cycle - 1, 1, 1), date(cycle - 1, 1, 1)).start_at
    identity = donor_identity_of(contribution)
    # Gifts received at the same moment are ordered by id, as on Schedule A.
    upto = Q(received_at__lt=contribution.received_at) | Q(
        received_at=contribution.received_at, pk__lte=contribution.pk
    )
    total = (
        contributions_counted()
        .filter(donor_filter(identity), upto, received_at__gte=cycle_start)
        .aggregate(total=Sum(NET))["total"]
    )
    rule = rule_for(received_at=contribution.received_at, committee_id=committee_id)
    return GiftItemization(cycle, total or 0, rule.itemization_threshold_cents)
