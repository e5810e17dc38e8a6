"""ActBlue's contributions CSV exports (paid and refunded) into contributions.

The cancelled-recurring export is recognised by its columns and handed to
``actblue_cancelled_csv``, so one command and one call take every ActBlue export.

Columns are found by header name; the export repeats "Reserved", so of a repeated name the
first column counts. The processor id is the line item id, as with the webhook, so a gift that
arrives both ways is one contribution. Every rejected row is reported with its line, column and
reason; valid rows are imported regardless; importing the same file again changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from groundswell.core.untrusted import whole_number
from groundswell.donations.intake.actblue import MAX_CENTS, PayloadError, Refund, cents_parse
from groundswell.donations.intake.actblue_cancelled_csv import (
    actblue_cancelled_import,
    cancelled_layout,
)
from groundswell.donations.intake.actblue_recurring import actblue_series_attach
from groundswell.donations.models import Contribution, Processor, RecurringPeriod
from groundswell.donations.services import (
    ContributionInput,
    contribution_record,
    contribution_refund,
)
from groundswell.people.imports import ImportFileError, file_inspect, file_records

LINEITEM, DATE, AMOUNT = "Lineitem ID", "Date", "Amount"
REQUIRED = (LINEITEM, DATE, AMOUNT)
# ActBlue column → people.intake field.
DONOR_COLUMNS = {
    "Donor First Name": "given_name",
    "Donor Last Name": "family_name",
    "Donor Addr1": "address_line1",
    "Donor Addr2": "address_line2",
    "Donor City": "city",
    "Donor State": "state",
    "Donor ZIP": "postal_code",
    "Donor Country": "country",
    "Donor Occupation": "occupation",
    "Donor Employer": "employer",
    "Donor Email": "email",
    "Donor Phone": "phone",
}
# ActBlue's exports give local times without an offset: Eastern time.
ACTBLUE_TZ = ZoneInfo("America/New_York")
_DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y",
)
_FALSE = {"", "0", "no", "false", "n", "f"}


@dataclass
class RowError:
    line: int
    column: str
    value: str
    reason: str


class _RowProblem(ValueError):
    def __init__(self, column: str, value: str, reason: str):
        self.column, self.value, self.reason = column, value, reason
        super().__init__(reason)


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    refunded: int = 0
    cancelled: int = 0  # recurring series ended (the cancelled-recurring export)
    # Series of the cancelled-recurring export linked to the person with the row's e-mail, and
    # those left without a person (no one has that e-mail, or the row gives none).
    linked: int = 0
    unlinked: int = 0
    unchanged: int = 0
    skipped: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)  # the first MAX_KEPT_ERRORS

    MAX_KEPT_ERRORS = 100


def columns_index(headers: list[str]) -> dict[str, int]:
    """Header name → position; of a repeated name (ActBlue's "Reserved") the first counts."""
    index: dict[str, int] = {}
    for position, header in enumerate(headers):
        name = " ".join(header.split())
        if name:
            index.setdefault(name.lower(), position)
    return index


def columns_check(headers: list[str]) -> dict[str, int]:
    index = columns_index(headers)
    if cancelled_layout(index):
        return index
    missing = [name for name in REQUIRED if name.lower() not in index]
    if missing:
        raise ImportFileError(
            f"this is not an ActBlue contributions export: it has no {', '.join(missing)} "
            f"column{'s' if len(missing) > 1 else ''} (its columns are: "
            f"{', '.join(h for h in headers if h)[:300]})"
        )
    return index


def when_parse(text: str, column: str) -> datetime:
    """An ActBlue date as a timezone-aware datetime (Eastern time when no offset is given)."""
    text = text.strip()
    value = None
    try:
        value = parse_datetime(text)
    except ValueError:
        value = None
    if value is None:
        for fmt in _DATE_FORMATS:
            try:
                value = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if value is None:
        raise _RowProblem(column, text, f"{text[:40]!r} is not a date and time")
    return value if timezone.is_aware(value) else value.replace(tzinfo=ACTBLUE_TZ)


def _election(text: str) -> str:
    year = re.search(r"\b(20\d\d)\b", text)
    kind = text.strip().lower()
    if not year:
        return ""
    if "primary" in kind or kind.startswith("p"):
        return f"P{year.group(1)}"
    if "general" in kind or kind.startswith("g"):
        return f"G{year.group(1)}"
    return ""


def row_parse(
    fields: list[str], index: dict[str, int]
) -> tuple[ContributionInput, Refund | None, str]:
    """One CSV record into a contribution, its refund if any, and its recipient id."""

    def get(name: str) -> str:
        position = index.get(name.lower())
        if position is None or position >= len(fields):
            return ""
        return fields[position].strip()

    lineitem_id = get(LINEITEM)
    if not lineitem_id:
        raise _RowProblem(LINEITEM, "", "is missing")
    if len(lineitem_id) > Contribution._meta.get_field("processor_id").max_length:
        raise _RowProblem(LINEITEM, lineitem_id[:40], "is too long")
    amount_text = get(AMOUNT)
    if not amount_text:
        raise _RowProblem(AMOUNT, "", "is missing")
    try:
        cents = cents_parse(amount_text, AMOUNT)
    except PayloadError as exc:
        raise _RowProblem(AMOUNT, amount_text, exc.reason) from None
    if cents == 0 or abs(cents) > MAX_CENTS:
        raise _RowProblem(AMOUNT, amount_text, "is out of range")
    date_text = get(DATE)
    if not date_text:
        raise _RowProblem(DATE, "", "is missing")
    received_at = when_parse(date_text, DATE)

    refund = None
    refund_id, refund_date = get("Refund ID"), get("Refund Date")
    if refund_id or refund_date or cents < 0:
        refunded_at = when_parse(refund_date, "Refund Date") if refund_date else received_at
        refund = Refund(
            abs(cents), refund_id or f"{lineitem_id}@{refunded_at.isoformat()}", refunded_at
        )

    months = get("Recurring Total Months")
    recurrence = get("Recurrence Number")
    is_recurring = months.lower() not in _FALSE or recurrence.lower() not in ("", "0", "1")
    period = RecurringPeriod.ONCE
    if is_recurring:
        weekly = get("Recur Weekly").lower() not in _FALSE
        period = RecurringPeriod.WEEKLY if weekly else RecurringPeriod.MONTHLY
    order_number = get("Receipt ID")
    codes = {"refcode": get("Reference Code"), "refcode2": get("Reference Code 2")}
    refcodes = {key: value[:100] for key, value in codes.items() if value}
    donor = {ours: get(theirs) for theirs, ours in DONOR_COLUMNS.items()}
    donor["source"] = "ActBlue"
    donor["refcode"] = refcodes.get("refcode", "")
    contribution = ContributionInput(
        processor=Processor.ACTBLUE,
        processor_id=lineitem_id,
        amount_cents=abs(cents),
        received_at=received_at,
        donor=donor,
        order_number=order_number,
        refcode=refcodes.get("refcode", ""),
        refcodes=refcodes,
        form_name=get("Fundraising Page"),
        election=_election(get("Recipient Election")),
        is_recurring=is_recurring,
        recurring_period=period,
        recurring_series_key=order_number if is_recurring else "",
    )
    return contribution, refund, get("Recipient ID")


def actblue_csv_import(
    path: str,
    *,
    entity_id: str = "",
    source: str = "",
    progress: Callable[[int, int], None] | None = None,
    on_error: Callable[[RowError], None] | None = None,
) -> ImportResult:
    """Import every row of an ActBlue contributions or cancelled-recurring export; safe to rerun.

    Raises ImportFileError when the file as a whole cannot be used. Rows for another committee
    (a "Recipient ID" other than ``entity_id``, when both are known) are skipped.
    """
    info = file_inspect(path)
    index = columns_check(info.headers)
    width = len(info.headers)
    result = ImportResult()
    total = info.estimated_rows

    def reject(error: RowError) -> None:
        if len(result.errors) < ImportResult.MAX_KEPT_ERRORS:
            result.errors.append(error)
        if on_error:
            on_error(error)

    if cancelled_layout(index):
        return _cancelled_import(path, info, index, result, reject, progress)
    for line, fields, problem in file_records(path, info):
        result.rows += 1
        if progress and (result.rows % 100 == 0):
            progress(result.rows, max(total, result.rows))
        if fields is None:
            result.rejected += 1
            reject(RowError(line, "", "", problem))
            continue
        if len(fields) > width and any(f.strip() for f in fields[width:]):
            result.rejected += 1
            reject(
                RowError(
                    line, "", "", f"has {len(fields)} fields but the header has {width} columns"
                )
            )
            continue
        try:
            data, refund, recipient = row_parse(fields, index)
        except _RowProblem as exc:
            result.rejected += 1
            reject(RowError(line, exc.column, exc.value[:255], exc.reason))
            continue
        if entity_id and recipient and recipient != str(entity_id):
            result.skipped += 1
            continue
        contribution, created = contribution_record(data=data, source=source or "ActBlue CSV")
        if contribution.is_recurring:
            position = index.get("recurring total months")
            months = fields[position].strip() if position is not None else ""
            planned = whole_number(months, max_digits=4) or 0
            actblue_series_attach(contribution=contribution, installments_planned=planned)
        changed = created
        if refund is not None:
            _, refunded = contribution_refund(
                processor=data.processor,
                processor_id=data.processor_id,
                refund_cents=refund.cents,
                refund_key=refund.key,
                refunded_at=refund.refunded_at,
            )
            if refunded:
                result.refunded += 1
            changed = changed or refunded
        if created:
            result.created += 1
        elif not changed:
            result.unchanged += 1
    if progress:
        progress(result.rows, result.rows)
    return result


def _cancelled_import(path, info, index, result: ImportResult, reject, progress) -> ImportResult:
    """The cancelled-recurring export, with this import's date reading and error report."""

    def reject_row(line: int, column: str, value: str, reason: str) -> None:
        result.rejected += 1
        reject(RowError(line, column, value, reason))

    return actblue_cancelled_import(
        path,
        info,
        index,
        result=result,
        reject=reject_row,
        progress=progress,
        when_parse=when_parse,
        problem=_RowProblem,
    )
