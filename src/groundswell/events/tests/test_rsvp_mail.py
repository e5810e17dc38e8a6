"""A public RSVP mails its confirmation, a cancellation mails "you're in" to the one promoted,
and a sign-up taken up again after a cancellation is confirmed again — end to end, through the
public pages, the services and a real SMTP server on loopback."""

from __future__ import annotations

import pytest
from django.urls import reverse
from icalendar import Calendar

from groundswell.events.models import Attendance, AttendanceStatus
from groundswell.events.tests.conftest_notices import inbox_open
from groundswell.events.tests.conftest_public import event_make, rsvp, shift_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def inbox(settings):
    with inbox_open(settings) as box:
        yield box


def _rsvp(client, event, shift, n, callbacks):
    with callbacks(execute=True):
        response = client.post(
            reverse("events:detail", args=[event.slug]), {**rsvp(n), "shift": [str(shift.pk)]}
        )
    assert response.status_code == 302
    return Attendance.objects.get(shift=shift, person__emails__address=rsvp(n)["email"])


def _subjects(inbox, n):
    return [message["Subject"] for message in inbox.to(rsvp(n)["email"])]


def test_an_rsvp_mails_a_confirmation_with_its_calendar_file_and_a_full_shift_a_waitlist_note(
    client, inbox, django_capture_on_commit_callbacks
):
    event = event_make(title="Door knock")
    shift = shift_make(event, capacity=1)
    first = _rsvp(client, event, shift, 1, django_capture_on_commit_callbacks)
    second = _rsvp(client, event, shift, 2, django_capture_on_commit_callbacks)
    assert (first.status, second.status) == (
        AttendanceStatus.REGISTERED,
        AttendanceStatus.WAITLISTED,
    )
    (confirmation,) = inbox.to(rsvp(1)["email"])
    assert "Door knock" in confirmation["Subject"]
    ics = next(p for p in confirmation.walk() if p.get_content_type() == "text/calendar")
    (vevent,) = Calendar.from_ical(ics.get_payload(decode=True)).walk("VEVENT")
    assert vevent.decoded("DTSTART") == shift.starts_at.replace(microsecond=0)
    body = confirmation.get_body(("plain",)).get_content()
    assert reverse("events:attendance", args=[first.token]) in body
    (waitlisted,) = inbox.to(rsvp(2)["email"])
    assert waitlisted["Subject"] != confirmation["Subject"]
    assert not [p for p in waitlisted.walk() if p.get_content_type() == "text/calendar"]


def test_cancelling_from_the_link_promotes_the_next_person_who_is_told_they_are_in(
    client, inbox, django_capture_on_commit_callbacks
):
    event = event_make()
    shift = shift_make(event, capacity=1)
    first = _rsvp(client, event, shift, 1, django_capture_on_commit_callbacks)
    _rsvp(client, event, shift, 2, django_capture_on_commit_callbacks)
    waitlist_subjects = _subjects(inbox, 2)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("events:attendance", args=[first.token]), {"action": "cancel"}
        )
    assert response.status_code in (200, 302)
    assert Attendance.objects.get(pk=first.pk).status == AttendanceStatus.CANCELLED
    promoted = _subjects(inbox, 2)
    assert len(promoted) == len(waitlist_subjects) + 1
    assert promoted[-1] not in waitlist_subjects


def test_signing_up_again_after_cancelling_sends_a_new_confirmation(
    client, inbox, django_capture_on_commit_callbacks
):
    event = event_make()
    shift = shift_make(event, capacity=5)
    first = _rsvp(client, event, shift, 1, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("events:attendance", args=[first.token]), {"action": "cancel"})
    again = _rsvp(client, event, shift, 1, django_capture_on_commit_callbacks)
    assert again.pk == first.pk and again.status == AttendanceStatus.REGISTERED
    subjects = _subjects(inbox, 1)
    assert len(subjects) == 2 and subjects[0] == subjects[1]
