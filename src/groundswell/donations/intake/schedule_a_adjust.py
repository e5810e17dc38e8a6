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
SUB_ID is already stored was applied when it was first imported. A memo row pointing at no gift
of ours (a partnership's attribution to its partners: the partnership's receipt is no
individual's gift) stays a plain memo row.

Only half a pair may arrive in one import (a download cut at a date, a report not yet
amended). Applying the negative half alone would lose the money from every total; applying the
positive half alone would count it twice. So a lone half is stored as a memo row that waits
(``Contribution.fec_memo_half``), named in the import's summary for finance staff, and the
import that brings its partner completes the move. A donor held over the limit is released
when the excess has moved (``holds_release``).
"""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from groundswell.donations.compliance.limits import hold_excess_cents
from groundswell.donations.intake.csv_import import ImportResult
from groundswell.donations.intake.fec_rows import ParsedRow
from groundswell.donations.intake.fec_writer import ContributionWriter
from groundswell.donations.intake.schedule_a_pairs import gifts_by_tran_id, halves_paired
from groundswell.donations.keys import name_key
from groundswell.donations.models import (
    Contribution,
    HoldResolution,
    MemoHalf,
    OtherReceipt,
    Processor,
    cents_display,
)

WAITING = (MemoHalf.WAITING_TAKE, MemoHalf.WAITING_GIVE)
LONE_KEPT = 100  # lone halves named in an import's result; all are counted


def _waiting() -> dict[str, list[Contribution]]:
    """Halves stored by earlier imports still waiting, by the gift's TRAN_ID (a partial index
    holds only these, so reading them all on each import is cheap)."""
    found = (
        Contribution.objects.select_for_update()
        .filter(processor=Processor.FEC, fec_memo_half__in=WAITING)
        .order_by("id")
    )
    waiting: dict[str, list[Contribution]] = defaultdict(list)
    for half in found:
        waiting[half.fec_back_reference].append(half)
    return waiting


class _Moves:
    """The memo pairs of one import, applied gift by gift."""

    def __init__(self, writer: ContributionWriter, result: ImportResult):
        self.writer = writer
        self.result = result
        self.plain: list[ParsedRow] = []
        self.parts: dict[str, tuple[str, Contribution]] = {}  # sub_id → (how, original)
        self.moved: dict[int, str] = {}  # original pk → HoldResolution
        self.halves: dict[str, tuple[str, str]] = {}  # new half's sub_id → (back ref, MemoHalf)

    def _lower(self, original: Contribution, cents: int, label: str) -> None:
        """Take ``cents`` from the gift (or make it a memo entry when it goes whole)."""
        how = f"{cents_display(cents)} moved by memo row {label}"
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

    def take(self, original: Contribution, row: ParsedRow) -> None:
        """The negative half: lower the gift; the row is kept as a memo row for the record."""
        cents = -row.cents
        self._lower(original, cents, row.order_number or row.sub_id)
        note = f"Memo: {cents_display(cents)} taken from contribution {original.order_number}"
        self.plain.append(row._replace(is_memo=True, note=_joined(note, row.note)))
        self.halves[row.sub_id] = (original.order_number, MemoHalf.TAKEN)

    def take_stored(self, original: Contribution, half: Contribution) -> None:
        """A negative half an earlier import stored to wait: applied now its partner is here."""
        self._lower(original, half.amount_cents, half.order_number or half.processor_id)
        note = (
            f"Memo: {cents_display(half.amount_cents)} taken from contribution "
            f"{original.order_number}"
        )
        Contribution.objects.filter(pk=half.pk).update(
            fec_memo_half=MemoHalf.TAKEN,
            note=_joined(note, half.note),
            modified_at=timezone.now(),
        )

    def give(self, original: Contribution, row: ParsedRow) -> None:
        """The positive half: a counted gift, to another election or another donor."""
        same_donor = name_key(row.given, row.family, row.postal_code) == original.donor_key
        how = "redesignated" if same_donor else "reattributed"
        note = f"{cents_display(row.cents)} {how} from contribution {original.order_number}"
        self.plain.append(row._replace(is_memo=False, note=_joined(note, row.note)))
        self.parts[row.sub_id] = (how, original)
        self.halves[row.sub_id] = (original.order_number, MemoHalf.GIVEN)
        self.moved[original.pk] = (
            HoldResolution.REDESIGNATED if same_donor else HoldResolution.REATTRIBUTED
        )

    def give_stored(self, original: Contribution, half: Contribution) -> None:
        """A positive half an earlier import stored to wait: now a counted gift."""
        same_donor = half.donor_key == original.donor_key
        how = "redesignated" if same_donor else "reattributed"
        note = f"{cents_display(half.amount_cents)} {how} from contribution {original.order_number}"
        Contribution.objects.filter(pk=half.pk).update(
            is_memo=False,
            fec_memo_half=MemoHalf.GIVEN,
            note=_joined(note, half.note),
            redesignated_from=original.election if same_donor else "",
            reattributed_from=None if same_donor else original,
            modified_at=timezone.now(),
        )
        self.moved[original.pk] = (
            HoldResolution.REDESIGNATED if same_donor else HoldResolution.REATTRIBUTED
        )

    def wait(self, back: str, row: ParsedRow) -> None:
        """A half whose partner (or gift) has not arrived: a memo row, counted nowhere yet."""
        half = MemoHalf.WAITING_TAKE if row.cents < 0 else MemoHalf.WAITING_GIVE
        self.plain.append(row._replace(is_memo=True))
        self.halves[row.sub_id] = (back, half)

    def links_write(self) -> None:
        """Point each new part at where it came from, once the writer has inserted it."""
        for sub_id, (how, original) in self.parts.items():
            part = Contribution.objects.filter(processor=Processor.FEC, processor_id=sub_id)
            if how == "redesignated":
                part.update(redesignated_from=original.election)
            else:
                part.update(reattributed_from=original)

    def halves_write(self) -> None:
        """Mark each new half with the gift it points at and where it stands."""
        groups: dict[tuple[str, str], list[str]] = defaultdict(list)
        for sub_id, where in self.halves.items():
            groups[where].append(sub_id)
        for (back, half), sub_ids in groups.items():
            Contribution.objects.filter(processor=Processor.FEC, processor_id__in=sub_ids).update(
                fec_back_reference=back, fec_memo_half=half
            )


def _joined(first: str, second: str) -> str:
    return f"{first}; {second}" if second else first


def _lone(
    back: str, halves: list[tuple[str, int]], *, gift_missing: bool = False, reason=None
) -> list[str]:
    """How a lone half is reported: its TRAN_ID, amount and what it waits for."""

    def waits_for(cents: int) -> str:
        if reason:
            return reason
        if gift_missing:
            return "the gift itself is not imported yet"
        return f"waiting for its {'positive' if cents < 0 else 'negative'} half"

    return [
        f"{label} ({'-' if cents < 0 else '+'}{cents_display(abs(cents))}) on gift {back}: "
        + waits_for(cents)
        for label, cents in halves
    ]


def _lone_report(
    result, back: str, alone: list[tuple[str, int]], *, gift_missing=False, reason=None
) -> None:
    result.lone_count += len(alone)
    room = max(0, LONE_KEPT - len(result.lone_halves))
    result.lone_halves.extend(_lone(back, alone[:room], gift_missing=gift_missing, reason=reason))


def _signed(half: Contribution) -> int:
    """A stored half's amount with the sign it was filed with (stored as its absolute value)."""
    return -half.amount_cents if half.fec_memo_half == MemoHalf.WAITING_TAKE else half.amount_cents


