"""Reattribution and redesignation memo rows of a Schedule A download, applied with their sign.

A committee that redesignates part of a gift to another election, or reattributes it to another
donor (a joint account holder), files two memo rows linked to the gift by
back_reference_transaction_id: a negative one taking the amount from the gift as first filed
(−3,500 for the primary) and a positive one giving it where it now belongs (+3,500 for the
general, or to the spouse). Both are memo rows, so the committee's total from individuals does
not change; what changes is whose total, and which election's, the money counts toward.

Applied here as the filing says: the negative row lowers the gift (or, when it takes the whole
gift, leaves it as a memo entry) and is kept as a memo row for the record; the positive row
becomes a counted gift, ``redesignated_from`` the gift's election when the donor is the same,
``reattributed_from`` the gift when it is someone else. Each row is applied once: a row whose
SUB_ID is already stored was applied when it was first imported. A memo row with a back
reference but no negative partner (a partnership's attribution to its partners, say) stays a
plain memo row. A donor held over the limit is released when the excess has moved
(``holds_release``).
"""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from groundswell.donations.compliance.limits import hold_excess_cents
from groundswell.donations.intake.csv_import import ImportResult
from groundswell.donations.intake.fec_rows import REFUND_TYPE, ParsedRow
from groundswell.donations.intake.fec_writer import ContributionWriter
from groundswell.donations.keys import name_key
from groundswell.donations.models import (
    Contribution,
    ContributionStatus,
    HoldResolution,
    Processor,
    cents_display,
)


def _originals(keys: set[str]) -> dict[str, Contribution]:
    """The gifts the memo rows point at, by TRAN_ID, locked (the latest filing's row wins)."""
    found = (
        Contribution.objects.select_for_update()
        .filter(processor=Processor.FEC, order_number__in=keys, is_memo=False)
        .exclude(status=ContributionStatus.VOIDED)
        .exclude(transaction_type=REFUND_TYPE)
        # Later filings last, so that an amendment's row wins over the row it repeats.
        .order_by(F("fec_file_number").asc(nulls_first=True), "id")
    )
    return {gift.order_number: gift for gift in found}


class _Moves:
    """The memo pairs of one import, applied gift by gift."""

    def __init__(self, writer: ContributionWriter, result: ImportResult):
        self.writer = writer
        self.result = result
        self.plain: list[ParsedRow] = []
        self.parts: dict[str, tuple[str, Contribution]] = {}  # sub_id → (how, original)
        self.moved: dict[int, str] = {}  # original pk → HoldResolution

    def take(self, original: Contribution, row: ParsedRow) -> None:
        """The negative half: lower the gift (or make it a memo entry when it goes whole)."""
        cents = -row.cents
        how = f"{cents_display(cents)} moved by memo row {row.order_number or row.sub_id}"
        if cents < original.amount_cents:
            original.amount_cents -= cents
            original.refunded_cents = min(original.refunded_cents, original.amount_cents)
        else:
            original.is_memo = True
        original.note = f"{original.note}; {how}" if original.note else how
        Contribution.objects.filter(pk=original.pk).update(
            amount_cents=original.amount_cents,
            refunded_cents=original.refunded_cents,
            is_memo=original.is_memo,
            note=original.note,
            modified_at=timezone.now(),
        )
        note = f"Memo: {cents_display(cents)} taken from contribution {original.order_number}"
        self.plain.append(row._replace(is_memo=True, note=_joined(note, row.note)))

    def give(self, original: Contribution, row: ParsedRow) -> None:
        """The positive half: a counted gift, to another election or another donor."""
        same_donor = name_key(row.given, row.family, row.postal_code) == original.donor_key
        how = "redesignated" if same_donor else "reattributed"
        note = f"{cents_display(row.cents)} {how} from contribution {original.order_number}"
        self.plain.append(row._replace(is_memo=False, note=_joined(note, row.note)))
        self.parts[row.sub_id] = (how, original)
        self.moved[original.pk] = (
            HoldResolution.REDESIGNATED if same_donor else HoldResolution.REATTRIBUTED
        )

    def links_write(self) -> None:
        """Point each new part at where it came from, once the writer has inserted it."""
        for sub_id, (how, original) in self.parts.items():
            part = Contribution.objects.filter(processor=Processor.FEC, processor_id=sub_id)
            if how == "redesignated":
                part.update(redesignated_from=original.election)
            else:
                part.update(reattributed_from=original)


def _joined(first: str, second: str) -> str:
    return f"{first}; {second}" if second else first


def adjustments_apply(
    rows: list[ParsedRow], *, writer: ContributionWriter, result
) -> dict[int, str]:
    """Apply the memo pairs; returns the gifts whose money moved (pk → how, for the holds)."""
    groups: dict[str, list[ParsedRow]] = defaultdict(list)
    for row in rows:
        groups[row.refers_to[0]].append(row)
    moves = _Moves(writer, result)
    with transaction.atomic():
        originals = _originals(set(groups))
        known = set(
            Contribution.objects.filter(
                processor=Processor.FEC, processor_id__in=[r.sub_id for r in rows]
            ).values_list("processor_id", flat=True)
        )
        for back, group in groups.items():
            original = originals.get(back)
            if original is None or not any(r.cents < 0 for r in group):
                moves.plain.extend(group)  # memo rows as filed
                continue
            for row in group:
                if row.sub_id in known:
                    result.unchanged += 1  # applied when its file was first imported
                    continue
                if row.cents < 0:
                    moves.take(original, row)
                else:
                    moves.give(original, row)
                result.adjusted += 1
        writer.add(moves.plain)
        writer.flush()
        moves.links_write()
    return moves.moved


def holds_release(moved: dict[int, str]) -> int:
    """Release the holds the moved money resolved (the donor is within the limit again)."""
    released = 0
    held = Contribution.objects.filter(
        pk__in=list(moved), held_at__isnull=False, hold_resolution=""
    )
    for gift in held:
        if hold_excess_cents(contribution=gift):
            continue
        Contribution.objects.filter(pk=gift.pk).update(
            hold_resolution=moved[gift.pk], hold_resolved_at=timezone.now()
        )
        released += 1
    return released
