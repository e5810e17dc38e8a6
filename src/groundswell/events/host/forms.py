"""Reading the public host-your-own form: a supporter's details and the event they propose.

Hand-read like the RSVP form (the page is the campaign's public look, not Django's widgets):
every value bounded, every choice checked against its list, the date and times read in the
zone the host chose, a local time that does not exist there (the hour clocks skip in spring)
refused rather than guessed, and the one link a host may give restricted to http and https.
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone

from groundswell.events.choices import EventType
from groundswell.events.host.services import BODY_MAX, Proposal

# (name, label, input type, autocomplete, inputmode, required)
PERSON_FIELDS = (
    ("given_name", "First name", "text", "given-name", "", True),
    ("family_name", "Last name", "text", "family-name", "", False),
    ("email", "E-mail", "email", "email", "email", True),
    ("mobile_phone", "Mobile phone", "tel", "tel", "tel", False),
    ("postal_code", "Your ZIP code", "text", "postal-code", "numeric", True),
)
TIMEZONES = (
    ("America/New_York", "Eastern"),
    ("America/Chicago", "Central"),
    ("America/Denver", "Mountain"),
    ("America/Phoenix", "Arizona"),
    ("America/Los_Angeles", "Pacific"),
    ("America/Anchorage", "Alaska"),
    ("Pacific/Honolulu", "Hawaii"),
)
# Bounds on text a stranger may store: (name, label, most characters, required).
TEXT_FIELDS = (
    ("title", "Title", 200, True),
    ("description", "Description", BODY_MAX, False),
    ("venue", "Place name", 200, False),
    ("address_line1", "Street address", 200, False),
    ("city", "City", 100, False),
    ("state", "State", 2, False),
    ("zip_code", "ZIP code of the place", 5, False),
    ("join_url", "Join link", 500, False),
    ("accessibility", "Accessibility", 1000, False),
)
HOW_FAR_AHEAD = timedelta(days=366)
MAX_CAPACITY = 10_000
_url = URLValidator(schemes=["http", "https"])


def _one_line(value: str) -> str:
    return " ".join(value.split())


def link_safe(value: str) -> bool:
    """Whether a link may be shown and sent: http or https, well formed (no javascript:,
    data:, or anything else a browser would run or open)."""
    try:
        _url(value)
    except ValidationError:
        return False
    return value.lower().startswith(("http://", "https://"))


def person_read(data) -> tuple[dict[str, str], dict[str, str]]:
    person, errors = {}, {}
    for name, label, _, _, _, required in PERSON_FIELDS:
        value = _one_line(data.get(name, ""))
        if len(value) > 300:
            errors[name] = f"{label} is too long (300 characters at most)."
        elif required and not value:
            errors[name] = f"{label} is required."
        elif value:
            person[name] = value
    if data.get("subscribe"):
        person["email_status"] = "subscribed"
    return person, errors


def _texts(data, errors: dict[str, str]) -> dict[str, str]:
    fields = {}
    for name, label, most, required in TEXT_FIELDS:
        raw = data.get(name, "")
        # The description and accessibility notes keep their line breaks; the rest is one line.
        value = raw.strip() if name in ("description", "accessibility") else _one_line(raw)
        value = value.replace("\x00", "")
        if len(value) > most:
            errors[name] = f"{label} is too long ({most} characters at most)."
        elif required and not value:
            errors[name] = f"{label} is required."
        fields[name] = value
    return fields


def _place(fields: dict, virtual: bool, errors: dict[str, str]) -> None:
    if virtual:
        if fields["join_url"] and not link_safe(fields["join_url"]):
            errors["join_url"] = "The join link must be a web address starting https://."
        for name in ("venue", "address_line1", "city", "state", "zip_code"):
            fields[name] = ""
        return
    fields["join_url"] = ""
    fields["state"] = fields["state"].upper()
    if not fields["city"]:
        errors["city"] = "City is required for an event in person."
    state, zip_code = fields["state"], fields["zip_code"]
    if not (len(state) == 2 and state.isascii() and state.isalpha()):
        errors["state"] = "State: the two-letter abbreviation, e.g. PA."
    if not (len(zip_code) == 5 and zip_code.isascii() and zip_code.isdigit()):
        errors["zip_code"] = "ZIP code of the place: five digits."


def _local(day: date, clock: time, zone) -> datetime | None:
    """The moment a local date and time names in the zone; None if clocks skip it."""
    naive = datetime.combine(day, clock)
    moment = naive.replace(tzinfo=zone)
    if moment.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
        return None
    # In UTC: Python subtracts and compares two times of one zone by the wall clock, which is
    # an hour off across the autumn change.
    return moment.astimezone(UTC)


def _parse(kind, value: str):
    try:
        return kind.fromisoformat(value) if value and len(value) <= 10 else None
    except ValueError:
        return None


def _when(data, errors: dict[str, str], now: datetime) -> tuple[str, datetime, datetime]:
    zone_name = data.get("timezone", "")
    if zone_name not in dict(TIMEZONES):
        errors["timezone"] = "Choose the time zone the event happens in."
        zone_name = TIMEZONES[0][0]
    zone = zoneinfo.ZoneInfo(zone_name)
    day = _parse(date, data.get("date", ""))
    start = _parse(time, data.get("starts", ""))
    end = _parse(time, data.get("ends", ""))
    starts_at = ends_at = now
    if day is None:
        errors["date"] = "Date: choose the day (YYYY-MM-DD)."
    if start is None:
        errors["starts"] = "Start time: e.g. 18:30."
    if end is None:
        errors["ends"] = "End time: e.g. 20:00."
    if day is None or start is None or end is None:
        return zone_name, starts_at, ends_at
    first, last = _local(day, start, zone), _local(day, end, zone)
    if first is None or last is None:
        errors["starts" if first is None else "ends"] = (
            "That time does not exist on that day in that zone (the clocks change); pick another."
        )
        return zone_name, starts_at, ends_at
    if last <= first:
        errors["ends"] = "The end time must be after the start time."
    elif first <= now:
        errors["date"] = "The event must be in the future."
    elif first > now + HOW_FAR_AHEAD:
        errors["date"] = "Propose events up to a year ahead."
    return zone_name, first, last


def _capacity(value: str, errors: dict[str, str]) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= MAX_CAPACITY:
        errors["capacity"] = f"Capacity: a whole number from 1 to {MAX_CAPACITY}, or empty."
        return None
    return int(value)


def proposal_read(data, *, now: datetime | None = None) -> tuple[Proposal | None, dict[str, str]]:
    """The cleaned proposal and no errors, or None and field name → message."""
    now = now or timezone.now()
    errors: dict[str, str] = {}
    fields = _texts(data, errors)
    event_type = data.get("event_type", "")
    if event_type not in EventType.values:
        errors["event_type"] = "Choose the kind of event."
    virtual = data.get("where", "") == "online"
    _place(fields, virtual, errors)
    zone_name, starts_at, ends_at = _when(data, errors, now)
    capacity = _capacity(data.get("capacity", ""), errors)
    if errors:
        return None, errors
    fields.update(
        event_type=event_type,
        is_virtual=virtual,
        timezone=zone_name,
        address_private=bool(data.get("address_private")) and not virtual,
    )
    return Proposal(fields=fields, starts_at=starts_at, ends_at=ends_at, capacity=capacity), {}
