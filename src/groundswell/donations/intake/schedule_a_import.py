"""The FEC's Schedule A (itemized receipts) CSV, as downloaded from fec.gov, into contributions.

The download has the OpenFEC ``schedules/schedule_a`` shape: one header row of lower-case names
(committee_id, contributor_name, contributor_first_name, contributor_last_name,
contributor_street_1, contributor_city, contributor_state, contributor_zip,
contributor_employer, contributor_occupation, receipt_type, memo_code, memo_text,
contribution_receipt_date, contribution_receipt_amount, election_type, transaction_id,
back_reference_transaction_id, conduit_committee_id, sub_id, …), found by name so that column
order and extra columns do not matter. The same rules as the itcont import apply — only the
given committee's rows, dedupe on sub_id, memo rows flagged, 15E earmarked, 22Y refunds applied
to their original after the pass — through the same batch writer.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable
from datetime import date, datetime

from groundswell.donations.intake.fec_import import (
    EARMARKED_TYPE,
    WIDTHS,
    ContributionWriter,
    FieldProblem,
    ParsedRow,
    cents_parse,
    donor_totals_refresh,
    election_clean,
    name_split,
    zip_clean,
)

SUB_ID, DATE, AMOUNT, COMMITTEE = (
    "sub_id",
    "contribution_receipt_date",
    "contribution_receipt_amount",
    "committee_id",
)
REQUIRED = (COMMITTEE, SUB_ID, DATE, AMOUNT)
# The date as the CSV download gives it ("2026-03-15 00:00:00"), the API ("2026-03-15") or a
# spreadsheet that re-saved the file.
_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%m/%d/%Y")
BATCH = 5000


class ScheduleAFileError(ValueError):
    """The file as a whole cannot be read (no header, a required column missing)."""


def _date(text: str) -> date:
    text = text.strip()
    if not text:
        raise FieldProblem(DATE, "", "is missing")
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise FieldProblem(DATE, text, f"{text[:40]!r} is not a date (YYYY-MM-DD)")


def row_parse(row: dict[str, str], line: int) -> ParsedRow:
    """One Schedule A record (by column name) into a ParsedRow; FieldProblem says what is wrong."""

    def get(name: str) -> str:
        return (row.get(name) or "").strip()

    sub_id = get(SUB_ID)
    if not sub_id:
        raise FieldProblem(SUB_ID, "", "is missing")
    if len(sub_id) > WIDTHS["id"]:
        raise FieldProblem(SUB_ID, sub_id[:40], "is too long")
    cents = cents_parse(get(AMOUNT), AMOUNT)
    day = _date(get(DATE))
    ttype = get("receipt_type").upper()[:3]
    state = get("contributor_state").upper()
    if len(state) > 2:
        raise FieldProblem("contributor_state", state, "is not a state code")
    given = " ".join(
        p for p in (get("contributor_first_name"), get("contributor_middle_name")) if p
    )
    family = get("contributor_last_name")
    if not (given or family):
        given, family = name_split(get("contributor_name"))
    else:
        given, family = given.title(), family.title()
    conduit = get("conduit_committee_id")
    note = get("memo_text")
    if ttype == EARMARKED_TYPE and conduit and not note:
        note = f"Earmarked through {conduit}"
    tran_id = get("transaction_id")
    refers = (get("back_reference_transaction_id"), tran_id)
    return ParsedRow(
        line=line,
        sub_id=sub_id,
        cents=cents,
        day=day,
        transaction_type=ttype,
        election=election_clean(get("election_type")),
        is_memo=get("memo_code").upper() == "X",
        note=note,
        order_number=tran_id[: WIDTHS["order"]],
        refers_to=tuple(k for k in refers if k),
        given=given[: WIDTHS["name"]],
        family=family[: WIDTHS["name"]],
        city=get("contributor_city").title()[: WIDTHS["city"]],
        state=state,
        postal_code=zip_clean(get("contributor_zip"), "contributor_zip"),
        employer=get("contributor_employer")[: WIDTHS["work"]],
        occupation=get("contributor_occupation")[: WIDTHS["work"]],
        street=get("contributor_street_1")[:200],
    )


def schedule_a_import(
    path: str,
    *,
    committee: str,
    progress: Callable[[int, int], None] | None = None,
    on_error: Callable | None = None,
):
    """Import one committee's rows of an FEC Schedule A CSV download; safe to run again."""
    from groundswell.core.bulk import planner_statistics_refresh
    from groundswell.donations.intake.csv_import import ImportResult

    total = os.path.getsize(path)
    result = ImportResult()
    committee = committee.strip().upper()
    writer = ContributionWriter(result=result, on_error=on_error)
    with open(path, "rb") as raw:
        # utf-8-sig: a spreadsheet that re-saved the download adds a byte-order mark.
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")
        reader = csv.reader(text)
        header = next(reader, None)
        if header is None:
            return result
        names = [h.strip().lower() for h in header]
        missing = [name for name in REQUIRED if name not in names]
        if missing:
            raise ScheduleAFileError(
                "not a Schedule A file: missing column(s) " + ", ".join(missing)
            )
        # Of a repeated column name the first one counts.
        index = {}
        for position, name in enumerate(names):
            index.setdefault(name, position)
        batch: list[ParsedRow] = []
        for values in reader:
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue
            result.rows += 1
            if len(values) < len(names) and len(values) <= max(index[n] for n in REQUIRED):
                writer.reject(line, "", ",".join(values)[:255], "has too few columns")
                continue
            row = {name: values[i] for name, i in index.items() if i < len(values)}
            if row[COMMITTEE].strip().upper() != committee:
                result.skipped += 1
                continue
            try:
                batch.append(row_parse(row, line))
            except FieldProblem as exc:
                writer.reject(line, exc.column, exc.value[:255], exc.reason)
                continue
            if len(batch) >= BATCH:
                writer.add(batch)
                batch = []
                if progress:
                    progress(min(raw.tell(), total), total)
        writer.add(batch)
    writer.finish()
    if result.created or result.refunded:
        planner_statistics_refresh()
        donor_totals_refresh()
    if progress:
        progress(total, total)
    return result
