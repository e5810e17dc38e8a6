"""Parsing the FEC's contribution rows (itcont and Schedule A): Django-free, field by field.

The helper process that parses itcont blocks (``core.ahead``) is spawned fresh, so this module
imports no Django and no model: the writer (``fec_writer``) turns its ``ParsedRow``s into rows.

What identifies a filed row: its SUB_ID (the FEC's own id of one line of one filing), and
within a report (committee, report type, year) its TRAN_ID. A TRAN_ID is unique only within a
report: the same TRAN_ID in a January and a year-end report is two gifts. An amended report
(AMNDT_IND "A", a later FILE_NUM) files the report's transactions again, so each row carries its
report, file number and amendment flag for the writer to tell a repeat from a new gift.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from groundswell.core.untrusted import Refused, decimal_parse
from groundswell.donations.intake.schedule_a_lines import GIFT, itcont_kind
from groundswell.donations.keys import name_key

COLUMNS = (
    "CMTE_ID", "AMNDT_IND", "RPT_TP", "TRANSACTION_PGI", "IMAGE_NUM", "TRANSACTION_TP",
    "ENTITY_TP", "NAME", "CITY", "STATE", "ZIP_CODE", "EMPLOYER", "OCCUPATION",
    "TRANSACTION_DT", "TRANSACTION_AMT", "OTHER_ID", "TRAN_ID", "FILE_NUM", "MEMO_CD",
    "MEMO_TEXT", "SUB_ID",
)  # fmt: skip
REFUND_TYPE = "22Y"
EARMARKED_TYPE = "15E"
# FEC dates carry no time: noon Eastern keeps the day the same in every US time zone.
FEC_TZ = ZoneInfo("America/New_York")
MAX_CENTS = 10**12  # as actblue.MAX_CENTS; repeated here to keep this module Django-free
# Snapshot column widths (Contribution's max_length), checked against the model in the tests.
WIDTHS = {
    "id": 100,
    "name": 100,
    "city": 100,
    "state": 50,
    "zip": 12,
    "work": 200,
    "order": 100,
    "report": 40,
}
# Lines per block handed to the helper process: big enough to amortise the hand-over, small
# enough that a block's rows (and one transaction) stay a few megabytes.
BLOCK_BYTES = 2 << 20

_TITLES = {"MR", "MRS", "MS", "MISS", "DR", "REV", "HON", "PROF", "SIR", "MX"}
_SUFFIXES = {"JR", "SR", "II", "III", "IV", "V", "MD", "PHD", "ESQ", "DDS", "CPA", "RN"}
_ZIP = re.compile(r"\d{5}(\d{4})?", re.ASCII)  # not other scripts' digits
_FOREIGN_POSTAL = re.compile(r"[A-Z0-9][A-Z0-9 \-]{1,10}")
_ELECTION = re.compile(r"([A-Z])(\d{4})", re.ASCII)


class FieldProblem(ValueError):
    """One field of one row cannot be used: which column, its value, and why."""

    def __init__(self, column: str, value: str, reason: str):
        self.column, self.value, self.reason = column, value, reason
        super().__init__(reason)


class ParsedRow(NamedTuple):
    """One contribution row as filed, parsed but not yet tied to our database."""

    line: int
    sub_id: str
    cents: int  # signed, as filed (refunds may be negative)
    day: date
    transaction_type: str
    election: str  # "P2026" from the filing, or "" to derive from the date
    is_memo: bool
    note: str
    order_number: str  # TRAN_ID / transaction_id
    refers_to: tuple[str, ...]  # where a refund's original may be found (by order number)
    given: str
    family: str
    city: str
    state: str
    postal_code: str
    employer: str
    occupation: str
    street: str = ""  # Schedule A gives it; itcont does not
    donor_key: str = ""  # computed in the parsing process: it is a tenth of the writer's work
    # The report the row was filed in ("C00123456 Q1 2026"), its filing (FILE_NUM) and whether
    # that filing amends an earlier one: how an amendment's repeat of a gift is recognised.
    report: str = ""
    file_number: int | None = None
    amended: bool = False
    # Schedule A's back_reference_transaction_id as filed ("" when none; itcont has none).
    back_reference: str = ""


class ParsedBlock(NamedTuple):
    rows: list[ParsedRow]
    errors: list[tuple[int, str, str, str]]  # (line, column, value, reason)
    lines: int  # non-blank lines read
    skipped: int  # rows of other committees
    size: int  # bytes of the block
    # Rows that are not an individual's gift (``itcont_kind``), as ``OtherReceipt`` fields.
    others: list[dict] = []


# Parsing (Django-free) ----------------------------------------------------------------------


def name_split(text: str) -> tuple[str, str]:
    """ "LAST, FIRST MIDDLE" → (given, family), title-cased, without titles or suffixes."""
    text = " ".join(text.split())
    if not text:
        return "", ""
    if "," in text:
        family, _, rest = text.partition(",")
        parts = rest.replace(",", " ").split()
    else:
        parts = text.split()
        family = parts.pop() if len(parts) > 1 else ""
        while parts and family.upper().strip(".") in _SUFFIXES:
            family = parts.pop()
    given = [p for p in parts if p.upper().strip(".") not in _TITLES | _SUFFIXES] or parts
    return " ".join(given).title(), family.strip().title()


# The states and territories whose ZIPs begin with 0 (by their first three digits). Filers'
# spreadsheets store a ZIP as a number, so 08003-1401 arrives as 80031401 and 02138 as 2138:
# in these places (and only where the padded ZIP then lies in the state) the zeros are restored.
LEADING_ZERO_ZIPS = {
    "CT": (60, 69), "MA": (10, 27), "ME": (39, 49), "NH": (30, 38), "NJ": (70, 89),
    "RI": (28, 29), "VT": (50, 59), "PR": (6, 9), "VI": (8, 8), "AE": (90, 98),
}  # fmt: skip


def zip_repair(digits: str, state: str) -> str:
    """``digits`` with the leading zeros a number-typed ZIP lost, when ``state``'s ZIPs have them.

    7–8 digits become a ZIP+4 and 3–4 digits a ZIP5, only if the result lies in the state's
    range (a 4-digit value in Ohio is a typo, not a lost zero); anything else is returned as is.
    """
    span = LEADING_ZERO_ZIPS.get(state.strip().upper())
    if span is None or not (digits.isascii() and digits.isdigit()):
        return digits  # "¹²³⁴".isdigit() is true, and int() refuses it
    if len(digits) in (7, 8):
        padded = digits.zfill(9)
    elif len(digits) in (3, 4):
        padded = digits.zfill(5)
    else:
        return digits
    return padded if span[0] <= int(padded[:3]) <= span[1] else digits


def zip_clean(text: str, column: str = "ZIP_CODE", *, state: str = "") -> str:
    """A ZIP or ZIP+4 as 12345 / 12345-6789; a foreign postal code is kept as given.

    With ``state``, a ZIP that lost its leading zeros is repaired (``zip_repair``).
    """
    text = text.strip().upper()
    if not text:
        return ""
    digits = text.replace("-", "") if text[:5].isdigit() else text
    if state:
        digits = zip_repair(digits, state)
    if _ZIP.fullmatch(digits):
        return f"{digits[:5]}-{digits[5:]}" if len(digits) == 9 else digits
    if digits.isdigit() or not _FOREIGN_POSTAL.fullmatch(text):
        raise FieldProblem(column, text, "must be 5 or 9 digits (or a foreign postal code)")
    return text[: WIDTHS["zip"]]


def cents_parse(text: str, column: str = "TRANSACTION_AMT") -> int:
    """Dollars as filed ("250", "-10", "27.50") into signed integer cents, exactly."""
    text = text.strip()
    if not text:
        raise FieldProblem(column, "", "is missing")
    try:
        # Bounded before converting: int(Decimal("1e999999") * 100) alone burns minutes of CPU.
        amount = decimal_parse(
            text.replace(",", "").replace("$", ""), max_digits=20, max_exponent=12
        )
    except Refused as refusal:
        problem = (
            "is out of range" if "range" in refusal.reason else f"{text[:40]!r} is not an amount"
        )
        raise FieldProblem(column, text, problem) from None
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise FieldProblem(column, text, "has fractions of a cent")
    cents = int(cents)
    if cents == 0:
        raise FieldProblem(column, text, "is zero: no money to record")
    if abs(cents) > MAX_CENTS:
        raise FieldProblem(column, text, "is out of range")
    return cents


def election_clean(text: str) -> str:
    """ "P2026" as filed; anything else (blank, "P", "O") means: derive it from the date."""
    match = _ELECTION.fullmatch(text.strip().upper())
    return f"{match.group(1)}{match.group(2)}" if match else ""


_DAYS: dict[str, date] = {}


def _mmddyyyy(text: str) -> date:
    text = text.strip()
    day = _DAYS.get(text)
    if day is not None:
        return day
    if not text:
        raise FieldProblem("TRANSACTION_DT", "", "is missing")
    try:
        day = datetime.strptime(text, "%m%d%Y").date()
    except ValueError:
        raise FieldProblem(
            "TRANSACTION_DT", text, f"{text[:40]!r} is not a date (MMDDYYYY)"
        ) from None
    if len(_DAYS) < 20_000:
        _DAYS[text] = day
    return day


def _ascii_digits(text: str, length: int) -> bool:
    """``length`` digits 0-9 (``str.isdigit`` also takes "²" and other scripts' digits)."""
    return len(text) == length and text.isascii() and text.isdigit()


def _image_day(image_num: str) -> date | None:
    """The day the FEC scanned or received the filing: an 18-digit IMAGE_NUM (the FEC's format
    since June 29, 2015) begins with it, YYYYMMDD. None for the older 11-digit format (its year
    only) or anything else."""
    text = image_num.strip()
    if not _ascii_digits(text, 18):
        return None
    try:
        day = datetime.strptime(text[:8], "%Y%m%d").date()
    except ValueError:
        return None
    return day if day.year >= 2015 else None


def _sub_id_day(sub_id: str, image_num: str) -> date | None:
    """The day the FEC processed the filing that lists the row: a 19-digit SUB_ID's digits 2-9
    (MMDDYYYY). The FEC does not document this; it is measured. On 113,502 public rows the day
    never precedes the filing's 18-digit image day (0 of 102,321; 80% within 5 days of it) and
    is on or after the gift's own date in 111,582 of 111,600. An 11-digit image number must
    agree on the year (its first two digits, the year scanned; or the year before, for a filing
    scanned in December and processed in January): all 11,178 such rows do. None otherwise.
    """
    text = sub_id.strip()
    if not _ascii_digits(text, 19):
        return None
    try:
        day = datetime.strptime(text[1:9], "%m%d%Y").date()
    except ValueError:
        return None
    if not 1975 <= day.year <= date.today().year:
        return None
    image = image_num.strip()
    if _ascii_digits(image, 11):
        scanned = int(image[:2])
        if day.year % 100 not in (scanned, (scanned + 1) % 100):
            return None
    return day


def gift_day(
    text: str, image_num: str, sub_id: str = "", *, parse: Callable[[str], date] | None = None
) -> tuple[date, str]:
    """The gift's day and, when the filing gave none that can be read, a note saying so.

    A row with a name and an amount but no readable date (blank, or "02312017") is still a real
    gift: real files carry such rows (1.3% of the public samples' gifts the README measures;
    rows for payroll deductions made over many days among them). The filing's own date stands
    for it, as a gift is received before the report that lists it: the day the filing was
    received, from its 18-digit image number, or else (filings before June 2015, whose 11-digit
    image numbers hold only the year) the day the FEC processed it, from its SUB_ID. Without
    either, the row is refused. ``parse`` reads the date as the file gives it (itcont's MMDDYYYY
    by default).
    """
    try:
        return (parse or _mmddyyyy)(text), ""
    except FieldProblem as problem:
        filed, source = _image_day(image_num), "image number"
        if filed is None:
            filed, source = _sub_id_day(sub_id, image_num), "SUB_ID"
        if filed is None:
            raise FieldProblem(
                problem.column,
                problem.value,
                f"{problem.reason}, and neither IMAGE_NUM {image_num.strip()[:20]!r} nor SUB_ID "
                f"{sub_id.strip()[:20]!r} gives the day of the filing to date the gift by",
            ) from None
    shown = text.strip()
    why = f"not a date ({shown[:20]!r})" if shown else "not filed"
    what = "received" if source == "image number" else "processed by the FEC"
    return filed, (
        f"Transaction date {why}: the day the filing that lists it was {what}, "
        f"{filed:%m/%d/%Y} (from its {source}), stands for it"
    )


def note_join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


def row_parse(fields: list[str], line: int) -> ParsedRow:
    """One itcont record (21 fields) into a ParsedRow; FieldProblem says what is wrong."""
    (committee, amended, report_type, pgi, image_num, ttype, _, name, city, state, zip_code,
     employer, occupation, day, amount, other_id, tran_id, file_num, memo_cd, memo_text,
     sub_id) = (f.strip() for f in fields)  # fmt: skip
    if not sub_id:
        raise FieldProblem("SUB_ID", "", "is missing")
    if len(sub_id) > WIDTHS["id"]:
        raise FieldProblem("SUB_ID", sub_id[:40], "is too long")
    cents = cents_parse(amount)
    received, dated = gift_day(day, image_num, sub_id)
    if len(pgi) > 5:
        raise FieldProblem("TRANSACTION_PGI", pgi, "is too long")
    ttype = ttype.upper()[:3]
    if len(state) > 2:
        raise FieldProblem("STATE", state, "is not a state code")
    given, family = name_split(name)
    try:
        postal_code = zip_clean(zip_code, state=state)
    except FieldProblem:
        # A ZIP we cannot read does not make the gift any less real: it is kept as filed.
        postal_code = " ".join(zip_code.split())[: WIDTHS["zip"]]
    note = memo_text
    if ttype == EARMARKED_TYPE and other_id and not note:
        note = f"Earmarked through {other_id}"
    note = note_join(note, dated)
    return ParsedRow(
        line=line,
        sub_id=sub_id,
        cents=cents,
        day=received,
        transaction_type=ttype,
        election=election_clean(pgi),
        is_memo=memo_cd.upper() == "X",
        note=note,
        order_number=tran_id[: WIDTHS["order"]],
        refers_to=tuple(k for k in (other_id, tran_id) if k),
        given=given[: WIDTHS["name"]],
        family=family[: WIDTHS["name"]],
        city=city.title()[: WIDTHS["city"]],
        state=state.upper(),
        postal_code=postal_code,
        employer=employer[: WIDTHS["work"]],
        occupation=occupation[: WIDTHS["work"]],
        donor_key=name_key(given, family, postal_code),
        # itcont gives no report year: the year of the gift stands for it, as in identity.fec.
        # Undated: no year of the gift, as in ``fec unique-donors`` (its report key leaves the
        # year blank too), so an amendment's repeat of the row is still known as one.
        report=report_of(committee, report_type, "" if dated else received.year),
        file_number=file_number_parse(file_num),
        amended=amended.upper() == "A",
    )


def other_receipt_parse(fields: list[str], line: int, kind: str) -> dict:
    """An itcont row that is not an individual's gift, as ``OtherReceipt`` fields.

    The name is kept whole ("ACME WIDGETS, INC." is not a Mr Inc. Acme Widgets); the FEC id
    of a contributing committee (OTHER_ID) is kept in the note.
    """
    (committee, amended, report_type, pgi, image_num, ttype, entity, name, city, state,
     zip_code, _, _, day, amount, other_id, tran_id, file_num, memo_cd, memo_text,
     sub_id) = (f.strip() for f in fields)  # fmt: skip
    if not sub_id or len(sub_id) > WIDTHS["id"]:
        raise FieldProblem("SUB_ID", sub_id[:40], "is missing" if not sub_id else "is too long")
    cents = cents_parse(amount)
    received, dated = gift_day(day, image_num, sub_id)
    state = state.upper()[:2]
    try:
        postal_code = zip_clean(zip_code, state=state)
    except FieldProblem:
        postal_code = " ".join(zip_code.split())[: WIDTHS["zip"]]
    note = note_join(memo_text, f"FEC id {other_id}" if other_id else "", dated)
    return {
        "committee_id": committee.upper()[:9],
        "kind": kind,
        "sub_id": sub_id,
        "transaction_id": tran_id[: WIDTHS["order"]],
        "back_reference": "",
        "line_number": "",
        "receipt_type": ttype.upper()[:3],
        "entity_type": entity.upper()[:3],
        "amount_cents": cents,
        "received_at": datetime(received.year, received.month, received.day, 12, tzinfo=FEC_TZ),
        "election": election_clean(pgi),
        "is_memo": memo_cd.upper() == "X",
        "name": " ".join(name.split())[:200],
        "city": city.title()[:100],
        "state": state,
        "postal_code": postal_code,
        "note": note,
        "fec_report": report_of(committee, report_type, "" if dated else received.year),
        "fec_file_number": file_number_parse(file_num),
        "fec_amended": amended.upper() == "A",
        "line": line,
    }


def report_of(committee: str, report_type: str, year: int | str) -> str:
    """The report a row belongs to: "C00123456 Q1 2026" (fits ``WIDTHS["report"]``)."""
    text = f"{committee.upper()} {report_type.upper()} {year}".strip()
    return " ".join(text.split())[: WIDTHS["report"]]


def file_number_parse(text: str) -> int | None:
    """FILE_NUM as a number, or None when blank or not one (it orders filings, nothing more)."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 15:
        return None  # "²".isdigit() is true, and int() refuses it
    return int(text)


def block_parse(data: bytes, first_line: int, committee: str) -> ParsedBlock:
    """Parse a block of whole lines (runs in the helper process)."""
    rows: list[ParsedRow] = []
    others: list[dict] = []
    errors: list[tuple[int, str, str, str]] = []
    lines = skipped = 0
    prefix = committee + "|"
    for number, raw in enumerate(data.split(b"\n"), start=first_line):
        text = raw.decode("utf-8", errors="replace").rstrip("\r")
        if not text.strip():
            continue
        lines += 1
        fields = text.split("|")
        if len(fields) != len(COLUMNS):
            reason = f"has {len(fields)} columns, expected {len(COLUMNS)}"
            if "sub_id" in text.lower() and "," in text:
                reason += " (a Schedule A CSV header: import it with --format schedule-a)"
            errors.append((number, "", text[:255], reason))
            continue
        if not text.startswith(prefix) and fields[0].strip().upper() != committee:
            skipped += 1
            continue
        # The one definition of an individual's gift, shared with Schedule A and unique-donors.
        kind = itcont_kind(entity=fields[6], transaction_type=fields[5])
        try:
            if kind == GIFT:
                rows.append(row_parse(fields, number))
            else:
                others.append(other_receipt_parse(fields, number, kind))
        except FieldProblem as exc:
            errors.append((number, exc.column, exc.value[:255], exc.reason))
    return ParsedBlock(rows, errors, lines, skipped, len(data), others)


def blocks_read(path: str, committee: str) -> Iterator[tuple[bytes, int, str]]:
    """(block of whole lines, number of its first line, committee), read in constant memory."""
    line = 1
    with open(path, "rb") as fh:
        while True:
            lines = fh.readlines(BLOCK_BYTES)
            if not lines:
                return
            data = b"".join(lines)
            # The last line of a file may lack its newline; the split in block_parse copes.
            yield data[:-1] if data.endswith(b"\n") else data, line, committee
            line += len(lines)


def format_sniff(path: str) -> str:
    """ "itcont", "schedule-a", or "" when the first line is neither: which import a file needs.

    itcont has no header and 21 ``|``-separated fields; a Schedule A download starts with a
    header of comma-separated column names including sub_id and contribution_receipt_amount.
    """
    with open(path, "rb") as fh:
        first = fh.readline(1 << 16).decode("utf-8-sig", errors="replace").strip()
    if first.count("|") == len(COLUMNS) - 1:
        return "itcont"
    names = {name.strip().strip('"').lower() for name in first.split(",")}
    if {"sub_id", "contribution_receipt_amount"} <= names:
        return "schedule-a"
    return ""
