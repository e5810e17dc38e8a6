"""The rally-table kiosk: an organizer opens it on a tablet; each person signs in, is upserted
with source "event kiosk" (subscribed only if they ticked the box) and checked in as a walk-in,
and the form comes back empty with a thank-you that names no one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from groundswell.events.models import Attendance
from groundswell.events.relational.services import kiosk_shift
from groundswell.events.tests.conftest_staff import attendee, event_make, shift_make
from groundswell.people.models import ConsentEvent, EmailAddress, Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def rally():
    event = event_make(title="Riverfront rally")
    now = timezone.now()
    shift = shift_make(event, starts_at=now - timedelta(hours=1), hours=3)
    later = shift_make(event, starts_at=now + timedelta(days=1), hours=2)
    return event, shift, later


def _url(event) -> str:
    return reverse("events_staff:kiosk", args=[event.pk])


def _sign_in(**overrides) -> dict:
    data = {
        "given_name": "Wilhelmina",
        "family_name": "Ottercombe",
        "email": "w.ottercombe@example.org",
        "phone": "",
        "postal_code": "19103",
    }
    data.update(overrides)
    return data


def test_the_kiosk_is_at_organize_events_pk_kiosk(rally):
    assert _url(rally[0]) == f"/organize/events/{rally[0].pk}/kiosk/"


@pytest.mark.parametrize("role", ["finance", "volunteer"])
def test_a_role_without_events_manage_cannot_open_or_use_the_kiosk(persona_client, rally, role):
    client = persona_client(role)
    assert client.get(_url(rally[0])).status_code == 403
    assert client.post(_url(rally[0]), _sign_in()).status_code == 403
    assert not Person.objects.exists()


def test_a_sign_in_with_the_box_ticked_subscribes_and_checks_in_a_walk_in(persona_client, rally):
    event, shift, _ = rally
    client = persona_client("organizer")
    response = client.post(_url(event), _sign_in(email_consent="on"))
    assert response.status_code == 302
    assert response["Location"] == f"{_url(event)}?thanks=1"
    attendance = Attendance.objects.get()
    assert attendance.shift == shift
    assert attendance.is_walk_in and attendance.attended
    assert attendance.source == "event kiosk"
    person = attendance.person
    assert person.source == "event kiosk"
    assert person.postal_code == "19103"
    assert EmailAddress.objects.get(person=person).status == "subscribed"
    consent = ConsentEvent.objects.get(person=person)
    assert (consent.status, consent.method) == ("subscribed", "form")


def test_a_sign_in_without_the_box_records_no_consent(persona_client, rally):
    event, _, _ = rally
    persona_client("organizer").post(_url(event), _sign_in())
    person = Attendance.objects.get().person
    assert EmailAddress.objects.get(person=person).status == "unknown"
    assert not ConsentEvent.objects.exists()


def test_the_thank_you_names_no_one_and_the_form_is_empty(persona_client, rally):
    event, _, _ = rally
    client = persona_client("organizer")
    response = client.post(_url(event), _sign_in(), follow=True)
    html = response.content.decode()
    assert "Thank you" in html
    assert "Wilhelmina" not in html and "w.ottercombe@example.org" not in html
    assert response["Cache-Control"].startswith("max-age=0")


def test_the_kiosk_never_shows_the_roster(persona_client, rally):
    event, shift, _ = rally
    attendee(shift, "Peregrine", "Lowdham")
    html = persona_client("organizer").get(_url(event)).content.decode()
    assert "Peregrine" not in html and "Lowdham" not in html
    assert "peregrine.lowdham@example.org" not in html
    # No menu to wander off through: the tablet shows the form and nothing else.
    assert "<a " not in html and "<nav" not in html


def test_someone_already_registered_is_checked_in_not_added_twice(persona_client, rally):
    event, shift, _ = rally
    row = attendee(shift, "Peregrine", "Lowdham")
    persona_client("organizer").post(
        _url(event), _sign_in(given_name="Peregrine", email="peregrine.lowdham@example.org")
    )
    row.refresh_from_db()
    assert row.attended is True
    assert Attendance.objects.count() == 1
    assert Person.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"email": "", "phone": ""}, "__all__"),
        ({"email": "nope"}, "email"),
        ({"given_name": ""}, "given_name"),
        ({"postal_code": "ABCDE"}, "postal_code"),
    ],
)
def test_an_invalid_sign_in_is_shown_again_with_the_reason(persona_client, rally, overrides, field):
    response = persona_client("organizer").post(_url(rally[0]), _sign_in(**overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Attendance.objects.exists()


def test_an_event_without_shifts_has_no_kiosk(persona_client):
    event = event_make(title="Shiftless")
    assert persona_client("organizer").get(_url(event)).status_code == 404


def test_the_kiosk_signs_in_to_the_shift_under_way_else_the_next_else_the_last(rally):
    event, shift, later = rally
    now = timezone.now()
    assert kiosk_shift(event, now) == shift
    assert kiosk_shift(event, now + timedelta(hours=5)) == later
    assert kiosk_shift(event, now + timedelta(days=5)) == later
    assert kiosk_shift(event, now - timedelta(days=5)) == shift
