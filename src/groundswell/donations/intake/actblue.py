"""ActBlue's webhook JSON (donor, contribution, lineitems, form) into our contribution inputs.

Everything is validated before anything is written, so a malformed body is refused whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from groundswell.core.untrusted import JsonLimits, Refused, decimal_parse, json_load
from groundswell.donations.models import Processor, RecurringPeriod
from groundswell.donations.services import ContributionInput

# ActBlue donor field → people.intake field.
DONOR_NAMES = {
    "firstname": "given_name",
    "lastname": "family_name",
    "addr1": "address_line1",
    "city": "city",
    "state": "state",
    "zip": "postal_code",
    "country": "country",
    "email": "email",
    "phone": "phone",
}
EMPLOYER_FIELDS = {"employer": "employer", "occupation": "occupation"}
MAX_CENTS = 10**12
# A delivery is a few kilobytes and a handful of levels deep; these limits leave it room.
LIMITS = JsonLimits(max_bytes=64 * 1024, max_depth=12, max_string=2_000)
# Ids are stored in columns of 100 characters; a longer one is not ActBlue's, and cutting it
# could make two gifts one.
MAX_ID = 100
MAX_TEXT = 1_000
# Weekly for twenty years is about a thousand; the column holds at most 2**31 - 1.
MAX_INSTALLMENTS = 10_000
# A gift dated outside these years is a typo or an attack, and a far year overflows on storing.
YEARS = (1990, 2200)

# The body cannot be used; ``field`` says where (e.g. "lineitems[0].amount").
PayloadError = Refused

# Where a notification dates a refund, on a line item or on the whole contribution. ActBlue's
# refund notifications put ``refundedAt`` (and ``refundId``) on each line item; public handlers
# of the same notifications also read it on the contribution (the whole order refunded), and a
# refund of money ActBlue had already paid out to the committee is dated when ActBlue took it
# back (``recoveredAt``; a chargeback is recovered the same way). ``disbursedAt`` says only
# that the money was paid out: it is no refund, and is not read (a gift carrying it is a gift).
REFUND_DATES = ("refundedAt", "recoveredAt")
# A cancellation notification's details on the contribution, under the names ActBlue's
# description of its cancellation webhooks and public handlers give them (first found wins).
# Not yet checked against a real cancellation delivery, so each has the alternatives in use.
CANCEL_REASON = ("cancellationReason", "cancelReason")
CANCEL_TYPE = ("cancellationType", "cancelledBy")
CANCEL_COMPLETED = ("recurringCompleted", "recurrencesCompleted", "completedRecurrences")
# ActBlue's "test" button sends line items of entity 0, which no committee has.
TEST_ENTITY = "0"


@dataclass
class Refund:
    cents: int
    key: str
    refunded_at: datetime


@dataclass
class Cancellation:
    """What a cancellation notification says beyond its date; blank/None where it is silent."""

    reason: str = ""
    kind: str = ""
    completed: int | None = None
    pledged: int = 0


@dataclass
class LineItem:
    contribution: ContributionInput
    entity_id: str
    refund: Refund | None = None
    # A recurring gift: how many installments were planned (0 = until cancelled), and when
    # the donor cancelled it, for a cancellation notification (with what ActBlue said of it).
    installments_planned: int = 0
    cancelled_at: datetime | None = None
    cancellation: Cancellation | None = None


@dataclass
class Parsed:
    """One delivery: our line items, or ``test`` for ActBlue's test notification."""

    items: list[LineItem]
    test: bool = False


def cents_parse(value, where: str) -> int:
    """Dollars as a JSON string or number into integer cents, exactly (Decimal, never float)."""
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise PayloadError(where, 'must be an amount in dollars, like "27.50"')
    if isinstance(value, str):
        value = value.strip().replace(",", "").lstrip("$")
    try:
        # Bounded before converting: "1e999999" would overflow, and a far exponent costs CPU.
        amount = decimal_parse(value, where=where, max_digits=20, max_exponent=12)
    except Refused as exc:
        raise PayloadError(where, f"{exc.reason} (not an amount in dollars)") from None
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise PayloadError(where, "has fractions of a cent")
    return int(cents)


def _object(parent: dict, name: str, where: str, *, required: bool = True) -> dict:
    value = parent.get(name)
    if value is None and not required:
        return {}
    if value is None:
        raise PayloadError(where, "is missing")
    if not isinstance(value, dict):
        raise PayloadError(where, "must be an object")
    return value


def _text(
    parent: dict, name: str, where: str, *, required: bool = False, limit: int = MAX_TEXT
) -> str:
    value = parent.get(name)
    if value is None or value == "":
        if required:
            raise PayloadError(where, "is missing")
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise PayloadError(where, "must be a string")
    text = str(value).strip()  # an int from json_load has at most 30 digits
    if required and not text:
        raise PayloadError(where, "is missing")
    if len(text) > limit:
        raise PayloadError(where, f"is longer than {limit:,} characters")
    return text


