"""The event page tells organizers how reminders go out and, per shift, how many went by
e-mail and by text, and how many failed."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from groundswell.core.tests.sms_double import Answer, error_body, sms_double
from groundswell.events.models import ReminderSent
from groundswell.events.notices import reminders_due
from groundswell.events.tests.conftest_notices import (
    attendance_make,
    event_make,
    inbox_open,
    person_make,
    shift_make,
)
from groundswell.people.models import Phone, PhoneType, SmsStatus

pytestmark = pytest.mark.django_db
START = datetime(2026, 3, 7, 15, 0, tzinfo=UTC)
DAY = timedelta(hours=24)


def texter(n: int):
    person = person_make(f"texter{n}@example.org")
    Phone.objects.create(
        person=person,
        number=f"+1614555{n:04d}",
        phone_type=PhoneType.MOBILE,
        sms_status=SmsStatus.SUBSCRIBED,
        is_primary=True,
    )
    return person


def cells(body: str) -> list[str]:
    """The text of each "Reminders sent" cell, tags and spacing dropped."""
    found = re.findall(r'<td data-label="Reminders sent"[^>]*>(.*?)</td>', body, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in found]


@pytest.mark.parametrize("role", ["admin", "organizer", "finance", "volunteer"])
def test_each_shift_counts_reminders_by_email_and_text_and_the_failures(
    settings, persona_client, role
):
    with inbox_open(settings), sms_double(settings) as provider:
        event = event_make()
        busy, quiet = shift_make(event, START), shift_make(event, START + DAY)
        attendance_make(busy, person_make("mail-only@example.org"))
        for n in (1, 2, 3):
            attendance_make(busy, texter(n))
        attendance_make(quiet, person_make("later@example.org"))
        refused = Answer(400, error_body(400, 21610, "Attempt to send to unsubscribed recipient"))
        first = reminders_due(now=START - DAY)
        assert first["sent"] == 4 and first["sms"]["sent"] == 3
        # Another attendee, whose text the provider refuses.
        late = attendance_make(busy, texter(4), signed_up=START - 2 * DAY)
        provider.answer(refused)
        assert reminders_due(now=START - DAY + timedelta(minutes=1))["sms"]["failed"] == 1
        ledger = ReminderSent.objects.filter(attendance__shift=busy)
        assert ledger.filter(channel="email", state="sent").count() == 5
        assert ledger.filter(channel="sms", state="sent").count() == 3
        assert ledger.get(attendance=late, channel="sms").state == "failed"

        body = persona_client(role).get(reverse("events_staff:detail", args=[event.pk]))
        text = body.content.decode()
    assert cells(text) == ["E-mail 5 · SMS 3 · 1 failed", "None yet"]
    assert "24 h and 2 h before each shift, by e-mail, and by text to attendees" in text


def test_without_a_provider_the_page_says_reminders_go_by_email_only(settings, persona_client):
    settings.GROUNDSWELL_SMS_ACCOUNT_SID = settings.GROUNDSWELL_SMS_AUTH_TOKEN = ""
    settings.GROUNDSWELL_SMS_FROM = ""
    event = event_make()
    shift_make(event, START)
    text = persona_client("volunteer").get(reverse("events_staff:detail", args=[event.pk]))
    assert "by e-mail only (no SMS provider is configured)" in text.content.decode()


def test_a_reminder_cut_off_by_a_dying_worker_shows_as_unconfirmed(persona_client):
    event = event_make(reminder_minutes=[])
    shift = shift_make(event, START)
    attendance = attendance_make(shift, person_make("cut@example.org"))
    ReminderSent.objects.create(
        attendance=attendance, minutes_before=60, channel="sms", state="sending", sent_at=START
    )
    body = persona_client("organizer").get(reverse("events_staff:detail", args=[event.pk]))
    text = body.content.decode()
    assert cells(text) == ["E-mail 0 · SMS 0 · 1 unconfirmed"]
    assert "None (set them when editing the event)" in text
