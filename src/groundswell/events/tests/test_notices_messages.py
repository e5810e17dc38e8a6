"""The confirmation, waitlist and "you're in" messages, sent over real SMTP and read back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.utils import timezone

from groundswell.actions.services import site_get
from groundswell.core.tests.smtp import free_port, smtp_loopback
from groundswell.events.models import Attendance, AttendanceStatus, EventStatus
from groundswell.events.notices import confirmation_enqueue
from groundswell.events.notices.messages import confirmations_send
from groundswell.events.tests.conftest_notices import (
    attendance_make,
    event_make,
    inbox_open,
    parts,
    person_make,
    shift_make,
)
from groundswell.people.models import EmailStatus

pytestmark = pytest.mark.django_db

# Saturday 7 March 2026, 10:00 to 12:00 in New York (EST, UTC-5): 15:00 to 17:00 UTC.
START = datetime(2026, 3, 7, 15, 0, tzinfo=UTC)
NOW = START - timedelta(days=3)
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def inbox(settings):
    with inbox_open(settings) as box:
        yield box


@pytest.fixture
def registered(inbox):
    site = site_get()
    site.name = "Quillon for Congress"
    site.paid_for_by = "Paid for by Quillon for Congress"
    site.save()
    event = event_make(title="Canvass the Riverside ward")
    shift = shift_make(event, START, hours=2, label="Morning")
    return attendance_make(shift, person_make("wren.ashdown@example.org", given_name="Wren"))


def _send(*attendances) -> dict:
    return confirmations_send(attendance_ids=[a.pk for a in attendances], now=NOW)


def _calendar(message) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(parts(message)["ics"].get_payload(decode=True))


def test_the_confirmation_comes_from_the_campaign_with_text_html_and_an_invite(registered, inbox):
    assert _send(registered)["sent"] == 1
    [message] = inbox.to("wren.ashdown@example.org")
    assert message["From"].addresses[0].display_name == "Quillon for Congress"
    assert message["From"].addresses[0].addr_spec == "events@campaign.example.org"
    assert message["Reply-To"].addresses[0].addr_spec == "field@campaign.example.org"
    assert message["Subject"] == "You're signed up: Canvass the Riverside ward"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "multipart/mixed"
    found = parts(message)
    assert set(found) == {"text", "html", "ics"}
    ics = found["ics"]
    assert ics.get_param("method") == "REQUEST"
    assert ics.get_filename() == "invite.ics"
    assert "Hi Wren," in found["text"]
    assert "Paid for by Quillon for Congress" in found["text"]


def test_the_message_shows_the_shift_in_the_events_zone_with_its_abbreviation(registered, inbox):
    _send(registered)
    [message] = inbox.to("wren.ashdown@example.org")
    found = parts(message)
    for body in (found["text"], found["html"]):
        assert "Sat, Mar 7, 10:00 AM – 12:00 PM EST" in body
        assert "12 Quay Street" in body


def test_every_message_links_to_the_attendance_page_to_cancel_or_change(registered, inbox):
    _send(registered)
    [message] = inbox.to("wren.ashdown@example.org")
    link = f"https://campaign.example.org/events/attendance/{registered.token}/"
    found = parts(message)
    assert link in found["text"]
    assert f'href="{link}"' in found["html"]


def test_the_invite_has_the_shift_in_its_zone_with_a_vtimezone(registered, inbox):
    _send(registered)
    [message] = inbox.to("wren.ashdown@example.org")
    calendar = _calendar(message)
    assert calendar["METHOD"] == "REQUEST"
    [event] = calendar.walk("VEVENT")
    assert event["DTSTART"].params["TZID"] == "America/New_York"
    assert event["DTEND"].params["TZID"] == "America/New_York"
    assert event.decoded("DTSTART") == START
    assert event.decoded("DTSTART").astimezone(NEW_YORK).hour == 10
    assert event.decoded("DTEND") == START + timedelta(hours=2)
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["America/New_York"]
    assert str(event["SUMMARY"]) == "Canvass the Riverside ward"
    assert "12 Quay Street" in str(event["LOCATION"])
    assert "bring water" in str(event["DESCRIPTION"])
    assert str(event["ATTENDEE"]) == "mailto:wren.ashdown@example.org"
    uid = f"attendance-{registered.pk}-shift-{registered.shift_id}@campaign.example.org"
    assert str(event["UID"]) == uid


def test_the_invites_uid_differs_between_attendances_of_one_shift(registered, inbox):
    other = attendance_make(registered.shift, person_make("ines.carrow@example.org"))
    _send(registered, other)
    uids = {
        str(_calendar(m).walk("VEVENT")[0]["UID"])
        for m in inbox.to("wren.ashdown@example.org") + inbox.to("ines.carrow@example.org")
    }
    assert len(uids) == 2


def test_the_add_to_calendar_links_carry_the_shifts_times_in_utc(registered, inbox):
    _send(registered)
    [message] = inbox.to("wren.ashdown@example.org")
    text = parts(message)["text"]
    google = next(w for w in text.split() if w.startswith("https://calendar.google.com/"))
    outlook = next(w for w in text.split() if w.startswith("https://outlook.live.com/"))
    g = parse_qs(urlsplit(google).query)
    assert g["action"] == ["TEMPLATE"]
    assert g["text"] == ["Canvass the Riverside ward"]
    assert g["dates"] == ["20260307T150000Z/20260307T170000Z"]
    assert g["ctz"] == ["America/New_York"]
    o = parse_qs(urlsplit(outlook).query)
    assert o["rru"] == ["addevent"]
    assert o["subject"] == ["Canvass the Riverside ward"]
    assert (o["startdt"], o["enddt"]) == (["2026-03-07T15:00:00Z"], ["2026-03-07T17:00:00Z"])
    assert "12 Quay Street" in o["location"][0]


def test_a_virtual_events_join_link_goes_to_the_registered_and_not_the_waitlisted(inbox):
    event = event_make(is_virtual=True, join_url="https://meet.example.net/room-4471")
    shift = shift_make(event, START)
    held = attendance_make(shift, person_make("held@example.org"))
    waiting = attendance_make(
        shift, person_make("waiting@example.org"), status=AttendanceStatus.WAITLISTED
    )
    assert _send(held, waiting)["sent"] == 2
    [confirmation] = inbox.to("held@example.org")
    found = parts(confirmation)
    assert "https://meet.example.net/room-4471" in found["text"]
    assert 'href="https://meet.example.net/room-4471"' in found["html"]
    assert str(_calendar(confirmation).walk("VEVENT")[0]["LOCATION"]) == (
        "https://meet.example.net/room-4471"
    )
    [waitlist] = inbox.to("waiting@example.org")
    assert waitlist["Subject"].startswith("You're on the waitlist: ")
    found = parts(waitlist)
    assert "ics" not in found
    assert "room-4471" not in waitlist.as_string()
    assert f"/events/attendance/{waiting.token}/" in found["text"]


def test_a_private_address_is_kept_from_the_waitlisted(inbox):
    event = event_make(event_type="house_party", address_private=True, venue="")
    shift = shift_make(event, START)
    waiting = attendance_make(
        shift, person_make("waiting@example.org"), status=AttendanceStatus.WAITLISTED
    )
    _send(waiting)
    [message] = inbox.to("waiting@example.org")
    assert "Quay Street" not in message.as_string()
    assert "Columbus, OH 43215" in parts(message)["text"]


def test_a_promotion_from_the_waitlist_says_a_place_opened(registered, inbox):
    Attendance.objects.filter(pk=registered.pk).update(
        status=AttendanceStatus.WAITLISTED, waitlisted_at=NOW
    )
    _send(registered)
    Attendance.objects.filter(pk=registered.pk).update(status=AttendanceStatus.REGISTERED)
    _send(registered)
    waitlist, promoted = inbox.to("wren.ashdown@example.org")
    assert waitlist["Subject"].startswith("You're on the waitlist")
    assert promoted["Subject"] == "A place opened, you're in: Canvass the Riverside ward"
    assert "ics" in parts(promoted)


def test_a_confirmation_sent_twice_is_received_once(registered, inbox):
    assert _send(registered)["sent"] == 1
    assert _send(registered) == {"sent": 0, "skipped": 1, "failed": 0}
    assert len(inbox.to("wren.ashdown@example.org")) == 1
    registered.refresh_from_db()
    assert registered.notice_status == AttendanceStatus.REGISTERED
    assert registered.notice_sent_at == NOW


def test_who_cancels_and_signs_up_again_on_the_same_row_is_confirmed_again(registered, inbox):
    _send(registered)
    Attendance.objects.filter(pk=registered.pk).update(
        status=AttendanceStatus.CANCELLED, cancelled_at=NOW + timedelta(minutes=5)
    )
    assert _send(registered)["sent"] == 0
    Attendance.objects.filter(pk=registered.pk).update(status=AttendanceStatus.REGISTERED)
    later = NOW + timedelta(minutes=10)
    assert confirmations_send(attendance_ids=[registered.pk], now=later)["sent"] == 1
    assert confirmations_send(attendance_ids=[registered.pk], now=later)["sent"] == 0
    subjects = [m["Subject"] for m in inbox.to("wren.ashdown@example.org")]
    assert subjects == ["You're signed up: Canvass the Riverside ward"] * 2


def test_confirmation_enqueue_sends_when_the_transaction_commits(
    inbox, django_capture_on_commit_callbacks
):
    # The task runs on the real clock: a shift ahead of it.
    shift = shift_make(event_make(), timezone.now() + timedelta(days=3))
    attendance = attendance_make(shift, person_make("enqueued@example.org"))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        confirmation_enqueue(attendance_ids=[attendance.pk, attendance.pk])
    assert inbox.received == []
    for callback in callbacks:
        callback()
    assert len(inbox.to("enqueued@example.org")) == 1


@pytest.mark.parametrize("status", [EmailStatus.BOUNCING, EmailStatus.SPAM_COMPLAINT])
def test_no_event_mail_goes_to_a_bouncing_or_complaining_address(inbox, status):
    shift = shift_make(event_make(), START)
    attendance = attendance_make(shift, person_make("marked@example.org", status=status))
    assert _send(attendance)["sent"] == 0
    assert inbox.received == []


def test_event_mail_goes_to_an_attendee_unsubscribed_from_mailings(inbox):
    shift = shift_make(event_make(), START)
    person = person_make("optout@example.org", status=EmailStatus.UNSUBSCRIBED)
    assert _send(attendance_make(shift, person))["sent"] == 1


def test_nothing_is_sent_for_a_cancellation_or_a_cancelled_event(inbox):
    shift = shift_make(event_make(), START)
    gone = attendance_make(shift, person_make("gone@example.org"), status="cancelled")
    called_off = shift_make(event_make(status=EventStatus.CANCELLED), START)
    other = attendance_make(called_off, person_make("other@example.org"))
    assert _send(gone, other)["sent"] == 0
    assert inbox.received == []


def test_a_hostile_title_and_description_stay_text(inbox):
    event = event_make(
        title="Party\r\nBcc: victim@example.org",
        description='<script>alert("x")</script><a href="javascript:x">y</a>',
    )
    attendance = attendance_make(shift_make(event, START), person_make("safe@example.org"))
    assert _send(attendance)["sent"] == 1
    [(rcpt, message)] = inbox.received
    assert rcpt == "safe@example.org"
    assert message["Subject"] == "You're signed up: Party Bcc: victim@example.org"
    assert message["Bcc"] is None
    html = parts(message)["html"]
    assert "<script>" not in html
    assert 'href="javascript:' not in html


class Refusing:
    """A server that accepts the envelope and refuses the message."""

    async def handle_DATA(self, server, session, envelope):
        return "554 Transaction failed"


def test_a_refused_message_leaves_the_confirmation_owed(registered, settings):
    with smtp_loopback(Refusing(), settings):
        assert _send(registered)["failed"] == 1
    registered.refresh_from_db()
    assert registered.notice_status == ""
    assert registered.notice_sent_at is None


def test_an_unreachable_server_fails_the_task_and_claims_nothing(registered, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    settings.EMAIL_TIMEOUT = 2
    with pytest.raises(OSError):
        _send(registered)
    registered.refresh_from_db()
    assert registered.notice_status == ""
