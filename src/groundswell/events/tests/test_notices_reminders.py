"""Reminders before each shift: owed once, at the right absolute instant, in the event's zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.db import connection
from django.utils.module_loading import import_string

from groundswell.core.management.commands.periodic import JOBS
from groundswell.core.tests.race import at_once
from groundswell.events.models import AttendanceStatus, EventStatus, ReminderSent
from groundswell.events.notices import reminders_due
from groundswell.events.notices.reminders import reminders_compute
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

# Saturday 7 March 2026, 10:00 in New York (EST, UTC-5).
START = datetime(2026, 3, 7, 15, 0, tzinfo=UTC)
DAY, TWO_HOURS, MINUTE = timedelta(hours=24), timedelta(hours=2), timedelta(minutes=1)


@pytest.fixture
def inbox(settings):
    with inbox_open(settings) as box:
        yield box


@pytest.fixture
def attendee(inbox):
    shift = shift_make(event_make(title="Phone bank for the levy"), START)
    return attendance_make(shift, person_make("juno.tealby@example.org", given_name="Juno"))


def test_the_reminder_job_runs_every_minute_from_periodic():
    [every] = [e for path, e in JOBS if path == "groundswell.events.notices.tasks.reminders_due"]
    assert every == 60
    assert import_string("groundswell.events.notices.tasks.reminders_due").name


def test_the_day_before_reminder_goes_at_its_instant_and_not_a_minute_earlier(attendee, inbox):
    assert reminders_due(now=START - DAY - MINUTE)["sent"] == 0
    assert reminders_due(now=START - DAY)["sent"] == 1
    [message] = inbox.to("juno.tealby@example.org")
    assert message["Subject"] == "Reminder: Phone bank for the levy, Sat, Mar 7, 10:00 AM EST"
    text = parts(message)["text"]
    assert "Hi Juno," in text
    assert f"https://campaign.example.org/events/attendance/{attendee.token}/" in text
    assert "https://calendar.google.com/calendar/render?" in text


def test_a_reminder_is_sent_once_however_often_the_job_runs(attendee, inbox):
    for minutes in range(0, 10):
        reminders_due(now=START - DAY + timedelta(minutes=minutes))
    assert len(inbox.to("juno.tealby@example.org")) == 1
    assert ReminderSent.objects.filter(attendance=attendee).count() == 1


def test_each_offset_gets_its_reminder_in_turn(attendee, inbox):
    reminders_due(now=START - DAY)
    reminders_due(now=START - DAY + MINUTE)
    reminders_due(now=START - TWO_HOURS)
    reminders_due(now=START - TWO_HOURS + MINUTE)
    assert len(inbox.to("juno.tealby@example.org")) == 2
    assert sorted(
        ReminderSent.objects.filter(attendance=attendee).values_list("minutes_before", flat=True)
    ) == [120, 1440]


def test_the_reminder_carries_the_same_invite_as_the_confirmation_would(attendee, inbox):
    reminders_due(now=START - DAY)
    [message] = inbox.to("juno.tealby@example.org")
    calendar = icalendar.Calendar.from_ical(parts(message)["ics"].get_payload(decode=True))
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == (
        f"attendance-{attendee.pk}-shift-{attendee.shift_id}@campaign.example.org"
    )
    assert event.decoded("DTSTART") == START


def test_a_worker_back_after_an_outage_sends_only_the_nearest_reminder(attendee, inbox):
    assert reminders_due(now=START - timedelta(minutes=90))["sent"] == 1
    assert len(inbox.to("juno.tealby@example.org")) == 1
    assert ReminderSent.objects.filter(attendance=attendee).count() == 2
    assert reminders_due(now=START - timedelta(minutes=89))["due"] == 0


def test_who_signs_up_after_an_offset_passed_is_not_sent_that_reminder(inbox):
    shift = shift_make(event_make(), START)
    late = attendance_make(shift, person_make("late@example.org"), signed_up=START - 3 * TWO_HOURS)
    assert reminders_due(now=START - DAY)["sent"] == 0
    assert reminders_due(now=START - 3 * TWO_HOURS + MINUTE)["sent"] == 0
    assert reminders_due(now=START - TWO_HOURS)["sent"] == 1
    assert [r.minutes_before for r in ReminderSent.objects.filter(attendance=late)] == [120]


def test_an_events_own_offsets_replace_the_defaults(inbox):
    shift = shift_make(event_make(reminder_minutes=[45]), START)
    attendance_make(shift, person_make("own@example.org"))
    assert reminders_due(now=START - DAY)["sent"] == 0
    assert reminders_due(now=START - TWO_HOURS)["sent"] == 0
    assert reminders_due(now=START - timedelta(minutes=45))["sent"] == 1


def test_an_event_with_no_offsets_sends_no_reminders_beside_one_that_has(inbox):
    quiet = shift_make(event_make(reminder_minutes=[]), START)
    attendance_make(quiet, person_make("quiet@example.org"))
    loud = shift_make(event_make(), START)
    attendance_make(loud, person_make("loud@example.org"))
    reminders_due(now=START - DAY)
    assert [rcpt for rcpt, _ in inbox.received] == ["loud@example.org"]


@pytest.mark.parametrize(
    "status", [AttendanceStatus.CANCELLED, AttendanceStatus.WAITLISTED], ids=str
)
def test_no_reminder_for_a_cancelled_or_waitlisted_attendance(inbox, status):
    shift = shift_make(event_make(), START)
    attendance_make(shift, person_make("not-coming@example.org"), status=status)
    assert reminders_due(now=START - DAY)["due"] == 0
    assert inbox.received == []


def test_no_reminder_for_a_shift_that_has_started_or_passed(attendee, inbox):
    assert reminders_due(now=START)["due"] == 0
    assert reminders_due(now=START + DAY)["due"] == 0
    assert inbox.received == []


def test_no_reminder_for_a_cancelled_event(inbox):
    shift = shift_make(event_make(status=EventStatus.CANCELLED), START)
    attendance_make(shift, person_make("called-off@example.org"))
    assert reminders_due(now=START - DAY)["due"] == 0


@pytest.mark.parametrize(
    "status", [EmailStatus.BOUNCING, EmailStatus.PREVIOUS_BOUNCE, EmailStatus.SPAM_COMPLAINT]
)
def test_no_reminder_to_an_address_marked_bouncing_or_complained(inbox, status):
    shift = shift_make(event_make(), START)
    attendance_make(shift, person_make("marked@example.org", status=status))
    assert reminders_due(now=START - DAY)["due"] == 0
    assert inbox.received == []


def test_a_reminder_goes_to_an_attendee_unsubscribed_from_mailings(inbox):
    shift = shift_make(event_make(), START)
    attendance_make(shift, person_make("optout@example.org", status=EmailStatus.UNSUBSCRIBED))
    assert reminders_due(now=START - DAY)["sent"] == 1


# Shifts at 9:00 in New York around the 2026 clock changes (second Sunday of March, first
# Sunday of November, at 2:00): the UTC instants and the reminder's are worked out by hand.
DST_CASES = {
    # Sunday 8 March, after the change: 9:00 EDT is 13:00 UTC; 24 hours before is Saturday
    # 13:00 UTC, 8:00 EST on the wall.
    "march-morning-of-the-change": (datetime(2026, 3, 8, 13, 0, tzinfo=UTC), "EDT"),
    # Monday 9 March: 9:00 EDT, 13:00 UTC; 24 hours before is Sunday 9:00 EDT.
    "march-day-after-the-change": (datetime(2026, 3, 9, 13, 0, tzinfo=UTC), "EDT"),
    # Sunday 1 November, after the change: 9:00 EST is 14:00 UTC; 24 hours before is Saturday
    # 14:00 UTC, 10:00 EDT on the wall.
    "november-morning-of-the-change": (datetime(2026, 11, 1, 14, 0, tzinfo=UTC), "EST"),
    # Monday 2 November: 9:00 EST, 14:00 UTC.
    "november-day-after-the-change": (datetime(2026, 11, 2, 14, 0, tzinfo=UTC), "EST"),
}


@pytest.mark.parametrize("start, zone", list(DST_CASES.values()), ids=list(DST_CASES))
def test_reminders_across_a_clock_change_go_24_real_hours_before_and_read_local_time(
    inbox, start, zone
):
    shift = shift_make(event_make(title="Door knock", timezone="America/New_York"), start)
    attendance_make(shift, person_make("dst@example.org"))
    assert reminders_due(now=start - DAY - MINUTE)["sent"] == 0
    assert reminders_due(now=start - DAY)["sent"] == 1
    [message] = inbox.to("dst@example.org")
    assert message["Subject"].endswith(f", 9:00 AM {zone}")
    assert f"9:00 AM – 11:00 AM {zone}" in parts(message)["text"]
    calendar = icalendar.Calendar.from_ical(parts(message)["ics"].get_payload(decode=True))
    dtstart = calendar.walk("VEVENT")[0].decoded("DTSTART")
    assert (dtstart.hour, dtstart.minute, dtstart.tzname()) == (9, 0, zone)
    assert dtstart.tzinfo == ZoneInfo("America/New_York")
    # The attached VTIMEZONE itself knows the shift's offset, for calendars that use it.
    [vtimezone] = calendar.walk("VTIMEZONE")
    rules = vtimezone.to_tz()
    assert dtstart.replace(tzinfo=rules).utcoffset() == dtstart.utcoffset()


def test_reminders_due_finds_only_what_is_owed(inbox):
    shift = shift_make(event_make(), START)
    owed = attendance_make(shift, person_make("owed@example.org"))
    done = attendance_make(shift, person_make("done@example.org"))
    ReminderSent.objects.create(attendance=done, minutes_before=1440, sent_at=START - DAY)
    assert [d.attendance_id for d in reminders_compute(now=START - DAY)] == [owed.pk]


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_a_reminder_once(settings):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    with inbox_open(settings) as box:
        shifts = [shift_make(event_make(), START + timedelta(minutes=n)) for n in range(3)]
        for n, shift in enumerate(shifts):
            for m in range(4):
                attendance_make(shift, person_make(f"racer{n}-{m}@example.org"))

        def work():
            return reminders_due(now=START - DAY + 5 * MINUTE)

        results, errors = at_once(work, work)
        assert not errors
        assert sum(r["sent"] for r in results) == 12
        assert len(box.received) == 12
        assert len({rcpt for rcpt, _ in box.received}) == 12
        assert ReminderSent.objects.count() == 12
