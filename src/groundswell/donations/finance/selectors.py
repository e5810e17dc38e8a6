"""Finance reads beyond the gifts: the receipts that are not individuals' contributions.

"Raised from individuals" is ``selectors.money_totals(...).net_cents`` and nothing else: every
``Contribution`` is an individual's gift (a Schedule A import keeps loans, the candidate's and
committees' money, transfers and offsets apart, as ``OtherReceipt``), so that one function is
the one definition the overview, the dashboards and the checks against a filing share.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet, Sum

from groundswell.donations.models import OtherReceipt, ReceiptKind
from groundswell.donations.selectors import DateRange, money_totals


def raised_from_individuals_cents(*, period: DateRange) -> int:
    """Net money from individuals in the range (refunds, memo rows and voided rows left out)."""
    return money_totals(period=period).net_cents


@dataclass(frozen=True)
class ReceiptTotal:
    kind: str
    label: str
    cents: int
    count: int


def other_receipts_list(*, kind: str = "") -> QuerySet[OtherReceipt]:
    """Every receipt that is not a gift, newest first; one kind when ``kind`` names one."""
    rows = OtherReceipt.objects.all()
    if kind in ReceiptKind.values:
        rows = rows.filter(kind=kind)
    return rows.order_by("-received_at", "-id")


def other_receipts_totals(*, period: DateRange) -> list[ReceiptTotal]:
    """Receipts that are not gifts, per kind, in the range (memo entries left out), most first."""
    rows = (
        OtherReceipt.objects.filter(
            is_memo=False,
            superseded=False,
            received_at__gte=period.start_at,
            received_at__lt=period.end_before,
        )
        .values("kind")
        .annotate(cents=Sum("amount_cents"), count=Count("pk"))
        .order_by("-cents", "kind")
    )
    labels = dict(ReceiptKind.choices)
    return [
        ReceiptTotal(r["kind"], labels.get(r["kind"], r["kind"]), r["cents"] or 0, r["count"])
        for r in rows
    ]