def _when(parent: dict, name: str, where: str, *, required: bool = False) -> datetime | None:
    text = _text(parent, name, where, required=required)
    if not text:
        return None
    try:
        value = parse_datetime(text)
    except ValueError:
        value = None
    if value is None:
        raise PayloadError(where, f"{text[:40]!r} is not an ISO 8601 date and time")
    # ActBlue sends an offset; a bare time is taken as UTC rather than the server's zone.
    value = value if timezone.is_aware(value) else value.replace(tzinfo=UTC)
    try:
        in_range = YEARS[0] <= value.astimezone(UTC).year <= YEARS[1]
    except OverflowError:
        in_range = False
    if not in_range:
        raise PayloadError(where, f"is not between {YEARS[0]} and {YEARS[1]}")
    return value


def _installments(
    value, where: str = "contribution.recurringDuration", *, negative_ok: bool = True
) -> int:
    """recurringDuration: how many installments were planned (0 = until cancelled).

    A negative duration is read as 0 (until cancelled); a count (``negative_ok`` False) that is
    negative is refused: it would be stored as a figure staff read.
    """
    if value is None or value == "":
        return 0
    if isinstance(value, bool) or not isinstance(value, int | str | Decimal):
        raise PayloadError(where, "must be a whole number")
    try:
        # Bounded before int(): int(Decimal("1e300000")) alone takes seconds of CPU.
        exact = decimal_parse(value, where=where, max_digits=12, max_exponent=12)
    except Refused:
        raise PayloadError(where, "must be a whole number") from None
    if exact != exact.to_integral_value():
        raise PayloadError(where, "must be a whole number")
    if exact > MAX_INSTALLMENTS:
        raise PayloadError(where, f"is more than {MAX_INSTALLMENTS:,} installments")
    if exact < 0 and not negative_ok:
        raise PayloadError(where, "must not be negative")
    return max(0, int(exact))


@dataclass
class _Order:
    """What one delivery says of the whole order, shared by each of its line items."""

    donor: dict[str, str]
    created_at: datetime
    order_number: str
    refcode: str
    refcodes: dict[str, str]
    period: str
    installments_planned: int
    cancelled_at: datetime | None
    form_name: str
    cancellation: Cancellation | None = None
    # The contribution-level refund (the whole order): its date and id, applied to every line.
    refunded_at: datetime | None = None
    refund_id: str = ""


def _donor_read(donor_in: dict) -> dict[str, str]:
    """The donor as people.intake fields, from ``donor`` and its ``employerData``."""
    donor = {
        ours: _text(donor_in, theirs, f"donor.{theirs}") for theirs, ours in DONOR_NAMES.items()
    }
    employer_data = _object(donor_in, "employerData", "donor.employerData", required=False)
    for theirs, ours in EMPLOYER_FIELDS.items():
        donor[ours] = _text(employer_data, theirs, f"donor.employerData.{theirs}")
    return donor


def _order_read(contribution_in: dict, form: dict, donor: dict[str, str]) -> _Order:
    """The order's date, number, refcodes, recurrence and form, validated."""
    created_at = _when(contribution_in, "createdAt", "contribution.createdAt", required=True)
    order_number = _text(
        contribution_in, "orderNumber", "contribution.orderNumber", required=True, limit=MAX_ID
    )
    refcodes = contribution_in.get("refcodes") or {}
    if not isinstance(refcodes, dict):
        raise PayloadError("contribution.refcodes", "must be an object")
    refcodes = {str(k)[:50]: str(v)[:100] for k, v in refcodes.items() if v is not None}
    refcode = refcodes.get("refcode") or _text(
        contribution_in, "refcode", "contribution.refcode", limit=100
    )
    period = _text(contribution_in, "recurringPeriod", "contribution.recurringPeriod").lower()
    if period in ("", "once"):
        period = RecurringPeriod.ONCE
    elif period not in RecurringPeriod.values:
        raise PayloadError(
            "contribution.recurringPeriod", f"{period!r} is not once, weekly or monthly"
        )
    duration = _installments(contribution_in.get("recurringDuration"))
    cancelled_at = _when(contribution_in, "cancelledAt", "contribution.cancelledAt")
    if cancelled_at is not None and period == RecurringPeriod.ONCE:
        raise PayloadError("contribution.cancelledAt", "is set on a gift that is not recurring")
    form_name = _text(form, "name", "form.name") or _text(
        contribution_in, "contributionForm", "contribution.contributionForm"
    )
    donor["source"] = "ActBlue"
    donor["refcode"] = refcode
    cancellation = None
    if cancelled_at is not None:
        cancellation = _cancellation_read(contribution_in, duration)
    return _Order(
        donor=donor,
        created_at=created_at,
        order_number=order_number,
        refcode=refcode,
        refcodes=refcodes,
        period=period,
        installments_planned=max(0, duration),
        cancelled_at=cancelled_at,
        form_name=form_name,
        cancellation=cancellation,
        refunded_at=_refund_date(contribution_in, "contribution"),
        refund_id=_text(contribution_in, "refundId", "contribution.refundId", limit=MAX_ID),
    )


def _first(parent: dict, names: tuple[str, ...]) -> str | None:
    """The first of ``names`` that ``parent`` carries (not null), or None."""
    return next((name for name in names if parent.get(name) not in (None, "")), None)


