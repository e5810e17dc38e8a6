"""The FEC bulk individual-contributions file (itcont.txt) into contributions, in batches.

Pipe-delimited, no header, 21 columns. The file is read in blocks of lines (constant memory, so
multi-gigabyte files are fine) and only rows of one committee are imported. The processor id is
SUB_ID, so importing the same file again adds nothing. Memo rows (MEMO_CD "X") are kept but
flagged ``is_memo`` so totals leave them out; 15E rows (earmarked through a conduit such as
ActBlue) keep their type and name the conduit; 22Y refunds are applied to the original when
OTHER_ID/TRAN_ID link them — after the whole pass, so a refund listed before its original still
finds it — else kept as a refunded contribution with a note. A row an amended report files
again (same report and TRAN_ID, a later filing) supersedes the earlier one; the same TRAN_ID in
two reports is two gifts (``fec_amendments``). A ZIP that lost its leading zero (08003-1401
filed as 80031401) is repaired, and one that cannot be read is kept as filed: a row is rejected
only when a field a gift needs (SUB_ID, amount, date, state) cannot be read, and is reported
with its line, column and reason; valid rows are imported regardless.

Only an individual's gift becomes a contribution (``schedule_a_lines.itcont_kind``, the one
definition Schedule A and ``fec unique-donors`` use too): a row from an organisation, a
committee (ORG, PAC, COM, PTY, CCM) or the candidate (CAN, 15C) is kept as an ``OtherReceipt``
with its name whole, outside donor counts, limits and holds.

The work is split by what it needs: parsing (``fec_rows``, Django-free: it runs in a helper
process, ``core.ahead``, while this one writes the previous block), writing (``fec_writer``),
amendments (``fec_amendments``) and refunds (``fec_refunds``). The parsing names are
re-exported here, where other modules (``identity.fec``, the tests) have always found them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from groundswell.donations.intake.fec_rows import (
    BLOCK_BYTES,
    COLUMNS,
    EARMARKED_TYPE,
    FEC_TZ,
    LEADING_ZERO_ZIPS,
    REFUND_TYPE,
    WIDTHS,
    FieldProblem,
    ParsedBlock,
    ParsedRow,
    block_parse,
    blocks_read,
    cents_parse,
    election_clean,
    name_split,
    row_parse,
    zip_clean,
    zip_repair,
)

if TYPE_CHECKING:
    from groundswell.donations.intake.csv_import import ImportResult, RowError

__all__ = [
    "BLOCK_BYTES", "COLUMNS", "EARMARKED_TYPE", "FEC_TZ", "LEADING_ZERO_ZIPS", "REFUND_TYPE",
    "WIDTHS", "FieldProblem", "ParsedBlock", "ParsedRow", "block_parse", "cents_parse",
    "donor_totals_refresh", "election_clean", "fec_import", "name_split", "row_parse",
    "zip_clean", "zip_repair",
]  # fmt: skip


def donor_totals_refresh() -> None:
    """Rebuild the per-donor limit totals after a bulk write."""
    # Inside: this module must import without a configured Django (identity.fec and the
    # benchmarks read its parsing names before, or without, setting Django up).
    from groundswell.donations.compliance.limits import donor_totals_rebuild

    donor_totals_rebuild()


def fec_import(
    path: str,
    *,
    committee: str,
    source: str = "",
    progress: Callable[[int, int], None] | None = None,
    on_error: Callable[[RowError], None] | None = None,
    parallel: bool | None = None,
    limit_totals: bool = True,
) -> ImportResult:
    """Import one committee's rows of an FEC itcont.txt file; safe to run again.

    ``parallel`` parses in a helper process; by default only for files over a few blocks.
    ``limit_totals=False`` leaves rebuilding the donors' limit totals to the caller (who then
    calls ``donor_totals_refresh``), e.g. after several files.
    """
    # Inside, as above: Django and the models only once a file is imported.
    from groundswell.core.ahead import results_ahead
    from groundswell.core.bulk import planner_statistics_refresh
    from groundswell.donations.intake.fec_writer import (
        ContributionWriter,
        FecImportResult,
        OtherReceiptWriter,
    )

    del source  # FEC rows link no person, so there is no person source to record
    total = os.path.getsize(path)
    result = FecImportResult()
    committee = committee.strip().upper()
    if parallel is None:
        parallel = total > 4 * BLOCK_BYTES
    writer = ContributionWriter(result=result, on_error=on_error)
    # Rows whose entity is not a person (ORG, PAC, COM, PTY, CCM) or that are the candidate's
    # own money (CAN, 15C): kept whole, outside donor counts and limits (``itcont_kind``).
    others = OtherReceiptWriter(result=result)
    done = 0
    for block in results_ahead(block_parse, blocks_read(path, committee), parallel=parallel):
        result.rows += block.lines
        result.skipped += block.skipped
        for error in block.errors:
            writer.reject(*error)
        writer.add(block.rows)
        others.add(block.others)
        done += block.size + 1
        if progress:
            progress(min(done, total), total)
    writer.finish()
    others.finish()
    if result.created or result.refunded or result.superseded:
        planner_statistics_refresh()
        if limit_totals:
            donor_totals_refresh()
    if progress:
        progress(total, total)
    return result
