"""Fixtures for the public side's tests: a published event with shifts, and RSVP details."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from groundswell.events.models import Event, EventStatus, EventType, Shift, Visibility

_numbers = itertools.count(1)


def event_make(**fields) -> Event:
    """A published public event in Washington, DC (ZIP 20001) unless told otherwise."""
    n = next(_numbers)
    values = {
        "title": f"Neighbourhood canvass {n}",
        "slug": f"canvass-{n}-{timezone.now():%H%M%S%f}",
        "event_type": EventType.CANVASS,
        "status": EventStatus.PUBLISHED,
        "visibility": Visibility.PUBLIC,
        "timezone": "America/New_York",
        "venue": "Community hall",
        "address_line1": "100 Example Street",
        "city": "Washington",
        "state": "DC",
        "zip_code": "20001",
        "description": "Knock on doors with us.",
    }
    values.update(fields)
    return Event.objects.create(**values)


def shift_make(event: Event, *, days: float = 3, hours: float = 3, **fields) -> Shift:
    start = timezone.now() + timedelta(days=days)
    values = {"starts_at": start, "ends_at": start + timedelta(hours=hours)}
    values.update(fields)
    return Shift.objects.create(event=event, **values)


def rsvp(n: int) -> dict:
    """Synthetic RSVP details for the n-th person."""
    return {
        "given_name": f"Tester{n}",
        "family_name": "Example",
        "email": f"rsvp{n}@example.org",
        "postal_code": "20001",
    }


@pytest.fixture
def event(db):
    return event_make()


@pytest.fixture
def shift(event):
    return shift_make(event, capacity=2, label="Morning")
