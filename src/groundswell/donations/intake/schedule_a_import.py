"""The FEC's Schedule A (itemized receipts) CSV, as downloaded from fec.gov, into contributions.

The download has the OpenFEC ``schedules/schedule_a`` shape: one header row of lower-case names
(committee_id, filing_form, line_number, entity_type, contributor_name, contributor_first_name,
contributor_last_name, contributor_street_1, contributor_city, contributor_state,
contributor_zip, contributor_employer, contributor_occupation, receipt_type, memo_code,
memo_text, contribution_receipt_date, contribution_receipt_amount, election_type,
transaction_id, back_reference_transaction_id, conduit_committee_id, report_type, report_year,
file_number, amendment_indicator, sub_id, …), found by name so that column order and extra
columns do not matter. Only the given committee's rows are read, deduped on sub_id.

What each row becomes (``schedule_a_lines.receipt_kind``):

- an individual's contribution (line 11AI, entity IND) is a gift, through the itcont import's
  batch writer: memo rows flagged, 15E earmarked, 22Y refunds applied after the pass;
- everything else (the candidate's loans and own money, committees' money, transfers, offsets)
  is an ``OtherReceipt``: finance sees it, no donor count, limit or hold ever does;
- the earmark conduit's memo row that follows an earmarked gift (an organisation, named like
  the conduit, its transaction_id the gift's with an E) names the conduit on the gift, which is
  typed 15E even when its receipt_type was left blank;
- reattribution and redesignation memo rows (a negative row and its positive counterpart,
  linked to the gift by back_reference_transaction_id) move the amount between elections or
  donors as filed (``schedule_a_adjust``).
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Callable
from datetime import date, datetime

from groundswell.donations.intake.fec_rows import (
    EARMARKED_TYPE,
    FEC_TZ,
    WIDTHS,
    FieldProblem,
    ParsedRow,
    cents_parse,
    election_clean,
    file_number_parse,
    gift_day,
    name_split,
    note_join,
    report_of,
    zip_clean,
)
from groundswell.donations.intake.schedule_a_lines import PEOPLE, receipt_kind

SUB_ID, DATE, AMOUNT, COMMITTEE = (
    "sub_id",
    "contribution_receipt_date",
    "contribution_receipt_amount",
    "committee_id",
)
REQUIRED = (COMMITTEE, SUB_ID, DATE, AMOUNT)
# The date as the CSV download gives it ("2026-03-15 00:00:00"), the API ("2026-03-15") or a
# spreadsheet that re-saved the file ("6/5/2017" or "6/5/2017 0:00").
_DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%m/%d/%Y", "%m/%d/%Y %H:%M",
)  # fmt: skip
# A SUB_ID a spreadsheet rounded into a number's short form (4.10122E+18): every row of the file
# then shares one, and nothing tells the rows, or a later import of the same gifts, apart.
_ROUNDED_ID = re.compile(r"\d(\.\d+)?E\+?\d+", re.IGNORECASE)
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


def _day(get: Callable[[str], str], sub_id: str) -> tuple[date, str]:
    """The receipt's day and a note when the filing's day stands for it (``gift_day``)."""
    return gift_day(get(DATE), get("image_number"), sub_id, parse=_date)


def _getter(row: dict[str, str]) -> Callable[[str], str]:
    return lambda name: (row.get(name) or "").strip()


def _names(get: Callable[[str], str]) -> tuple[str, str]:
    given = " ".join(
        p for p in (get("contributor_first_name"), get("contributor_middle_name")) if p
    )
    family = get("contributor_last_name")
    if given or family:
        return given.title(), family.title()
    return name_split(get("contributor_name"))


def _sub_id(get: Callable[[str], str]) -> str:
    """The row's SUB_ID, or FieldProblem: what identifies it, for a gift and any other receipt."""
    sub_id = get(SUB_ID)
    if not sub_id:
        raise FieldProblem(SUB_ID, "", "is missing")
    if len(sub_id) > WIDTHS["id"]:
        raise FieldProblem(SUB_ID, sub_id[:40], "is too long")
    if _ROUNDED_ID.fullmatch(sub_id):
        raise FieldProblem(
            SUB_ID,
            sub_id,
            "was rounded by a spreadsheet and no longer identifies the row: import the file as "
            "downloaded from fec.gov (or re-save it with this column as text)",
        )
    return sub_id


def row_parse(row: dict[str, str], line: int) -> ParsedRow:
    """One Schedule A record (by column name) into a ParsedRow; FieldProblem says what is wrong."""
    get = _getter(row)
    sub_id = _sub_id(get)
    cents = cents_parse(get(AMOUNT), AMOUNT)
    day, dated = _day(get, sub_id)
    ttype = get("receipt_type").upper()[:3]
    state = get("contributor_state").upper()
    if len(state) > 2:
        raise FieldProblem("contributor_state", state, "is not a state code")
    given, family = _names(get)
    conduit = get("conduit_committee_id")
    note = get("memo_text")
    if not ttype and (conduit or "EARMARK" in note.upper()):
        ttype = EARMARKED_TYPE  # earmarked, though the filer left the receipt type blank
    if ttype == EARMARKED_TYPE and conduit and not note:
        named = get("conduit_committee_name")
        note = f"Earmarked through {named} ({conduit})" if named else f"Earmarked through {conduit}"
    note = note_join(note, dated)
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
        back_reference=refers[0],
        given=given[: WIDTHS["name"]],
        family=family[: WIDTHS["name"]],
        city=get("contributor_city").title()[: WIDTHS["city"]],
        state=state,
        postal_code=_zip(get("contributor_zip"), state),
        employer=get("contributor_employer")[: WIDTHS["work"]],
        occupation=get("contributor_occupation")[: WIDTHS["work"]],
        street=get("contributor_street_1")[:200],
        report=report_of(get(COMMITTEE), get("report_type"), get("report_year") or day.year),
        file_number=file_number_parse(get("file_number")),
        amended=get("amendment_indicator").upper() == "A",
    )


