"""ActBlue's cancelled-recurring CSV export: one row per recurring gift a donor cancelled.

The export (also offered by ActBlue's CSV API as "cancelled recurring contributions") names the
gift by its Receipt ID, the order number every installment of it shares, which is our series
key. A row ends that series and keeps what the export says of it: when, the amount, how many
installments were pledged and (from the total given) how many were completed. A gift whose
installments never reached us gets its series made, cancelled, so staff can follow the donor
up. Such a series is linked to the person who has the row's e-mail address when there is one
(found, never created: a cancellation is not a sign-up), and otherwise left without a person
and counted as such in the import's summary. Every rejected row is reported with its line,
column and reason; importing the same file again changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from groundswell.core.untrusted import text_clean, whole_number
from groundswell.donations.intake.actblue import (
    MAX_CENTS,
    MAX_ID,
    YEARS,
    PayloadError,
    cents_parse,
)
from groundswell.donations.intake.actblue_recurring import (
    actblue_series_cancel,
    actblue_series_cancelled_record,
)
from groundswell.donations.models import RecurringPeriod, RecurringSeries
from groundswell.people.imports import FileInfo, file_records
from groundswell.people.selectors import person_find_by_email

RECEIPT, CANCELLED_ON = "Receipt ID", "Cancelled On"
# What tells this export from the contributions export (which has a Lineitem ID per row).
SIGNATURE = (RECEIPT, CANCELLED_ON, "Recurrence Amount")
# ActBlue column → the donor snapshot a series keeps (people.intake field names).
DONOR_COLUMNS = {
    "Donor First Name": "given_name",
    "Donor Last Name": "family_name",
    "Donor Email": "email",
    "Donor ZIP": "postal_code",
    "Donor State": "state",
    "Donor City": "city",
    "Donor Phone": "phone",
}
FREQUENCIES = {"monthly": RecurringPeriod.MONTHLY, "weekly": RecurringPeriod.WEEKLY}
# Pledges longer than weekly for twenty years are not ActBlue's.
MAX_PLEDGE_DIGITS = 4


def cancelled_layout(index: dict[str, int]) -> bool:
    """Whether a header index (lower-cased names) is the cancelled-recurring export's."""
    return all(name.lower() in index for name in SIGNATURE) and "lineitem id" not in index


@dataclass
class _Row:
    """One row, validated: the series it cancels and what the export says of it."""

    key: str
    cancelled_at: datetime
    amount_cents: int
    period: str
    started_at: datetime
    pledged: int
    completed: int | None
    donor: dict[str, str]
    refcode: str


def _bounded(value: datetime, column: str, problem) -> datetime:
    # A far year overflows when the database converts it to UTC: refused here instead.
    try:
        in_range = YEARS[0] <= value.astimezone(UTC).year <= YEARS[1]
    except OverflowError:
        in_range = False
    if not in_range:
        raise problem(column, value.isoformat()[:40], f"is not between {YEARS[0]} and {YEARS[1]}")
    return value


def _completed(total_cents: int | None, amount_cents: int) -> int | None:
    """Installments completed, from the total given: only when it divides exactly.

    The export gives the total given and the installment's amount, not the count; a total that
    is not a whole number of installments (a changed amount, a partial refund) says nothing sure.
    """
    if not total_cents or total_cents % amount_cents:
        return None
    return total_cents // amount_cents


