"""Registering for shifts, cancelling and the waitlist (runs on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from groundswell.events.choices import EventStatus, Visibility
from groundswell.events.models import Attendance, AttendanceStatus
from groundswell.events.services import (
    RegistrationInvalid,
    RegistrationRefused,
    attendance_cancel,
    attendance_move,
    attendance_register,
    when_text,
)
from groundswell.events.tests.conftest_public import event, event_make, rsvp, shift, shift_make
from groundswell.people.models import Activity, EmailStatus, Person

__all__ = ["event", "shift"]  # fixtures used by name below

pytestmark = pytest.mark.django_db


def test_a_registration_upserts_the_person_and_lands_on_their_timeline(shift):
    attendance = attendance_register(
        shift=shift, person_data=rsvp(1), source="flyer", refcode="door-1"
    )
    person = Person.objects.get(pk=attendance.person_id)
    assert attendance.status == AttendanceStatus.REGISTERED
    assert (attendance.source, attendance.refcode) == ("flyer", "door-1")
    assert person.given_name == "Tester1"
    summaries = list(
        Activity.objects.filter(person=person, kind="event_rsvp").values_list("summary", flat=True)
    )
    assert any(shift.event.title in s and s.startswith("Registered for") for s in summaries)


def test_the_same_person_registering_twice_gets_the_same_attendance(shift):
    first = attendance_register(shift=shift, person_data=rsvp(1))
    again = attendance_register(shift=shift, person_data={**rsvp(1), "given_name": "Tester1"})
    assert again.pk == first.pk
    assert Attendance.objects.filter(shift=shift).count() == 1
    assert Person.objects.count() == 1


def test_past_the_capacity_people_are_waitlisted_in_order(shift):
    statuses = [attendance_register(shift=shift, person_data=rsvp(n)).status for n in range(4)]
    assert statuses == ["registered", "registered", "waitlisted", "waitlisted"]


def test_a_cancellation_promotes_the_first_waitlisted_person(shift):
    first = attendance_register(shift=shift, person_data=rsvp(1))
    attendance_register(shift=shift, person_data=rsvp(2))
    third = attendance_register(shift=shift, person_data=rsvp(3))
    attendance_register(shift=shift, person_data=rsvp(4))
    promoted = attendance_cancel(attendance=first)
    assert [a.pk for a in promoted] == [third.pk]
    third.refresh_from_db()
    first.refresh_from_db()
    assert third.status == AttendanceStatus.REGISTERED
    assert first.status == AttendanceStatus.CANCELLED and first.cancelled_at is not None
    assert attendance_cancel(attendance=first) == []


def test_a_cancelled_registration_is_taken_up_again_by_a_new_rsvp(shift):
    first = attendance_register(shift=shift, person_data=rsvp(1))
    attendance_cancel(attendance=first)
    again = attendance_register(shift=shift, person_data=rsvp(1))
    assert again.pk == first.pk
    assert again.status == AttendanceStatus.REGISTERED and again.cancelled_at is None


def test_a_shift_without_capacity_never_waitlists(event):
    open_shift = shift_make(event, capacity=None)
    statuses = {attendance_register(shift=open_shift, person_data=rsvp(n)).status for n in range(5)}
    assert statuses == {AttendanceStatus.REGISTERED}


def test_waitlisted_people_go_before_a_newcomer_when_capacity_is_raised(shift):
    for n in range(3):
        attendance_register(shift=shift, person_data=rsvp(n))
    shift.capacity = 4
    shift.save()
    waiting = Attendance.objects.get(shift=shift, status=AttendanceStatus.WAITLISTED)
    newcomer = attendance_register(shift=shift, person_data=rsvp(9))
    waiting.refresh_from_db()
    assert waiting.status == AttendanceStatus.REGISTERED
    assert newcomer.status == AttendanceStatus.REGISTERED


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"status": EventStatus.CANCELLED}, "cancelled"),
        ({"status": EventStatus.DRAFT}, "not open"),
        ({"visibility": Visibility.PRIVATE}, "not open"),
    ],
)
def test_an_event_that_is_not_open_refuses_registrations(change, words):
    closed = event_make(**change)
    closed_shift = shift_make(closed, capacity=5)
    with pytest.raises(RegistrationRefused, match=words):
        attendance_register(shift=closed_shift, person_data=rsvp(1))
    assert not Person.objects.exists()


def test_a_shift_that_has_started_refuses_registrations(event):
    started = shift_make(event, days=-0.01)
    with pytest.raises(RegistrationRefused, match="already started"):
        attendance_register(shift=started, person_data=rsvp(1))


def test_an_unlisted_event_takes_registrations_by_its_link(event):
    unlisted = event_make(visibility=Visibility.UNLISTED)
    attendance = attendance_register(shift=shift_make(unlisted), person_data=rsvp(1))
    assert attendance.status == AttendanceStatus.REGISTERED


def test_details_the_intake_refuses_raise_with_the_field(shift):
    with pytest.raises(RegistrationInvalid) as caught:
        attendance_register(shift=shift, person_data={"given_name": "X", "email": "not-an-email"})
    assert "email" in caught.value.errors
    assert not Attendance.objects.exists()


def test_consent_given_on_the_form_subscribes_the_address(shift):
    attendance = attendance_register(
        shift=shift, person_data={**rsvp(1), "email_status": "subscribed"}
    )
    assert Person.objects.get(pk=attendance.person_id).email_status == EmailStatus.SUBSCRIBED


def test_without_consent_the_address_is_not_subscribed(shift):
    attendance = attendance_register(shift=shift, person_data=rsvp(1))
    assert Person.objects.get(pk=attendance.person_id).email_status != EmailStatus.SUBSCRIBED


def test_moving_to_another_shift_frees_the_old_place_for_the_waitlist(event, shift):
    afternoon = shift_make(event, days=3.3, capacity=5, label="Afternoon")
    mover = attendance_register(shift=shift, person_data=rsvp(1))
    attendance_register(shift=shift, person_data=rsvp(2))
    waiting = attendance_register(shift=shift, person_data=rsvp(3))
    moved, promoted = attendance_move(attendance=mover, shift=afternoon)
    mover.refresh_from_db()
    assert moved.shift_id == afternoon.pk and moved.status == AttendanceStatus.REGISTERED
    assert mover.status == AttendanceStatus.CANCELLED
    assert [a.pk for a in promoted] == [waiting.pk]


def test_moving_to_a_shift_of_another_event_is_refused(shift):
    other = shift_make(event_make())
    mover = attendance_register(shift=shift, person_data=rsvp(1))
    with pytest.raises(RegistrationRefused):
        attendance_move(attendance=mover, shift=other)


def test_times_read_in_the_events_own_zone_with_its_abbreviation():
    chicago = event_make(timezone="America/Chicago")
    winter = datetime(2026, 1, 10, 16, 0, tzinfo=UTC)
    summer = winter + timedelta(days=180)
    assert when_text(winter, chicago) == "Sat, Jan 10, 10:00 AM CST"
    assert when_text(summer, chicago) == "Thu, Jul 9, 11:00 AM CDT"


def test_a_cancellation_by_staff_names_them_on_the_timeline(shift, admin_user):
    attendance = attendance_register(shift=shift, person_data=rsvp(1))
    attendance_cancel(attendance=attendance, actor=admin_user)
    entry = Activity.objects.filter(summary__startswith="Cancelled by the campaign").get()
    assert entry.data["actor"] == admin_user.pk
