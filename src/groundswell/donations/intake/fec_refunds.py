"""FEC 22Y refunds applied to the gifts they refund, after the import's pass.

A refund row names its original through OTHER_ID (itcont) or back_reference_transaction_id
(Schedule A), or shares its TRAN_ID. It is applied after the whole pass, so a refund listed
before its original still finds it. A refund whose original is not in the database is kept on
its own as a refunded contribution with a note (returned to the writer, which inserts it).

In phases sharing one small state object (``_RefundBatch``): lock the originals, match each
refund to one, apply it (through ``contribution_refund`` when a person is linked, so the
timeline gets its entry; in bulk otherwise), write the changed originals.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from groundswell.core.bulk import bulk_update_fields
from groundswell.donations.intake.csv_import import ImportResult
from groundswell.donations.intake.fec_rows import FEC_TZ, REFUND_TYPE, ParsedRow
from groundswell.donations.models import Contribution, ContributionStatus, Processor
from groundswell.donations.services import contribution_refund

_ORIGINAL_FIELDS = (
    "id", "processor", "processor_id", "order_number", "amount_cents", "refunded_cents",
    "refund_keys", "status", "person", "fec_report", "received_at",
)  # fmt: skip


def _fit(gift: Contribution, committee: str, row: ParsedRow) -> tuple:
    """How well a gift fits a refund (higher is better); ties go to the earliest id."""
    received = gift.received_at.astimezone(FEC_TZ).date()
    return (
        not committee or gift.fec_report.partition(" ")[0] in ("", committee),
        gift.status != ContributionStatus.VOIDED,
        received <= row.day,
        received.toordinal() if received <= row.day else -received.toordinal(),
        -gift.pk,
    )


class _RefundBatch:
    """One batch of refunds: the originals found, what changed, and the refunds left alone."""

    def __init__(self, refunds: list[ParsedRow], result: ImportResult):
        self.refunds = refunds
        self.result = result
        self.originals: dict[str, list[Contribution]] = {}
        self.changed: dict[int, Contribution] = {}
        self.lone: list[ParsedRow] = []

    def originals_lock(self) -> None:
        """Lock the gifts the refunds may name: a webhook or import refunding one waits."""
        keys = {key for row in self.refunds for key in row.refers_to}
        found = (
            Contribution.objects.select_for_update()
            .filter(processor=Processor.FEC, order_number__in=keys)
            .exclude(transaction_type=REFUND_TYPE)
            .only(*_ORIGINAL_FIELDS)
            .order_by("id")
        )
        for contribution in found:
            self.originals.setdefault(contribution.order_number, []).append(contribution)

    def original_of(self, row: ParsedRow) -> Contribution | None:
        """The gift a refund names. A TRAN_ID is unique only within a report, so of several
        gifts sharing it the refund takes one of its own committee, standing (not superseded
        by an amendment), received by the refund's day — the latest such — else the first."""
        committee = row.report.partition(" ")[0]
        for key in row.refers_to:
            candidates = [c for c in self.originals.get(key, ()) if c.processor_id != row.sub_id]
            if candidates:
                return max(candidates, key=lambda c: _fit(c, committee, row))
        return None

    def apply(self, row: ParsedRow, original: Contribution) -> None:
        """Apply one refund to its original (each refund once: its key is remembered)."""
        key = f"fec:{row.sub_id}"
        cents = abs(row.cents)
        received_at = datetime(row.day.year, row.day.month, row.day.day, 12, tzinfo=FEC_TZ)
        if original.person_id:
            # A linked person gets a timeline entry: the service writes it.
            _, done = contribution_refund(
                processor=original.processor,
                processor_id=original.processor_id,
                refund_cents=cents,
                refund_key=key,
                refunded_at=received_at,
            )
            self._count(done)
            return
        if key in original.refund_keys:
            self._count(False)
            return
        original.refunded_cents = min(original.amount_cents, original.refunded_cents + cents)
        original.refund_keys = [*original.refund_keys, key]
        original.refunded_at = received_at
        original.status = (
            ContributionStatus.REFUNDED
            if original.refunded_cents >= original.amount_cents
            else ContributionStatus.PARTIALLY_REFUNDED
        )
        original.modified_at = timezone.now()
        self.changed[original.pk] = original
        self.result.refunded += 1

    def write(self) -> None:
        bulk_update_fields(
            Contribution,
            list(self.changed.values()),
            ["refunded_cents", "refund_keys", "refunded_at", "status", "modified_at"],
        )

    def _count(self, done: bool) -> None:
        if done:
            self.result.refunded += 1
        else:
            self.result.unchanged += 1


def refunds_apply(refunds: list[ParsedRow], *, result: ImportResult) -> list[ParsedRow]:
    """Apply a batch of refunds to their originals; returns the refunds that found none."""
    batch = _RefundBatch(refunds, result)
    with transaction.atomic():
        batch.originals_lock()
        for row in refunds:
            original = batch.original_of(row)
            if original is None:
                batch.lone.append(row)
            else:
                batch.apply(row, original)
        batch.write()
    return batch.lone
