"""The FEC bulk individual-contributions file (itcont.txt) into contributions, in batches.

Pipe-delimited, no header, 21 columns. The file is read in blocks of lines (constant memory, so
multi-gigabyte files are fine) and only rows of one committee are imported. The processor id is
SUB_ID, so importing the same file again adds nothing. Memo rows (MEMO_CD "X") are kept but
flagged ``is_memo`` so totals leave them out; 15E rows (earmarked through a conduit such as
ActBlue) keep their type and name the conduit; 22Y refunds are applied to the original when
OTHER_ID/TRAN_ID link them — after the whole pass, so a refund listed before its original still
finds it — else kept as a refunded contribution with a note. A ZIP that lost its leading zero
(08003-1401 filed as 80031401) is repaired, and one that cannot be read is kept as filed: a row
is rejected only when a field a gift needs (SUB_ID, amount, date, state) cannot be read, and is
reported with its line, column and reason; valid rows are imported regardless.

Why not ``contribution_record`` per row: FEC rows carry no e-mail or phone, so they never link a
person or write a timeline entry, and one INSERT per row through the ORM managed ~1,000 rows a
second. Rows are parsed in a helper process (``core.ahead``) while this one writes the previous
block with one prepared INSERT … ON CONFLICT DO NOTHING (the ``core.bulk`` approach).

The parsing half of this module must import without a configured Django (the helper process is
spawned fresh), so Django and the models are imported inside the functions that write.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import TYPE_CHECKING, NamedTuple
from zoneinfo import ZoneInfo

from groundswell.core.spreadsheet import formula_strip
from groundswell.core.untrusted import Refused, decimal_parse
from groundswell.donations.keys import name_key

if TYPE_CHECKING:
    from groundswell.donations.intake.csv_import import ImportResult, RowError

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
WIDTHS = {"id": 100, "name": 100, "city": 100, "state": 50, "zip": 12, "work": 200, "order": 100}
# Lines per block handed to the helper process: big enough to amortise the hand-over, small
# enough that a block's rows (and one transaction) stay a few megabytes.
BLOCK_BYTES = 2 << 20
INSERT_BATCH = 5000
STAGE_TABLE = "groundswell_fec_stage"

_TITLES = {"MR", "MRS", "MS", "MISS", "DR", "REV", "HON", "PROF", "SIR", "MX"}
_SUFFIXES = {"JR", "SR", "II", "III", "IV", "V", "MD", "PHD", "ESQ", "DDS", "CPA", "RN"}
_ZIP = re.compile(r"\d{5}(\d{4})?")
_FOREIGN_POSTAL = re.compile(r"[A-Z0-9][A-Z0-9 \-]{1,10}")
_ELECTION = re.compile(r"([A-Z])(\d{4})")


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


class ParsedBlock(NamedTuple):
    rows: list[ParsedRow]
    errors: list[tuple[int, str, str, str]]  # (line, column, value, reason)
    lines: int  # non-blank lines read
    skipped: int  # rows of other committees
    size: int  # bytes of the block


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
    if span is None or not digits.isdigit():
        return digits
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
    if cents == 0 or abs(cents) > MAX_CENTS:
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


def row_parse(fields: list[str], line: int) -> ParsedRow:
    """One itcont record (21 fields) into a ParsedRow; FieldProblem says what is wrong."""
    (_, _, _, pgi, _, ttype, _, name, city, state, zip_code, employer, occupation, day, amount,
     other_id, tran_id, _, memo_cd, memo_text, sub_id) = (f.strip() for f in fields)  # fmt: skip
    if not sub_id:
        raise FieldProblem("SUB_ID", "", "is missing")
    if len(sub_id) > WIDTHS["id"]:
        raise FieldProblem("SUB_ID", sub_id[:40], "is too long")
    cents = cents_parse(amount)
    received = _mmddyyyy(day)
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
    )


def block_parse(data: bytes, first_line: int, committee: str) -> ParsedBlock:
    """Parse a block of whole lines (runs in the helper process)."""
    rows: list[ParsedRow] = []
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
            errors.append((number, "", text[:255], reason))
            continue
        if not text.startswith(prefix) and fields[0].strip().upper() != committee:
            skipped += 1
            continue
        try:
            rows.append(row_parse(fields, number))
        except FieldProblem as exc:
            errors.append((number, exc.column, exc.value[:255], exc.reason))
    return ParsedBlock(rows, errors, lines, skipped, len(data))


def _blocks(path: str, committee: str) -> Iterator[tuple[bytes, int, str]]:
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


# Writing (Django) ---------------------------------------------------------------------------


class ContributionWriter:
    """Writes parsed FEC rows as contributions in batches; refunds wait until ``finish``.

    Shared by the itcont and the Schedule A imports: the same dedupe (processor id = SUB_ID),
    memo flag, 15E, 22Y and election/donor key rules.
    """

    def __init__(self, *, result: ImportResult, on_error: Callable[[RowError], None] | None):
        from django.db import connection, models

        from groundswell.donations.models import Contribution, ContributionStatus, Processor

        self.result = result
        self.on_error = on_error
        self.refunds: list[ParsedRow] = []
        self.pending: list[ParsedRow] = []
        self._received: dict[date, tuple[datetime, object, str]] = {}
        self._rules: dict = {}
        ops = connection.ops
        self._adapt_dt = ops.adapt_datetimefield_value
        # One row template with every column's default, converted once; rows fill in theirs.
        fields = [f for f in Contribution._meta.concrete_fields if not f.primary_key]
        template = Contribution(processor=Processor.FEC, status=ContributionStatus.PAID)
        now = self._adapt_dt(template.created_at)
        self.template = []
        for field in fields:
            value = field.get_db_prep_save(getattr(template, field.attname), connection)
            if field.attname in ("created_at", "modified_at"):
                value = now
            elif isinstance(field, models.JSONField):
                # As text: COPY and sqlite3 both take it, and it is not re-encoded per row.
                value = json.dumps(getattr(template, field.attname))
            self.template.append(value)
        self.index = {f.attname: i for i, f in enumerate(fields)}
        qn = ops.quote_name
        self.table = qn(Contribution._meta.db_table)
        self.columns = ", ".join(qn(f.column) for f in fields)
        self.sql = (
            f"INSERT INTO {self.table} ({self.columns}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(fields))}) ON CONFLICT DO NOTHING"
        )
        self._stage_ready = False

    def reject(self, line: int, column: str, value: str, reason: str) -> None:
        from groundswell.donations.intake.csv_import import ImportResult, RowError

        error = RowError(line, column, value, reason)
        self.result.rejected += 1
        if len(self.result.errors) < ImportResult.MAX_KEPT_ERRORS:
            self.result.errors.append(error)
        if self.on_error:
            self.on_error(error)

    def add(self, rows: list[ParsedRow]) -> None:
        """Queue rows; full batches are written at once, refunds kept for ``finish``."""
        for row in rows:
            if row.transaction_type == REFUND_TYPE:
                self.refunds.append(row)
            else:
                self.pending.append(row)
        if len(self.pending) >= INSERT_BATCH:
            self.flush()

    def flush(self) -> None:
        rows, self.pending = self.pending, []
        if rows:
            self._insert(rows, refunded=False)

    def _when(self, day: date) -> tuple[object, str]:
        """The database value of noon Eastern on ``day``, and the election it falls in."""
        cached = self._received.get(day)
        if cached is None:
            from groundswell.donations.compliance.rules import cycle_for, election_for, rule_for

            received_at = datetime(day.year, day.month, day.day, 12, tzinfo=FEC_TZ)
            cycle = cycle_for(day)
            if cycle not in self._rules:
                self._rules[cycle] = rule_for(received_at=received_at)
            election = election_for(received_at=received_at, rule=self._rules[cycle])
            cached = (received_at, self._adapt_dt(received_at), election)
            self._received[day] = cached
        return cached[1], cached[2]

    def _insert(self, rows: list[ParsedRow], *, refunded: bool) -> None:
        from django.db import connection, transaction

        from groundswell.donations.models import ContributionStatus

        ix = self.index
        i_amount, i_received, i_pid = ix["amount_cents"], ix["received_at"], ix["processor_id"]
        i_order, i_election, i_memo = ix["order_number"], ix["election"], ix["is_memo"]
        i_type, i_note, i_key = ix["transaction_type"], ix["note"], ix["donor_key"]
        snapshot = [
            ix[name]
            for name in (
                "donor_given_name", "donor_family_name", "donor_city", "donor_state",
                "donor_postal_code", "donor_employer", "donor_occupation",
            )
        ]  # fmt: skip
        i_country, i_street = ix["donor_country"], ix["donor_address_line1"]
        values = []
        for row in rows:
            value = self.template.copy()
            cents = abs(row.cents)
            received, election = self._when(row.day)
            value[i_amount] = cents
            value[i_received] = received
            value[i_pid] = row.sub_id
            value[i_order] = row.order_number
            value[i_election] = row.election or election
            value[i_memo] = row.is_memo
            value[i_type] = row.transaction_type
            value[i_note] = formula_strip(row.note)
            value[i_key] = row.donor_key or name_key(row.given, row.family, row.postal_code)
            for index, text in zip(
                snapshot,
                (row.given, row.family, row.city, row.state, row.postal_code, row.employer,
                 row.occupation),
                strict=True,
            ):  # fmt: skip
                # Carried unaltered into the Schedule A export: no formula starts (see
                # core.spreadsheet), as every intake path cleans them.
                value[index] = formula_strip(text)
            value[i_country] = "US"
            value[i_street] = formula_strip(row.street)
            if refunded:
                value[ix["status"]] = ContributionStatus.REFUNDED.value
                value[ix["refunded_cents"]] = cents
                value[ix["refunded_at"]] = received
                amount = f"{'-' if row.cents < 0 else ''}{cents / 100:.2f}"
                note = f"FEC 22Y refund of {amount}; no original contribution linked"
                value[i_note] = note + (f"; {row.note}" if row.note else "")
            values.append(value)
        # One transaction per batch: SQLite would otherwise commit every row on its own.
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                created = self._copy_insert(cursor.cursor, values)
            else:
                cursor.executemany(self.sql, values)
                # sqlite3 counts the rows executemany inserted; the rest were already there
                # (the same SUB_ID from an earlier run or earlier in the file).
                created = max(cursor.rowcount, 0)
        self.result.created += created
        self.result.unchanged += len(rows) - created

    def _copy_insert(self, cursor, values: list[list]) -> int:
        """PostgreSQL: COPY the batch into a scratch table, then INSERT … ON CONFLICT once.

        psycopg's executemany quotes every parameter in Python (Django binds on the client),
        which made PostgreSQL three times slower than SQLite here; COPY adapts rows in C.
        """
        if not self._stage_ready:
            # Temporary: private to this connection, gone when it closes.
            cursor.execute(
                f"CREATE TEMPORARY TABLE IF NOT EXISTS {STAGE_TABLE} AS "  # noqa: S608
                f"SELECT {self.columns} FROM {self.table} WITH NO DATA"
            )
            self._stage_ready = True
        cursor.execute(f"TRUNCATE {STAGE_TABLE}")
        with cursor.copy(f"COPY {STAGE_TABLE} ({self.columns}) FROM STDIN") as copy:
            for value in values:
                copy.write_row(value)
        cursor.execute(
            f"INSERT INTO {self.table} ({self.columns}) "  # noqa: S608
            f"SELECT {self.columns} FROM {STAGE_TABLE} ON CONFLICT DO NOTHING"
        )
        return cursor.rowcount

    def finish(self) -> None:
        """Write what is left, then apply the refunds to their originals (or keep them alone)."""
        self.flush()
        refunds, self.refunds = self.refunds, []
        for start in range(0, len(refunds), 1000):
            self._refunds_apply(refunds[start : start + 1000])

    def _refunds_apply(self, refunds: list[ParsedRow]) -> None:
        from django.db import transaction
        from django.utils import timezone

        from groundswell.core.bulk import bulk_update_fields
        from groundswell.donations.models import Contribution, ContributionStatus, Processor
        from groundswell.donations.services import contribution_refund

        keys = {key for row in refunds for key in row.refers_to}
        lone: list[ParsedRow] = []
        with transaction.atomic():
            # Locked: a webhook or another import refunding the same gift waits for this batch.
            originals: dict[str, Contribution] = {}
            found = (
                Contribution.objects.select_for_update()
                .filter(processor=Processor.FEC, order_number__in=keys)
                .exclude(transaction_type=REFUND_TYPE)
                .only(
                    "id",
                    "processor",
                    "processor_id",
                    "order_number",
                    "amount_cents",
                    "refunded_cents",
                    "refund_keys",
                    "status",
                    "person",
                )
                .order_by("id")
            )
            for contribution in found:
                originals.setdefault(contribution.order_number, contribution)
            changed: dict[int, Contribution] = {}
            for row in refunds:
                original = next(
                    (
                        originals[k]
                        for k in row.refers_to
                        if k in originals and originals[k].processor_id != row.sub_id
                    ),
                    None,
                )
                if original is None:
                    lone.append(row)
                    continue
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
                    self._count_refund(done)
                    continue
                if key in original.refund_keys:
                    self.result.unchanged += 1
                    continue
                original.refunded_cents = min(
                    original.amount_cents, original.refunded_cents + cents
                )
                original.refund_keys = [*original.refund_keys, key]
                original.refunded_at = received_at
                original.status = (
                    ContributionStatus.REFUNDED
                    if original.refunded_cents >= original.amount_cents
                    else ContributionStatus.PARTIALLY_REFUNDED
                )
                original.modified_at = timezone.now()
                changed[original.pk] = original
                self.result.refunded += 1
            bulk_update_fields(
                Contribution,
                list(changed.values()),
                ["refunded_cents", "refund_keys", "refunded_at", "status", "modified_at"],
            )
        if lone:
            self._insert(lone, refunded=True)

    def _count_refund(self, done: bool) -> None:
        if done:
            self.result.refunded += 1
        else:
            self.result.unchanged += 1


def donor_totals_refresh() -> None:
    """Rebuild the per-donor limit totals after a bulk write, where that service exists."""
    try:
        from groundswell.donations.compliance import limits as compliance
    except ImportError:
        return
    rebuild = getattr(compliance, "donor_totals_rebuild", None)
    if rebuild is not None:
        rebuild()


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
    from groundswell.core.ahead import results_ahead
    from groundswell.core.bulk import planner_statistics_refresh
    from groundswell.donations.intake.csv_import import ImportResult

    del source  # FEC rows link no person, so there is no person source to record
    total = os.path.getsize(path)
    result = ImportResult()
    committee = committee.strip().upper()
    if parallel is None:
        parallel = total > 4 * BLOCK_BYTES
    writer = ContributionWriter(result=result, on_error=on_error)
    done = 0
    for block in results_ahead(block_parse, _blocks(path, committee), parallel=parallel):
        result.rows += block.lines
        result.skipped += block.skipped
        for error in block.errors:
            writer.reject(*error)
        writer.add(block.rows)
        done += block.size + 1
        if progress:
            progress(min(done, total), total)
    writer.finish()
    if result.created or result.refunded:
        planner_statistics_refresh()
        if limit_totals:
            donor_totals_refresh()
    if progress:
        progress(total, total)
    return result