def _zip(text: str, state: str) -> str:
    try:
        return zip_clean(text, "contributor_zip", state=state)
    except FieldProblem:
        # A ZIP we cannot read does not make the receipt any less real: kept as filed.
        return " ".join(text.split())[: WIDTHS["zip"]]


def other_receipt_parse(row: dict[str, str], line: int, kind: str) -> dict:
    """A receipt that is not an individual's gift, as ``OtherReceipt`` fields (name kept whole)."""
    get = _getter(row)
    sub_id = _sub_id(get)
    cents = cents_parse(get(AMOUNT), AMOUNT)
    day, dated = _day(get, sub_id)
    name = get("contributor_name")
    if not name:
        given, family = _names(get)
        name = f"{family}, {given}".strip(", ")
    state = get("contributor_state").upper()[:2]
    return {
        "committee_id": get(COMMITTEE).upper()[:9],
        "kind": kind,
        "sub_id": sub_id,
        "transaction_id": get("transaction_id")[:100],
        "back_reference": get("back_reference_transaction_id")[:100],
        "line_number": get("line_number").upper()[:10],
        "receipt_type": get("receipt_type").upper()[:3],
        "entity_type": get("entity_type").upper()[:3],
        "amount_cents": cents,
        "received_at": datetime(day.year, day.month, day.day, 12, tzinfo=FEC_TZ),
        "election": election_clean(get("election_type")),
        "is_memo": get("memo_code").upper() == "X",
        "name": name[:200],
        "city": get("contributor_city").title()[:100],
        "state": state,
        "postal_code": _zip(get("contributor_zip"), state),
        "note": note_join(get("memo_text"), dated),
        "fec_report": report_of(get(COMMITTEE), get("report_type"), get("report_year") or day.year),
        "fec_file_number": file_number_parse(get("file_number")),
        "fec_amended": get("amendment_indicator").upper() == "A",
        "line": line,
    }


def _conduit_of(row: dict[str, str], last: ParsedRow | None) -> bool:
    """Whether a memo row names the conduit of the earmarked gift just before it."""
    get = _getter(row)
    if last is None or get("memo_code").upper() != "X" or get("entity_type").upper() in PEOPLE:
        return False
    tran_id = get("transaction_id")
    back = get("back_reference_transaction_id")
    gift_tran = last.order_number
    return bool(gift_tran) and (back == gift_tran or tran_id.upper() == f"{gift_tran}E".upper())


def says_move(note: str) -> bool:
    """The memo text calls the row a reattribution or redesignation."""
    text = note.upper()
    return "REATTRIBUT" in text or "REDESIGNAT" in text


def _is_adjustment(row: dict[str, str], parsed: ParsedRow) -> bool:
    """A memo row that may be half of a reattribution/redesignation: one with a back reference,
    a negative one, or one whose text says so (real filings seldom give both halves a back
    reference: ``schedule_a_pairs``). Held until the file ends, so not every memo row."""
    if _getter(row)("memo_code").upper() != "X":
        return False
    return bool(parsed.back_reference) or parsed.cents < 0 or says_move(parsed.note)


def schedule_a_import(
    path: str,
    *,
    committee: str,
    progress: Callable[[int, int], None] | None = None,
    on_error: Callable | None = None,
):
    """Import one committee's rows of an FEC Schedule A CSV download; safe to run again."""
    # Inside: schedule_a_store imports this module (its parsing half) at its top.
    from groundswell.donations.intake.schedule_a_store import ScheduleAPass

    total = os.path.getsize(path)
    with open(path, "rb") as raw:
        # utf-8-sig: a spreadsheet that re-saved the download adds a byte-order mark.
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")
        reader = csv.reader(text)
        header = next(reader, None)
        store = ScheduleAPass(committee=committee, on_error=on_error)
        if header is None:
            return store.result
        index = _header_index(header)
        while True:
            try:
                values = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                # A broken line (a field past the csv module's limit, say): this row is
                # reported and the reader goes on with the next line.
                store.row_unreadable(reader.line_num, str(exc))
                continue
            store.row_take(values, index, reader.line_num)
            if progress and store.result.rows % BATCH == 0:
                progress(min(raw.tell(), total), total)
    store.finish()
    if progress:
        progress(total, total)
    return store.result


def _header_index(header: list[str]) -> dict[str, int]:
    names = [h.strip().lower() for h in header]
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise ScheduleAFileError("not a Schedule A file: missing column(s) " + ", ".join(missing))
    # Of a repeated column name the first one counts.
    index: dict[str, int] = {}
    for position, name in enumerate(names):
        index.setdefault(name, position)
    return index


def row_route(row: dict[str, str]) -> str:
    """``GIFT`` or the receipt kind of one row (see ``schedule_a_lines``)."""
    get = _getter(row)
    entity = get("entity_type")
    if not entity and get("is_individual").lower() in ("f", "false", "0", "n"):
        entity = "ORG"  # no entity type, but the FEC says it is not an individual
    return receipt_kind(
        form=get("filing_form"),
        line=get("line_number"),
        entity=entity,
        receipt_type=get("receipt_type"),
    )