def _cancellation_read(contribution_in: dict, pledged: int) -> Cancellation:
    """The reason, type and counts of a cancellation notification, validated."""
    found = {}
    for key, names in (("reason", CANCEL_REASON), ("kind", CANCEL_TYPE)):
        name = _first(contribution_in, names)
        found[key] = _text(contribution_in, name, f"contribution.{name}", limit=200) if name else ""
    name = _first(contribution_in, CANCEL_COMPLETED)
    completed = None
    if name is not None:
        completed = _installments(contribution_in[name], f"contribution.{name}", negative_ok=False)
    return Cancellation(found["reason"], found["kind"], completed, pledged)


def _refund_date(parent: dict, where: str) -> datetime | None:
    """The refund's date on a line item or the contribution: refunded, else recovered."""
    for name in REFUND_DATES:
        value = _when(parent, name, f"{where}.{name}")
        if value is not None:
            return value
    return None


def _lineitem_read(raw, index: int, order: _Order, entity_id: str) -> LineItem | None:
    """One line item as our contribution input; None when it is another committee's share."""
    where = f"lineitems[{index}]"
    if not isinstance(raw, dict):
        raise PayloadError(where, "must be an object")
    lineitem_id = _text(raw, "lineitemId", f"{where}.lineitemId", required=True, limit=MAX_ID)
    entity = _text(raw, "entityId", f"{where}.entityId", limit=MAX_ID)
    if "amount" not in raw or raw["amount"] in (None, ""):
        raise PayloadError(f"{where}.amount", "is missing")
    cents = cents_parse(raw["amount"], f"{where}.amount")
    # The line's own refund, else the whole contribution's (each line refunded in full).
    refunded_at = _refund_date(raw, where) or order.refunded_at
    paid_at = _when(raw, "paidAt", f"{where}.paidAt")
    # A refund notification may carry the amount as negative; the original gift is its size.
    if refunded_at is None and cents <= 0:
        raise PayloadError(f"{where}.amount", "must be more than zero")
    cents = abs(cents)
    if cents == 0 or cents > MAX_CENTS:
        raise PayloadError(f"{where}.amount", "is out of range")
    if entity_id and entity != entity_id:
        return None  # another committee's share of a split contribution
    recurring = order.period != RecurringPeriod.ONCE
    contribution = ContributionInput(
        processor=Processor.ACTBLUE,
        processor_id=lineitem_id,
        amount_cents=cents,
        received_at=paid_at or order.created_at,
        donor=dict(order.donor),
        order_number=order.order_number,
        refcode=order.refcode,
        refcodes=order.refcodes,
        form_name=order.form_name,
        is_recurring=recurring,
        recurring_period=order.period,
        recurring_series_key=order.order_number if recurring else "",
    )
    refund = None
    if refunded_at is not None:
        # The key dedupes per contribution, so a contribution-level id may serve every line;
        # without an id, the line and the date name the refund whichever level carried it.
        refund_id = _text(raw, "refundId", f"{where}.refundId", limit=MAX_ID) or order.refund_id
        refund = Refund(cents, refund_id or f"{lineitem_id}@{refunded_at.isoformat()}", refunded_at)
    return LineItem(
        contribution,
        entity,
        refund,
        installments_planned=order.installments_planned,
        cancelled_at=order.cancelled_at,
        cancellation=order.cancellation,
    )


def _is_test(lineitems) -> bool:
    """ActBlue's test notification: every line item is for entity 0 (checked before anything
    else, so a test body that is not a valid gift still turns ActBlue's test button green)."""
    return (
        isinstance(lineitems, list)
        and bool(lineitems)
        and all(
            isinstance(raw, dict) and str(raw.get("entityId", "")).strip() == TEST_ENTITY
            for raw in lineitems
        )
    )


def actblue_parse(body: bytes, *, entity_id: str = "") -> list[LineItem]:
    """Parse one delivery into one item per line item of our committee (all when unset)."""
    return actblue_delivery_parse(body, entity_id=entity_id).items


def actblue_delivery_parse(body: bytes, *, entity_id: str = "") -> Parsed:
    """Parse one delivery: our line items, or a test notification (no items, ``test`` set)."""
    payload = json_load(body, limits=LIMITS)  # Refused (a PayloadError) when out of bounds
    if not isinstance(payload, dict):
        raise PayloadError("", "the body must be a JSON object")
    if _is_test(payload.get("lineitems")):
        return Parsed([], test=True)
    donor_in = _object(payload, "donor", "donor")
    contribution_in = _object(payload, "contribution", "contribution")
    form = _object(payload, "form", "form", required=False)
    lineitems = payload.get("lineitems")
    if lineitems is None:
        raise PayloadError("lineitems", "is missing")
    if not isinstance(lineitems, list) or not lineitems:
        raise PayloadError("lineitems", "must be a non-empty list")
    order = _order_read(contribution_in, form, _donor_read(donor_in))
    items = (_lineitem_read(raw, i, order, entity_id) for i, raw in enumerate(lineitems))
    return Parsed([item for item in items if item is not None])
