"""The staff side's test world: an event with shifts, and people on them.

Registrations are written as Attendance rows directly (registration is the public side's
service); people go in through the shared intake. Synthetic people only.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from groundswell.events.models import Attendance, AttendanceStatus, Event, Shift
from groundswell.people.tests.factories import person_create

# A Saturday in March, in standard time (EST): 10:00 AM there is 15:00 UTC.
SAT = datetime(2031, 3, 1, 15, 0, tzinfo=UTC)


def event_make(*, title: str = "Saturday canvass", status: str = "published", **fields) -> Event:
    defaults = {
        "slug": title.lower().replace(" ", "-"),
        "event_type": "canvass",
        "zip_code": "19103",
        "city": "Philadelphia",
        "state": "PA",
        "timezone": "America/New_York",
    }
    return Event.objects.create(title=title, status=status, **{**defaults, **fields})


def shift_make(event: Event, *, starts_at: datetime = SAT, hours: float = 3, **fields) -> Shift:
    return Shift.objects.create(
        event=event, starts_at=starts_at, ends_at=starts_at + timedelta(hours=hours), **fields
    )


def attendee(shift: Shift, given: str, family: str, *, status=AttendanceStatus.REGISTERED):
    person = person_create(
        given_name=given,
        family_name=family,
        email=f"{given}.{family}@example.org".lower(),
    )
    return Attendance.objects.create(
        shift=shift,
        person=person,
        status=status,
        waitlisted_at=SAT if status == AttendanceStatus.WAITLISTED else None,
    )
