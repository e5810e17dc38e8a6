"""The staff services: saving an event with its shifts, its status moves, the roster on the day."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from groundswell.accounts.models import AuditEvent
from groundswell.events import staff
from groundswell.events.models import Attendance, AttendanceStatus, Event, EventStatus
from groundswell.events.tests.conftest_staff import SAT, attendee, event_make, shift_make
from groundswell.people.models import Activity, Person

pytestmark = pytest.mark.django_db
CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


def _fields(**overrides) -> dict:
    fields = {
        "title": "Phone bank for the primary",
        "event_type": "phone_bank",
        "description": "",
        "visibility": "public",
        "timezone": "America/Chicago",
        "is_virtual": False,
        "join_url": "",
        "venue": "Union hall",
        "address_line1": "1 Example Way",
        "city": "Chicago",
        "state": "IL",
        "zip_code": "60601",
        "address_private": False,
        "accessibility": "",
        "contact_email": "",
    }
    fields.update(overrides)
    return fields


def _shift(start: datetime, hours: float = 2, **kw) -> staff.ShiftInput:
    return staff.ShiftInput(starts_at=start, ends_at=start + timedelta(hours=hours), **kw)


def test_saving_a_new_event_gives_it_a_slug_from_its_title_and_stores_its_shifts(
    organizer_user,
):
    start = datetime(2031, 7, 4, 10, tzinfo=CHICAGO)
    event = staff.event_save(
        actor=organizer_user, fields=_fields(), shifts=[_shift(start, capacity=12)]
    )
    assert event.slug == "phone-bank-for-the-primary"
    assert event.status == EventStatus.DRAFT
    assert event.created_by == organizer_user
    shift = event.shifts.get()
    assert shift.starts_at == start
    assert shift.starts_at.astimezone(CHICAGO).hour == 10
    assert shift.capacity == 12
    logged = AuditEvent.objects.get(action=staff.AUDIT_SAVE)
    assert logged.target_id == str(event.pk) and logged.details["shifts_added"] == 1


def test_a_second_event_with_the_same_title_gets_its_own_slug(organizer_user):
    start = datetime(2031, 7, 4, 10, tzinfo=CHICAGO)
    first = staff.event_save(actor=organizer_user, fields=_fields(), shifts=[_shift(start)])
    second = staff.event_save(actor=organizer_user, fields=_fields(), shifts=[_shift(start)])
    assert first.slug != second.slug
    assert second.slug.startswith(first.slug)


def test_editing_an_event_keeps_its_slug_so_shared_links_still_work(organizer_user):
    start = datetime(2031, 7, 4, 10, tzinfo=CHICAGO)
    event = staff.event_save(actor=organizer_user, fields=_fields(), shifts=[_shift(start)])
    old_slug = event.slug
    edited = staff.event_save(
        actor=organizer_user, event=event, fields=_fields(title="Renamed bank"), shifts=[]
    )
    assert edited.title == "Renamed bank"
    assert edited.slug == old_slug


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"is_virtual": True, "join_url": ""}, "join_url"),
        ({"zip_code": ""}, "zip_code"),
        ({"zip_code": "6060"}, "zip_code"),
        ({"zip_code": "60601-1234"}, "zip_code"),
    ],
)
def test_an_event_without_its_join_link_or_five_digit_zip_is_refused(organizer_user, fields, field):
    start = datetime(2031, 7, 4, 10, tzinfo=CHICAGO)
    with pytest.raises(ValidationError) as caught:
        staff.event_save(actor=organizer_user, fields=_fields(**fields), shifts=[_shift(start)])
    assert field in caught.value.error_dict
    assert not Event.objects.exists()


def test_a_virtual_event_needs_no_zip_code(organizer_user):
    start = datetime(2031, 7, 4, 10, tzinfo=CHICAGO)
    event = staff.event_save(
        actor=organizer_user,
        fields=_fields(is_virtual=True, join_url="https://meet.example.org/x", zip_code=""),
        shifts=[_shift(start)],
    )
    assert event.is_virtual


@pytest.mark.parametrize(
    ("hours", "capacity", "field"),
    [(0, None, "ends_at"), (-1, None, "ends_at"), (1, 0, "capacity")],
)
def test_a_shift_that_ends_before_it_starts_or_holds_no_one_is_refused(
    organizer_user, hours, capacity, field
):
    start = datetime(2031, 7, 4, 10, tzinfo=CHICAGO)
    with pytest.raises(ValidationError) as caught:
        staff.event_save(
            actor=organizer_user,
            fields=_fields(),
            shifts=[_shift(start, hours=hours, capacity=capacity)],
        )
    assert field in caught.value.error_dict


def test_a_shift_people_signed_up_for_cannot_be_removed_but_an_empty_one_can(organizer_user):
    event = event_make()
    busy, empty = shift_make(event), shift_make(event, starts_at=SAT + timedelta(hours=4))
    attendee(busy, "Quintessa", "Marrowgate")
    fields = _fields(timezone=event.timezone, zip_code=event.zip_code)
    with pytest.raises(ValidationError):
        staff.event_save(
            actor=organizer_user,
            event=event,
            fields=fields,
            shifts=[staff.ShiftInput(starts_at=None, ends_at=None, shift_id=busy.pk, delete=True)],
        )
    staff.event_save(
        actor=organizer_user,
        event=event,
        fields=fields,
        shifts=[staff.ShiftInput(starts_at=None, ends_at=None, shift_id=empty.pk, delete=True)],
    )
    assert list(event.shifts.values_list("pk", flat=True)) == [busy.pk]


def test_a_shift_of_another_event_cannot_be_edited_through_this_one(organizer_user):
    event, other = event_make(), event_make(title="Other event")
    foreign = shift_make(other)
    with pytest.raises(ValidationError):
        staff.event_save(
            actor=organizer_user,
            event=event,
            fields=_fields(timezone=event.timezone),
            shifts=[_shift(SAT, shift_id=foreign.pk)],
        )
    foreign.refresh_from_db()
    assert foreign.starts_at == SAT


def test_publishing_needs_a_shift_and_opens_a_draft(organizer_user):
    event = event_make(status=EventStatus.DRAFT)
    with pytest.raises(ValidationError):
        staff.event_publish(event=event, actor=organizer_user)
    shift_make(event)
    assert staff.event_publish(event=event, actor=organizer_user).status == "published"
    assert AuditEvent.objects.filter(action=staff.AUDIT_STATUS, target_id=str(event.pk)).exists()


def test_cancelling_keeps_the_registrations(organizer_user):
    event = event_make()
    row = attendee(shift_make(event), "Bellamy", "Thistlewood")
    assert staff.event_cancel(event=event, actor=organizer_user).status == "cancelled"
    row.refresh_from_db()
    assert row.status == AttendanceStatus.REGISTERED
    with pytest.raises(ValidationError):
        staff.event_publish(event=event, actor=organizer_user)


def test_only_a_proposed_event_is_approved_or_declined(organizer_user):
    proposed = event_make(status=EventStatus.PROPOSED)
    shift_make(proposed)
    declined = event_make(title="Declined one", status=EventStatus.PROPOSED)
    draft = event_make(title="A draft", status=EventStatus.DRAFT)
    assert staff.event_approve(event=proposed, actor=organizer_user).status == "published"
    assert staff.event_decline(event=declined, actor=organizer_user).status == "declined"
    with pytest.raises(ValidationError):
        staff.event_approve(event=draft, actor=organizer_user)
    with pytest.raises(ValidationError):
        staff.event_decline(event=proposed, actor=organizer_user)


def test_checking_in_credits_the_shift_length_and_records_the_time(organizer_user):
    shift = shift_make(event_make(), hours=2.5)
    row = attendee(shift, "Oriel", "Pennywhistle")
    now = SAT + timedelta(minutes=5)
    checked = staff.attendance_check_in(attendance=row, actor=organizer_user, now=now)
    assert checked.attended is True
    assert checked.checked_in_at == now
    assert checked.minutes_credited == (shift.ends_at - shift.starts_at).total_seconds() // 60
    assert AuditEvent.objects.filter(action=staff.AUDIT_CHECK_IN, target_id=str(row.pk)).exists()
    entries = Activity.objects.filter(person_id=row.person_id, summary__startswith="Checked in")
    assert entries.count() == 1 and entries.get().occurred_at == now
    # Checked in again (a double tap), the timeline keeps one entry.
    staff.attendance_check_in(attendance=row, actor=organizer_user, now=now + timedelta(minutes=1))
    assert entries.count() == 1


def test_a_waitlisted_person_who_turns_up_is_checked_in_as_registered(organizer_user):
    shift = shift_make(event_make(), capacity=1)
    attendee(shift, "Fenwick", "Allardyce")
    waiting = attendee(shift, "Marisol", "Quenby", status=AttendanceStatus.WAITLISTED)
    checked = staff.attendance_check_in(attendance=waiting, actor=organizer_user)
    assert checked.status == AttendanceStatus.REGISTERED and checked.attended


def test_a_no_show_credits_nothing_and_undo_takes_the_mark_back(organizer_user):
    row = attendee(shift_make(event_make()), "Tamsin", "Everleigh")
    staff.attendance_check_in(attendance=row, actor=organizer_user)
    marked = staff.attendance_mark(attendance=row, mark="no_show", actor=organizer_user)
    assert marked.attended is False and marked.checked_in_at is None
    assert not marked.minutes_credited
    undone = staff.attendance_mark(attendance=row, mark="undo", actor=organizer_user)
    assert undone.attended is None and undone.minutes_credited is None
    with pytest.raises(ValidationError):
        staff.attendance_mark(attendance=row, mark="maybe", actor=organizer_user)
    assert AuditEvent.objects.filter(action=staff.AUDIT_MARK).count() == 2
    summaries = list(
        Activity.objects.filter(person_id=row.person_id)
        .order_by("occurred_at", "pk")
        .values_list("summary", flat=True)
    )
    assert [s.split(" “")[0] for s in summaries if " at “" in s] == [
        "Checked in at",
        "Marked a no-show at",
    ]


def test_a_walk_in_is_upserted_and_checked_in_even_past_capacity(organizer_user):
    shift = shift_make(event_make(), capacity=1)
    attendee(shift, "Hollis", "Wrenfield")
    row = staff.walk_in_add(
        shift=shift,
        raw={"given_name": "Ysolde", "family_name": "Carraway", "email": "ysolde@example.org"},
        actor=organizer_user,
    )
    assert row.is_walk_in and row.attended and row.status == AttendanceStatus.REGISTERED
    assert row.minutes_credited == (shift.ends_at - shift.starts_at).total_seconds() // 60
    person = Person.objects.get(pk=row.person_id)
    assert person.primary_email == "ysolde@example.org"
    assert person.source == staff.WALK_IN_SOURCE
    assert Activity.objects.filter(person=person, kind="event_attended").exists()
    assert shift.attendances.filter(status=AttendanceStatus.REGISTERED).count() == 2
    assert AuditEvent.objects.filter(action=staff.AUDIT_WALK_IN).exists()


def test_a_walk_in_already_on_the_roster_is_matched_not_doubled(organizer_user):
    shift = shift_make(event_make())
    existing = attendee(shift, "Perpetua", "Langridge")
    people_before = Person.objects.count()
    row = staff.walk_in_add(
        shift=shift,
        raw={"given_name": "Perpetua", "email": existing.person.primary_email},
        actor=organizer_user,
    )
    assert row.pk == existing.pk and row.attended
    assert not row.is_walk_in
    assert Person.objects.count() == people_before
    assert Attendance.objects.filter(shift=shift).count() == 1


def test_a_walk_in_without_an_email_or_phone_is_refused(organizer_user):
    shift = shift_make(event_make())
    with pytest.raises(ValidationError):
        staff.walk_in_add(shift=shift, raw={"given_name": "Nobody"}, actor=organizer_user)
    with pytest.raises(ValidationError):
        staff.walk_in_add(
            shift=shift, raw={"given_name": "Bad", "email": "not-an-address"}, actor=organizer_user
        )
    assert not Attendance.objects.exists()


def test_a_shift_is_shown_in_its_events_own_zone_with_the_abbreviation():
    event = event_make(timezone="America/Chicago")
    shift = shift_make(event, starts_at=SAT)
    local = SAT.astimezone(CHICAGO)
    text = staff.shift_when(shift)
    assert text.endswith(local.tzname())
    assert f"{local.hour % 12 or 12}:{local:%M}" in text


def test_a_persons_event_totals_count_every_shift_not_only_the_rows_shown(organizer_user):
    from groundswell.events.selectors_staff import person_events

    event = event_make()
    shifts = [shift_make(event, starts_at=SAT + timedelta(days=d), hours=d + 1) for d in range(3)]
    rows = [attendee(s, "Winnifred", "Ormsby") for s in shifts]
    no_show = attendee(shift_make(event, starts_at=SAT - timedelta(days=1)), "Winnifred", "Ormsby")
    for row in rows:
        staff.attendance_check_in(attendance=row, actor=organizer_user)
    staff.attendance_mark(attendance=no_show, mark="no_show", actor=organizer_user)
    summary = person_events(user=organizer_user, person=rows[0].person, limit=2)
    assert len(summary.rows) == 2
    assert summary.rows[0].shift == shifts[-1]  # newest first
    assert summary.count == 4
    assert summary.attended == 3 and summary.no_shows == 1
    expected = sum(int((s.ends_at - s.starts_at).total_seconds() // 60) for s in shifts)
    assert summary.minutes == expected
    assert summary.hours == f"{expected // 60}:{expected % 60:02d}"


def test_the_audit_log_names_every_staff_action_in_words():
    from groundswell.accounts.audit import audit_action_choices

    named = dict(audit_action_choices())
    for code, label in staff.AUDIT_ACTIONS:
        assert named[code] == label


def test_a_walk_in_sent_twice_is_one_person_on_the_roster_once(organizer_user):
    shift = shift_make(event_make())
    raw = {"given_name": "Leontyne", "family_name": "Aspinall", "phone": "215-555-0199"}
    first = staff.walk_in_add(shift=shift, raw=raw, actor=organizer_user)
    again = staff.walk_in_add(shift=shift, raw=dict(raw), actor=organizer_user)
    assert first.pk == again.pk
    assert Attendance.objects.filter(shift=shift).count() == 1
    assert Person.objects.filter(pk=first.person_id).count() == 1
    assert again.checked_in_at == first.checked_in_at  # the first check-in's time is kept