def row_read(fields: list[str], index: dict[str, int], *, when_parse, problem) -> _Row:
    """One record into a _Row, or ``problem(column, value, reason)`` raised."""

    def get(name: str) -> str:
        position = index.get(name.lower())
        if position is None or position >= len(fields):
            return ""
        return text_clean(fields[position]).strip()

    def cents(name: str, *, required: bool) -> int | None:
        text = get(name)
        if not text:
            if required:
                raise problem(name, "", "is missing")
            return None
        try:
            value = cents_parse(text, name)
        except PayloadError as exc:
            raise problem(name, text, exc.reason) from None
        if value <= 0 or value > MAX_CENTS:
            raise problem(name, text, "is out of range")
        return value

    key = get(RECEIPT)
    if not key:
        raise problem(RECEIPT, "", "is missing")
    if len(key) > MAX_ID:
        raise problem(RECEIPT, key[:40], "is too long")
    if not get(CANCELLED_ON):
        raise problem(CANCELLED_ON, "", "is missing")
    cancelled_at = _bounded(when_parse(get(CANCELLED_ON), CANCELLED_ON), CANCELLED_ON, problem)
    started_text = get("Initial Contribution Date")
    started_at = cancelled_at
    if started_text:
        started_at = _bounded(
            when_parse(started_text, "Initial Contribution Date"),
            "Initial Contribution Date",
            problem,
        )
    amount = cents("Recurrence Amount", required=True)
    total = cents("Total Amount", required=False)
    frequency = get("Recurrence Frequency").lower() or "monthly"
    if frequency not in FREQUENCIES:
        raise problem("Recurrence Frequency", frequency[:40], "is not monthly or weekly")
    pledge_text = get("Initial Pledge Length")
    pledged = whole_number(pledge_text, max_digits=MAX_PLEDGE_DIGITS) if pledge_text else 0
    if pledged is None:
        raise problem("Initial Pledge Length", pledge_text[:40], "is not a whole number")
    donor = {ours: get(theirs)[:200] for theirs, ours in DONOR_COLUMNS.items()}
    donor["address_line1"] = get("Donor Address")[:200]
    return _Row(
        key=key,
        cancelled_at=cancelled_at,
        amount_cents=amount,
        period=FREQUENCIES[frequency],
        started_at=started_at,
        pledged=pledged,
        completed=_completed(total, amount),
        donor={name: value for name, value in donor.items() if value},
        refcode=get("Reference Code"),
    )


def row_apply(row: _Row) -> tuple[bool, bool | None]:
    """End the row's series (made when unknown) with the export's details.

    Returns (whether it changed, whether it is linked to a person now): the link is None when
    the series already had its person (nothing to report), else True or False.
    """
    series, made = actblue_series_cancelled_record(
        series_key=row.key,
        period=row.period,
        amount_cents=row.amount_cents,
        started_at=row.started_at,
        cancelled_at=row.cancelled_at,
        donor=row.donor,
        refcode=row.refcode,
    )
    _, changed = actblue_series_cancel(
        series_key=row.key,
        cancelled_at=row.cancelled_at,
        completed=row.completed,
        pledged=row.pledged,
    )
    linked = _person_link(series, row.donor.get("email", ""))
    return made or changed or bool(linked), linked


def _person_link(series: RecurringSeries, email: str) -> bool | None:
    """Link a series without a person to whoever has ``email``; None when it had one."""
    if series.person_id is not None:
        return None
    person = person_find_by_email(address=email) if email else None
    if person is None:
        return False
    # Only while still unlinked: a concurrent webhook's processing may have linked it.
    updated = RecurringSeries.objects.filter(pk=series.pk, person__isnull=True).update(
        person=person
    )
    return bool(updated)


def actblue_cancelled_import(
    path: str,
    info: FileInfo,
    index: dict[str, int],
    *,
    result,
    reject: Callable,
    progress: Callable[[int, int], None] | None,
    when_parse,
    problem,
):
    """Apply every row of a cancelled-recurring export to ``result`` (csv_import's ImportResult).

    ``when_parse``, ``problem`` and ``reject`` are the contributions import's own, so both
    exports read dates and report rejected rows alike.
    """
    width = len(info.headers)
    for line, fields, trouble in file_records(path, info):
        result.rows += 1
        if progress and (result.rows % 100 == 0):
            progress(result.rows, max(info.estimated_rows, result.rows))
        if fields is None:
            reject(line, "", "", trouble)
            continue
        if len(fields) > width and any(f.strip() for f in fields[width:]):
            reject(line, "", "", f"has {len(fields)} fields but the header has {width} columns")
            continue
        try:
            row = row_read(fields, index, when_parse=when_parse, problem=problem)
        except problem as exc:
            reject(line, exc.column, exc.value[:255], exc.reason)
            continue
        changed, linked = row_apply(row)
        if changed:
            result.cancelled += 1
        else:
            result.unchanged += 1
        if linked is not None:
            result.linked += linked
            result.unlinked += not linked
    if progress:
        progress(result.rows, result.rows)
    return result
