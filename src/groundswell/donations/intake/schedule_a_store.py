"""One pass over a Schedule A download: gifts to the batch writer, other receipts stored apart.

``ScheduleAPass`` takes the file's rows one by one (``row_take``), routes each (a gift, another
kind of receipt, an earmark conduit's memo, half of a reattribution or redesignation), and at
the end (``finish``) writes what is left, settles amendments and refunds, applies the memo pairs
(``schedule_a_adjust``) and rebuilds the donors' limit totals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from groundswell.core.bulk import planner_statistics_refresh
from groundswell.donations.compliance.limits import donor_totals_rebuild
from groundswell.donations.intake.fec_rows import EARMARKED_TYPE, FieldProblem, ParsedRow
from groundswell.donations.intake.fec_writer import (
    ContributionWriter,
    FecImportResult,
    OtherReceiptWriter,
)
from groundswell.donations.intake.models import ReceiptKind
from groundswell.donations.intake.schedule_a_adjust import adjustments_apply, holds_release
from groundswell.donations.intake.schedule_a_import import (
    AMOUNT,
    BATCH,
    COMMITTEE,
    REQUIRED,
    _conduit_of,
    _getter,
    _is_adjustment,
    other_receipt_parse,
    row_parse,
    row_route,
)
from groundswell.donations.intake.schedule_a_lines import GIFT


@dataclass
class ScheduleAResult(FecImportResult):
    """The counts of a Schedule A import (the fields live on ``FecImportResult``, shared)."""


class ScheduleAPass:
    """The state of one import: the writer, the rows held back, the receipts to store."""

    def __init__(self, *, committee: str, on_error: Callable | None):
        self.committee = committee.strip().upper()
        self.result = ScheduleAResult()
        self.writer = ContributionWriter(result=self.result, on_error=on_error)
        self.gifts: list[ParsedRow] = []
        self.others = OtherReceiptWriter(result=self.result)
        self.adjustments: list[ParsedRow] = []

    def row_take(self, values: list[str], index: dict[str, int], line: int) -> None:
        if not any(v.strip() for v in values):
            return
        self.result.rows += 1
        if len(values) <= max(index[n] for n in REQUIRED):
            self.writer.reject(line, "", ",".join(values)[:255], "has too few columns")
            return
        row = {name: values[i] for name, i in index.items() if i < len(values)}
        if row[COMMITTEE].strip().upper() != self.committee:
            self.result.skipped += 1
            return
        try:
            self._route(row, line)
        except FieldProblem as exc:
            self.writer.reject(line, exc.column, exc.value[:255], exc.reason)

    def row_unreadable(self, line: int, reason: str) -> None:
        self.result.rows += 1
        self.writer.reject(line, "", "", f"cannot be read as CSV: {reason}"[:255])

    def _route(self, row: dict[str, str], line: int) -> None:
        kind = row_route(row)
        last = self.gifts[-1] if self.gifts else None
        if kind != GIFT and _conduit_of(row, last):
            self._conduit_name(row)
            kind = ReceiptKind.CONDUIT
        if kind != GIFT:
            self.others.add([other_receipt_parse(row, line, kind)])
            return
        parsed = row_parse(row, line)
        if _is_adjustment(row, parsed):
            self.adjustments.append(parsed)
            return
        self.gifts.append(parsed)
        if len(self.gifts) > BATCH:
            # The last gift stays: a conduit's memo row may follow and name its conduit.
            self.writer.add(self.gifts[:-1])
            self.gifts = self.gifts[-1:]

    def _conduit_name(self, row: dict[str, str]) -> None:
        """Name the conduit on the earmarked gift just before its memo row."""
        get = _getter(row)
        gift = self.gifts[-1]
        conduit = get("contributor_name") or get("conduit_committee_name") or "a conduit"
        note = gift.note if "EARMARK" in gift.note.upper() else f"Earmarked through {conduit}"
        if get(AMOUNT) and conduit.upper() not in note.upper():
            note = f"{note} ({conduit})"
        self.gifts[-1] = gift._replace(
            transaction_type=gift.transaction_type or EARMARKED_TYPE, note=note
        )
        self.result.conduits += 1

    def finish(self) -> None:
        """Write the rest; then memo pairs, amendments, refunds; then the donors' totals."""
        self.writer.add(self.gifts)
        self.gifts = []
        self.writer.flush()  # the originals the memo pairs move money from are written first
        self.others.finish()
        moved = adjustments_apply(self.adjustments, writer=self.writer, result=self.result)
        self.writer.finish()
        if self.result.created or self.result.refunded or self.result.adjusted:
            planner_statistics_refresh()
            donor_totals_rebuild()
        self.result.released += holds_release(moved)