def adjustments_apply(
    rows: list[ParsedRow], *, writer: ContributionWriter, result
) -> dict[int, str]:
    """Apply the memo pairs; returns the gifts whose money moved (pk → how, for the holds).

    A pair may arrive split over imports, even before the gift it moves: a half that came
    alone is stored waiting (``MemoHalf.WAITING_*``, reported in ``result.lone_halves``) and
    the import that brings what it lacked completes the move. Each half is applied once.
    """
    moves = _Moves(writer, result)
    with transaction.atomic():
        # Which gift each half moves money from, as real filings say it (the negative half
        # seldom names it); a negative memo row paired with nothing is a plain memo row.
        rows, unpaired = halves_paired(rows, writer.election_on)
        moves.plain.extend(unpaired)
        groups: dict[str, list[ParsedRow]] = defaultdict(list)
        for row in rows:
            groups[row.refers_to[0]].append(row)
        waiting = _waiting()
        originals = gifts_by_tran_id(set(groups) | set(waiting), lock=True)
        known = set(
            Contribution.objects.filter(
                processor=Processor.FEC, processor_id__in=[r.sub_id for r in rows]
            ).values_list("processor_id", flat=True)
        )
        not_gifts = _other_receipts(set(groups) - set(originals))
        for back in sorted(set(groups) | set(waiting)):
            group = groups.get(back, [])
            fresh = [r for r in group if r.sub_id not in known]
            result.unchanged += len(group) - len(fresh)  # applied when first imported
            original = originals.get(back)
            if original is None and (back in not_gifts or not fresh):
                # It points at a receipt that is no individual's gift (a partnership's
                # attribution to its partners): memo rows as filed. Or nothing new arrived.
                moves.plain.extend(fresh if back in not_gifts else [])
                continue
            if original is None:
                for row in fresh:
                    moves.wait(back, row)
                alone = [(r.order_number or r.sub_id, r.cents) for r in fresh]
                _lone_report(result, back, alone, gift_missing=True)
                continue
            _pair_apply(moves, original, fresh, waiting.get(back, []))
        writer.add(moves.plain)
        writer.flush()
        moves.links_write()
        moves.halves_write()
    return moves.moved


