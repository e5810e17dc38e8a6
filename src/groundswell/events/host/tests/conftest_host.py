"""Host-your-own's test helpers: a valid proposal form, and an approved event with its key."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from groundswell.events.host.models import EventHostKey
from groundswell.events.models import Event, EventStatus
from groundswell.events.services import attendance_register
from groundswell.events.tests.conftest_public import event_make, rsvp, shift_make
from groundswell.people.models import Person


def proposal_form(n: int = 1, **overrides) -> dict[str, str]:
    """A proposal a synthetic supporter could send, ten days ahead in Chicago's zone."""
    day = (timezone.now() + timedelta(days=10)).date().isoformat()
    form = {
        "title": f"Porch chat {n}",
        "event_type": "house_party",
        "description": "Coffee and a talk\nabout the race.",
        "where": "place",
        "venue": "My porch",
        "address_line1": f"{n} Sample Lane",
        "city": "Springfield",
        "state": "IL",
        "zip_code": "62701",
        "address_private": "yes",
        "date": day,
        "starts": "18:30",
        "ends": "20:00",
        "timezone": "America/Chicago",
        "capacity": "12",
        "given_name": f"Hostie{n}",
        "family_name": "Example",
        "email": f"host{n}@example.org",
        "mobile_phone": "",
        "postal_code": "62701",
        "website": "",
    }
    form.update(overrides)
    return form


def hosted_event(n: int = 1, **fields) -> tuple[Event, Person, EventHostKey]:
    """A published event hosted by a synthetic supporter, with a live host key."""
    host = Person.objects.create(given_name=f"Hostie{n}", family_name="Example")
    event = event_make(host=host, status=EventStatus.PUBLISHED, **fields)
    shift_make(event)
    key = EventHostKey.objects.create(event=event, person=host)
    return event, host, key


def attendee(event: Event, n: int):
    return attendance_register(shift=event.shifts.first(), person_data=rsvp(n))
