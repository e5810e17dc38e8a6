"""The notices' test world: a real SMTP server on loopback, events, shifts, synthetic people.

Rows are made directly (registration is another part's); helpers, not a shared conftest, so
each events test module takes only what it imports.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from groundswell.core.tests.smtp import smtp_loopback
from groundswell.events.models import Attendance, AttendanceStatus, Event, EventStatus, Shift
from groundswell.people.models import EmailAddress, EmailStatus, Person


class Inbox:
    """Every message the loopback server accepted, parsed back with the email package."""

    def __init__(self):
        self.lock = threading.Lock()
        self.received: list[tuple[str, email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                self.received.append((rcpt, parsed))
        return "250 OK"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [message for rcpt, message in self.received if rcpt == address]


@contextlib.contextmanager
def inbox_open(settings) -> Iterator[Inbox]:
    """An Inbox served on loopback, Django's mail and the public address pointed at it (each
    test module wraps it in its own ``inbox`` fixture)."""
    box = Inbox()
    with smtp_loopback(box, settings):
        settings.GROUNDSWELL_PUBLIC_URL = "https://campaign.example.org"
        settings.DEFAULT_FROM_EMAIL = "Events <events@campaign.example.org>"
        yield box


_counter = iter(range(1, 1_000_000))


def event_make(**fields) -> Event:
    n = next(_counter)
    values = {
        "title": f"Canvass the Riverside ward {n}",
        "slug": f"canvass-riverside-{n}",
        "event_type": "canvass",
        "status": EventStatus.PUBLISHED,
        "timezone": "America/New_York",
        "venue": "Riverside Library",
        "address_line1": "12 Quay Street",
        "city": "Columbus",
        "state": "OH",
        "zip_code": "43215",
        "description": "We knock on doors in pairs; bring water.",
        "contact_email": "field@campaign.example.org",
    }
    values.update(fields)
    return Event.objects.create(**values)


def shift_make(event: Event, starts_at: datetime, hours: float = 2, **fields) -> Shift:
    return Shift.objects.create(
        event=event, starts_at=starts_at, ends_at=starts_at + timedelta(hours=hours), **fields
    )


def person_make(address: str, status: str = EmailStatus.SUBSCRIBED, **fields) -> Person:
    person = Person.objects.create(
        given_name=fields.pop("given_name", "Ottilie"),
        family_name=fields.pop("family_name", "Varnum"),
        primary_email=address,
        email_status=status,
        **fields,
    )
    EmailAddress.objects.create(person=person, address=address, is_primary=True, status=status)
    return person


def attendance_make(
    shift: Shift,
    person: Person,
    status: str = AttendanceStatus.REGISTERED,
    signed_up: datetime | None = None,
    **fields,
) -> Attendance:
    """An attendance that signed up ``signed_up`` (default: 30 days before the shift)."""
    if status == AttendanceStatus.WAITLISTED:
        fields.setdefault("waitlisted_at", datetime.now(UTC))
    attendance = Attendance.objects.create(shift=shift, person=person, status=status, **fields)
    created = signed_up or shift.starts_at - timedelta(days=30)
    Attendance.objects.filter(pk=attendance.pk).update(created_at=created)
    attendance.refresh_from_db()
    return attendance


def parts(message) -> dict[str, object]:
    """The text, the HTML and the .ics part of a parsed message, by role."""
    found = {}
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "text/calendar":
            found["ics"] = part
        elif kind == "text/plain" and not part.get_filename():
            found.setdefault("text", part.get_content())
        elif kind == "text/html":
            found["html"] = part.get_content()
    return found