def _other_receipts(keys: set[str]) -> set[str]:
    """Of these TRAN_IDs, those of a stored receipt that is not an individual's gift."""
    if not keys:
        return set()
    found = OtherReceipt.objects.filter(transaction_id__in=keys)
    return set(found.values_list("transaction_id", flat=True))


def _pair_apply(
    moves: _Moves, original: Contribution, fresh: list[ParsedRow], stored: list[Contribution]
) -> None:
    """Complete the gift's pair when both halves are here (new or waiting), else wait.

    Halves that only waited (nothing new for this gift in this import) keep waiting quietly:
    they were reported when they arrived.
    """
    takes = [r for r in fresh if r.cents < 0]
    gives = [r for r in fresh if r.cents > 0]
    stored_takes = [h for h in stored if h.fec_memo_half == MemoHalf.WAITING_TAKE]
    stored_gives = [h for h in stored if h.fec_memo_half == MemoHalf.WAITING_GIVE]
    taken = -sum(r.cents for r in takes) + sum(h.amount_cents for h in stored_takes)
    given = sum(r.cents for r in gives) + sum(h.amount_cents for h in stored_gives)
    # A move neither makes money nor loses it: the halves balance, within what the gift holds.
    balanced = taken == given and taken <= original.amount_cents
    if (takes or stored_takes) and (gives or stored_gives) and balanced:
        for row in takes:
            moves.take(original, row)
        for half in stored_takes:
            moves.take_stored(original, half)
        for row in gives:
            moves.give(original, row)
        for half in stored_gives:
            moves.give_stored(original, half)
        moves.result.adjusted += len(takes) + len(stored_takes) + len(gives) + len(stored_gives)
        return
    if not fresh:
        return
    for row in fresh:
        moves.wait(original.order_number, row)
    alone = [(r.order_number or r.sub_id, r.cents) for r in fresh]
    alone += [(h.order_number or h.processor_id, _signed(h)) for h in stored]
    unbalanced = None
    if taken and given:
        unbalanced = (
            f"its halves do not balance ({cents_display(taken)} taken, "
            f"{cents_display(given)} given, the gift {cents_display(original.amount_cents)})"
        )
    _lone_report(moves.result, original.order_number, alone, reason=unbalanced)


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
