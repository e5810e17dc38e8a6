"""The calendar side of an event notice: the .ics attachment and the add-to-calendar links.

The .ics is an iTIP REQUEST (RFC 5546) so mail clients offer to add it; its UID is stable per
attendance and shift, so the reminder's copy updates the confirmation's entry instead of adding
a second one. Times carry the event's TZID with its VTIMEZONE, so a calendar shows the shift at
the local time the organizer set, whatever zone the reader is in.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import icalendar

GOOGLE_URL = "https://calendar.google.com/calendar/render"
OUTLOOK_URL = "https://outlook.live.com/calendar/0/deeplink/compose"
ZONE_MARGIN = timedelta(days=400)


@dataclass(frozen=True)
class CalendarEntry:
    """What a calendar needs to know about one shift, for one attendee."""

    uid: str
    title: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    location: str
    description: str
    url: str
    organizer_name: str
    organizer_email: str
    attendee_email: str


def ics_build(entry: CalendarEntry, *, now: datetime) -> bytes:
    """One VEVENT in a VCALENDAR with METHOD:REQUEST and the event zone's VTIMEZONE."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Groundswell//Events//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    event = icalendar.Event()
    event.add("uid", entry.uid)
    event.add("dtstamp", now.astimezone(UTC))
    event.add("sequence", 0)
    event.add("status", "CONFIRMED")
    event.add("summary", entry.title)
    # Local times, not UTC: icalendar writes the TZID of the zone attached here, and a reader
    # in another zone still sees the shift where the organizer set it.
    zone = zoneinfo.ZoneInfo(entry.timezone)
    event.add("dtstart", entry.starts_at.astimezone(zone))
    event.add("dtend", entry.ends_at.astimezone(zone))
    if entry.location:
        event.add("location", entry.location)
    if entry.description:
        event.add("description", entry.description)
    if entry.url:
        event.add("url", entry.url)
    organizer = icalendar.vCalAddress(f"mailto:{entry.organizer_email}")
    organizer.params["CN"] = entry.organizer_name
    event.add("organizer", organizer)
    attendee = icalendar.vCalAddress(f"mailto:{entry.attendee_email}")
    attendee.params.update({"ROLE": "REQ-PARTICIPANT", "PARTSTAT": "ACCEPTED", "RSVP": "FALSE"})
    event.add("attendee", attendee)
    calendar.add_component(event)
    # The zone's rules around the shift only: the whole 1970–2038 history is 4 kB of RDATEs.
    calendar.add_missing_timezones(
        first_date=(entry.starts_at - ZONE_MARGIN).date(),
        last_date=(entry.ends_at + ZONE_MARGIN).date(),
    )
    return calendar.to_ical()


def google_calendar_url(entry: CalendarEntry) -> str:
    """Google Calendar's public "create event" link, times in UTC shown in the event's zone."""
    query = {
        "action": "TEMPLATE",
        "text": entry.title,
        "dates": f"{_utc_basic(entry.starts_at)}/{_utc_basic(entry.ends_at)}",
        "ctz": entry.timezone,
        "details": _with_url(entry),
        "location": entry.location,
    }
    return f"{GOOGLE_URL}?{urlencode(query)}"


def outlook_calendar_url(entry: CalendarEntry) -> str:
    """Outlook on the web's "compose event" deep link (personal accounts; work accounts are
    redirected by Microsoft)."""
    query = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": entry.title,
        "startdt": _utc_extended(entry.starts_at),
        "enddt": _utc_extended(entry.ends_at),
        "body": _with_url(entry),
        "location": entry.location,
    }
    return f"{OUTLOOK_URL}?{urlencode(query)}"


def _with_url(entry: CalendarEntry) -> str:
    return "\n\n".join(part for part in (entry.description, entry.url) if part)


def _utc_basic(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _utc_extended(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
