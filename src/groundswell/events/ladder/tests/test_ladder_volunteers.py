"""Volunteer management: the profile prefilled from the participation form, the people who
offered to help and have no task, assignment through the waitlist, hours and no-show rates,
and who may read and change what."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from groundswell.accounts.models import AuditEvent
from groundswell.events.choices import AttendanceStatus
from groundswell.events.ladder import volunteers
from groundswell.events.ladder.models import VolunteerProfile
from groundswell.events.ladder.tests.conftest_ladder import (
    action_page,
    attend,
    event_of,
    shift_of,
    someone,
    submit,
)
from groundswell.events.models import Attendance

pytestmark = pytest.mark.django_db


def _offered(given: str, helps: list[str], other: str = ""):
    labels = ", ".join(volunteers.HELP_LABELS[h] for h in helps)
    person = someone(given, custom_fields={"interests": labels})
    submit(person, action_page("participation"), answers={"help": helps, "help_other": other})
    return person


def _upcoming_shift(capacity=None):
    return shift_of(
        event_of("canvass"), starts_at=timezone.now() + timedelta(days=4), capacity=capacity
    )


def test_a_new_profile_is_prefilled_from_the_participation_forms_answers():
    person = _offered("Leontyne", ["canvass", "textbank"], other="I drive a van")
    profile = volunteers.volunteer_profile_get(user=None, person=person)
    assert profile.pk is None
    assert profile.interests == "Knock on doors, Send texts"
    assert profile.notes == "I drive a van"


def test_people_who_offered_to_volunteer_and_hold_no_shift_are_listed():
    waiting = _offered("Ambrose", ["volunteer"])
    booked = _offered("Celestine", ["phonebank"])
    Attendance.objects.create(shift=_upcoming_shift(), person=booked)
    cancelled = _offered("Dorian", ["canvass"])
    Attendance.objects.create(
        shift=_upcoming_shift(), person=cancelled, status=AttendanceStatus.CANCELLED
    )
    _offered("Ephraim", ["share", "donate"])
    assert set(volunteers.asked_no_task(user=None)) == {waiting, cancelled}


def test_assigning_from_the_list_registers_and_then_waitlists_once_the_shift_is_full(
    persona_client,
):
    shift = _upcoming_shift(capacity=1)
    first, second = _offered("Fenella", ["volunteer"]), _offered("Gideon", ["volunteer"])
    client = persona_client("organizer")
    for person in (first, second):
        response = client.post(
            reverse("events_staff:volunteer_assign", args=[person.pk]), {"shift": shift.pk}
        )
        assert response.status_code == 302
    statuses = dict(Attendance.objects.filter(shift=shift).values_list("person_id", "status"))
    assert statuses == {first.pk: "registered", second.pk: "waitlisted"}
    assert AuditEvent.objects.filter(action=volunteers.AUDIT_ASSIGN).count() == 2
    assert list(volunteers.asked_no_task(user=None)) == []


def test_a_shift_already_started_cannot_be_assigned():
    person = _offered("Hortense", ["volunteer"])
    past = shift_of(event_of("canvass"))
    with pytest.raises(Exception, match="already started"):
        volunteers.volunteer_assign(shift=past, person=person, actor=None)
    assert not Attendance.objects.filter(person=person).exists()


def test_hours_shifts_and_no_show_rates_add_up_per_person_and_per_event():
    event = event_of("phone_bank")
    morning, evening = shift_of(event, hours=3), shift_of(event, hours=1.5)
    regular, flaky = someone("Isadora"), someone("Jasper")
    attend(regular, morning)
    attend(regular, evening)
    attend(flaky, morning, attended=False)
    attend(flaky, evening)
    mine = volunteers.person_totals(user=None, person=regular)
    assert (mine.shifts, mine.minutes, mine.hours, mine.no_show_rate) == (2, 270, "4.5", 0)
    theirs = volunteers.person_totals(user=None, person=flaky)
    assert (theirs.shifts, theirs.no_shows, theirs.no_show_rate) == (1, 1, 50)
    rows = {p.pk: volunteers.totals_of(p) for p in volunteers.people_totals(user=None)}
    assert rows[regular.pk] == mine and rows[flaky.pk] == theirs
    (row,) = volunteers.events_totals(user=None)
    total = volunteers.totals_of(row)
    assert (total.shifts, total.no_shows, total.minutes) == (3, 1, 360)
    assert total.no_show_rate == 25


def test_organizers_save_a_profile_and_volunteers_may_only_read_it(persona_client):
    person = _offered("Katriona", ["canvass"])
    url = reverse("events_staff:volunteer_profile", args=[person.pk])
    data = {
        "skills": "Spreadsheets",
        "availability": "Saturdays",
        "languages": "Spanish, Welsh",
        "interests": "Knock on doors",
        "notes": "",
    }
    reader = persona_client("volunteer")
    assert reader.get(url).status_code == 200
    assert reader.post(url, data).status_code == 403
    assert not VolunteerProfile.objects.exists()
    client = persona_client("organizer")
    assert client.post(url, data).status_code == 302
    profile = VolunteerProfile.objects.get(person=person)
    assert (profile.skills, profile.languages) == ("Spreadsheets", "Spanish, Welsh")
    card = client.get(reverse("people:detail", args=[person.pk])).content.decode()
    assert "Spanish, Welsh" in card


def test_volunteers_may_read_the_lists_but_not_assign(persona_client):
    person = _offered("Lucian", ["volunteer"])
    shift = _upcoming_shift()
    client = persona_client("volunteer")
    for name in ("volunteers", "volunteers_asked"):
        assert client.get(reverse(f"events_staff:{name}")).status_code == 200
    assert client.get(reverse("events_staff:volunteers") + "?by=events").status_code == 200
    response = client.post(
        reverse("events_staff:volunteer_assign", args=[person.pk]), {"shift": shift.pk}
    )
    assert response.status_code == 403
    assert not Attendance.objects.filter(person=person).exists()
