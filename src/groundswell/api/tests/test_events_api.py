"""Events through the API: list them with their shifts, sign someone up, see who comes."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from groundswell.events.models import Attendance, Event, Shift
from groundswell.people.models import ConsentEvent, Person

pytestmark = pytest.mark.django_db

RSVP = {
    "person": {
        "given_name": "Tamsin",
        "family_name": "Orrery",
        "email_addresses": [{"address": "tamsin.orrery@example.org", "status": "subscribed"}],
        "postal_addresses": [{"postal_code": "43215"}],
    }
}


@pytest.fixture
def event(db):
    event = Event.objects.create(
        title="Saturday canvass",
        slug="saturday-canvass",
        event_type="canvass",
        status="published",
        visibility="public",
        venue="Library",
        city="Columbus",
        state="OH",
        zip_code="43215",
    )
    start = timezone.now() + timedelta(days=3)
    Shift.objects.create(
        event=event, starts_at=start, ends_at=start + timedelta(hours=2), capacity=1
    )
    return event


def _post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_an_event_is_listed_with_its_shifts_and_a_signup_is_placed_once(api, event):
    organizer = api("organizer")
    listed = organizer.get("/api/v2/events/").json()
    doc = listed["_embedded"]["osdi:events"][0]
    assert (doc["title"], doc["status"], doc["total_accepted"]) == (
        "Saturday canvass",
        "confirmed",
        0,
    )
    assert doc["location"]["venue"] == "Library"
    assert doc["browser_url"] == "http://testserver/events/saturday-canvass/"
    assert len(doc["shifts"]) == 1 and doc["shifts"][0]["capacity"] == 1

    url = doc["_links"]["osdi:attendances"]["href"]
    first = _post(organizer, url, RSVP)
    assert first.status_code == 201, first.content
    assert first.json()["status"] == "accepted"
    person = Person.objects.get(primary_email="tamsin.orrery@example.org")
    consent = ConsentEvent.objects.get(person=person)
    assert consent.method == "api"
    assert consent.source == "RSVP /events/saturday-canvass/ via API key organizer sync"
    assert first.json()["_links"]["osdi:person"]["href"].endswith(f"/people/{person.pk}/")
    again = _post(organizer, url, RSVP)
    assert again.status_code == 200
    assert again.json()["identifiers"] == first.json()["identifiers"]
    assert Attendance.objects.count() == 1
    assert organizer.get(f"/api/v2/events/{event.pk}/").json()["total_accepted"] == 1

    # The one place is taken: the next person waits.
    other = {"person": {"email_addresses": [{"address": "next@example.org"}]}}
    waiting = _post(organizer, url, other)
    assert waiting.status_code == 201 and waiting.json()["status"] == "tentative"
    assert organizer.get(url).json()["total_records"] == 2


def test_an_event_with_several_shifts_needs_one_named(api, event):
    organizer = api("organizer")
    first = event.shifts.get()
    later = Shift.objects.create(
        event=event,
        starts_at=first.starts_at + timedelta(days=1),
        ends_at=first.ends_at + timedelta(days=1),
    )
    url = f"/api/v2/events/{event.pk}/attendances/"
    missing = _post(organizer, url, RSVP)
    assert missing.status_code == 400 and missing.json()["field"] == "shift"
    for wrong in ("groundswell:999999", "12", "groundswell:\u00b2", 7):
        response = _post(organizer, url, {**RSVP, "shift": wrong})
        assert response.status_code == 400 and response.json()["field"] == "shift", wrong
    chosen = _post(organizer, url, {**RSVP, "shift": f"groundswell:{later.pk}"})
    assert chosen.status_code == 201
    assert chosen.json()["shift"] == f"groundswell:{later.pk}"
    assert Attendance.objects.get().shift == later


def test_a_cancelled_event_refuses_signups_and_writes_nothing(api, event):
    event.status = "cancelled"
    event.save()
    response = _post(api("organizer"), f"/api/v2/events/{event.pk}/attendances/", RSVP)
    assert response.status_code == 400
    assert not Attendance.objects.exists() and not Person.objects.exists()


def test_who_may_see_and_sign_up(api, event):
    volunteer, finance = api("volunteer"), api("finance")
    assert volunteer.get("/api/v2/events/").status_code == 200
    assert volunteer.get(f"/api/v2/events/{event.pk}/attendances/").status_code == 403
    url = f"/api/v2/events/{event.pk}/attendances/"
    assert _post(volunteer, url, RSVP).status_code == 403
    assert _post(finance, url, RSVP).status_code == 403  # signing people up is organizing
    assert finance.get(url).status_code == 200
    assert not Attendance.objects.exists()
