"""The organize pages: who may open and change what, creating an event with shifts in its own
zone, the list's search and filters, the event's page, the check-in roster and walk-ins, and
the person page's events card."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta

import pytest
from django.urls import reverse

from groundswell.events.models import Attendance, Event, EventStatus
from groundswell.events.tests.conftest_staff import SAT, attendee, event_make, shift_make

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def _post_data(**overrides) -> dict:
    data = {
        "title": "Riverside canvass",
        "event_type": "canvass",
        "description": "Knock doors with us.",
        "visibility": "public",
        "timezone": "America/New_York",
        "join_url": "",
        "venue": "The library steps",
        "address_line1": "5 Example Street",
        "city": "Philadelphia",
        "state": "PA",
        "zip_code": "19103",
        "accessibility": "",
        "contact_email": "",
        "shifts-TOTAL_FORMS": "2",
        "shifts-INITIAL_FORMS": "0",
        "shifts-MIN_NUM_FORMS": "0",
        "shifts-MAX_NUM_FORMS": "50",
        "shifts-0-label": "Morning",
        "shifts-0-starts_at": "2031-03-01T10:00",
        "shifts-0-ends_at": "2031-03-01T13:00",
        "shifts-0-capacity": "20",
        "shifts-1-label": "",
        "shifts-1-starts_at": "",
        "shifts-1-ends_at": "",
        "shifts-1-capacity": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def world():
    event = event_make()
    shift = shift_make(event, capacity=2)
    rows = [attendee(shift, "Quillon", "Ashgrove"), attendee(shift, "Severine", "Mottram")]
    return {"event": event, "shift": shift, "rows": rows}


def _urls(world) -> dict[str, str]:
    event, shift, row = world["event"], world["shift"], world["rows"][0]
    return {
        "list": reverse("events_staff:list"),
        "create": reverse("events_staff:create"),
        "detail": reverse("events_staff:detail", args=[event.pk]),
        "edit": reverse("events_staff:edit", args=[event.pk]),
        "roster": reverse("events_staff:roster", args=[event.pk, shift.pk]),
        "mark": reverse("events_staff:mark", args=[event.pk, shift.pk, row.pk]),
        "walk_in": reverse("events_staff:walk_in", args=[event.pk, shift.pk]),
        "cancel": reverse("events_staff:cancel", args=[event.pk]),
    }


@pytest.mark.parametrize("role", ["admin", "organizer", "finance", "volunteer"])
def test_every_staff_role_may_read_the_events_list_the_event_and_its_roster(
    persona_client, world, role
):
    client = persona_client(role)
    urls = _urls(world)
    for name in ("list", "detail", "roster"):
        assert client.get(urls[name]).status_code == 200, name


@pytest.mark.parametrize("role", ["finance", "volunteer"])
def test_a_role_without_events_manage_cannot_create_edit_check_in_or_cancel(
    persona_client, world, role
):
    client = persona_client(role)
    urls = _urls(world)
    assert client.get(urls["create"]).status_code == 403
    assert client.get(urls["edit"]).status_code == 403
    assert client.post(urls["create"], _post_data()).status_code == 403
    assert client.post(urls["mark"], {"mark": "attended"}).status_code == 403
    walk_in = {"given_name": "X", "email": "x@example.org"}
    assert client.post(urls["walk_in"], walk_in).status_code == 403
    assert client.post(urls["cancel"]).status_code == 403
    assert Event.objects.count() == 1
    assert not Attendance.objects.filter(attended=True).exists()
    world["event"].refresh_from_db()
    assert world["event"].status == EventStatus.PUBLISHED
    # Nor are they offered the buttons.
    roster = client.get(urls["roster"]).content.decode()
    assert "Check in" not in roster and "Add a walk-in" not in roster


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    for url in _urls(world).values():
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    assert client.post(_urls(world)["mark"], {"mark": "attended"}).status_code == 302
    assert not Attendance.objects.filter(attended=True).exists()


def test_an_organizer_creates_an_event_whose_shift_times_are_read_in_its_own_zone(
    persona_client,
):
    client = persona_client("organizer")
    response = client.post(reverse("events_staff:create"), _post_data())
    assert response.status_code == 302
    event = Event.objects.get()
    assert response["Location"] == reverse("events_staff:detail", args=[event.pk])
    shift = event.shifts.get()
    assert shift.starts_at == datetime(2031, 3, 1, 10, tzinfo=NEW_YORK)
    assert shift.ends_at - shift.starts_at == timedelta(hours=3)
    assert shift.label == "Morning" and shift.capacity == 20
    # The edit form shows the times as they were typed, in the event's zone.
    edit = client.get(reverse("events_staff:edit", args=[event.pk])).content.decode()
    assert 'value="2031-03-01T10:00"' in edit


def test_a_time_that_does_not_exist_in_the_events_zone_is_refused(persona_client):
    # 2:30 AM on the morning clocks spring forward in New York never happens.
    client = persona_client("organizer")
    response = client.post(
        reverse("events_staff:create"),
        _post_data(
            **{"shifts-0-starts_at": "2031-03-09T02:30", "shifts-0-ends_at": "2031-03-09T05:00"}
        ),
    )
    assert response.status_code == 400
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"shifts-0-ends_at": "2031-03-01T09:00"}, "must end after it starts"),
        ({"zip_code": "1910"}, "five-digit ZIP"),
        ({"zip_code": "", "is_virtual": "on"}, "needs a join link"),
        ({"shifts-0-capacity": "0"}, "greater than or equal to 1"),
        ({"is_virtual": "on", "join_url": "javascript:alert(1)"}, "Enter a valid URL"),
    ],
)
def test_an_invalid_event_is_shown_again_with_the_reason(persona_client, overrides, words):
    client = persona_client("organizer")
    response = client.post(reverse("events_staff:create"), _post_data(**overrides))
    assert response.status_code == 400
    assert words in response.content.decode()
    assert not Event.objects.exists()


def test_editing_an_event_changes_a_shift_and_adds_another(persona_client, world):
    client = persona_client("organizer")
    event, shift = world["event"], world["shift"]
    local = shift.starts_at.astimezone(event.tz)
    data = _post_data(
        **{
            "title": "Renamed canvass",
            "shifts-INITIAL_FORMS": "1",
            "shifts-0-shift_id": str(shift.pk),
            "shifts-0-starts_at": f"{local:%Y-%m-%dT%H:%M}",
            "shifts-0-ends_at": f"{local + timedelta(hours=4):%Y-%m-%dT%H:%M}",
            "shifts-0-capacity": "30",
            "shifts-1-starts_at": "2031-03-02T10:00",
            "shifts-1-ends_at": "2031-03-02T12:00",
        }
    )
    response = client.post(reverse("events_staff:edit", args=[event.pk]), data)
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title == "Renamed canvass"
    shifts = list(event.shifts.all())
    assert len(shifts) == 2
    assert shifts[0].pk == shift.pk and shifts[0].capacity == 30
    assert shifts[0].ends_at - shifts[0].starts_at == timedelta(hours=4)


def test_the_list_searches_titles_and_filters_by_status_type_and_date(persona_client):
    client = persona_client("volunteer")
    upcoming = event_make(title="Harbor phone bank", event_type="phone_bank")
    shift_make(upcoming, starts_at=datetime(2099, 1, 1, 15, tzinfo=NEW_YORK))
    past = event_make(title="Harbor training", event_type="training", status="draft")
    shift_make(past, starts_at=datetime(2001, 1, 1, 15, tzinfo=NEW_YORK))
    url = reverse("events_staff:list")

    def titles(query: str) -> set[str]:
        body = client.get(f"{url}?{query}").content.decode()
        return {t for t in ("Harbor phone bank", "Harbor training") if t in body}

    assert titles("q=harbor") == {"Harbor phone bank", "Harbor training"}
    assert titles("q=phone") == {"Harbor phone bank"}
    assert titles("status=draft") == {"Harbor training"}
    assert titles("event_type=phone_bank") == {"Harbor phone bank"}
    assert titles("when=upcoming") == {"Harbor phone bank"}
    assert titles("when=past") == {"Harbor training"}
    assert "No event matches" in client.get(f"{url}?q=zz-nothing").content.decode()
    fragment = client.get(f"{url}?q=harbor", **HX).content.decode()
    assert fragment.lstrip().startswith('<section id="results"')


def test_an_empty_list_offers_an_organizer_their_first_event(persona_client):
    body = persona_client("organizer").get(reverse("events_staff:list")).content.decode()
    assert "No events yet" in body and "Create your first event" in body


def test_the_event_page_counts_each_shift_and_lists_its_roster(persona_client, world):
    attendee(world["shift"], "Ambrose", "Kettleby", status="waitlisted")
    body = persona_client("organizer").get(_urls(world)["detail"]).content.decode()
    assert "Quillon Ashgrove" in body and "Ambrose Kettleby" in body
    assert "Full" in body  # two registered on a shift for two
    assert f"/events/{world['event'].slug}/" in body
    assert "Cancel event" in body


def test_a_proposed_event_offers_approve_and_decline(persona_client):
    event = event_make(status=EventStatus.PROPOSED)
    shift_make(event)
    client = persona_client("organizer")
    body = client.get(reverse("events_staff:detail", args=[event.pk])).content.decode()
    assert "Approve" in body and "Decline" in body
    client.post(reverse("events_staff:approve", args=[event.pk]))
    event.refresh_from_db()
    assert event.status == EventStatus.PUBLISHED


def test_the_roster_searches_by_name_and_checks_in_with_htmx(persona_client, world):
    client = persona_client("organizer")
    urls = _urls(world)
    found = client.get(f"{urls['roster']}?q=ashg", **HX).content.decode()
    assert "Quillon Ashgrove" in found and "Severine Mottram" not in found
    row = world["rows"][0]
    response = client.post(urls["mark"], {"mark": "attended"}, **HX)
    assert response.status_code == 200
    fragment = response.content.decode()
    assert fragment.lstrip().startswith(f'<li class="roster-row is-in" id="attendance-{row.pk}"')
    assert "Undo" in fragment
    row.refresh_from_db()
    assert row.attended is True and row.minutes_credited


def test_marking_without_htmx_goes_back_to_the_roster(persona_client, world):
    client = persona_client("organizer")
    urls = _urls(world)
    response = client.post(urls["mark"], {"mark": "no_show"})
    assert response.status_code == 302 and response["Location"] == urls["roster"]
    world["rows"][0].refresh_from_db()
    assert world["rows"][0].attended is False
    assert client.post(urls["mark"], {"mark": "sideways"}).status_code == 302
    world["rows"][0].refresh_from_db()
    assert world["rows"][0].attended is False


def test_a_walk_in_is_added_to_a_full_shift_from_the_roster(persona_client, world):
    client = persona_client("organizer")
    urls = _urls(world)
    response = client.post(
        urls["walk_in"],
        {"given_name": "Odalys", "family_name": "Brackenridge", "email": "odalys@example.org"},
    )
    assert response.status_code == 302
    row = Attendance.objects.get(person__primary_email="odalys@example.org")
    assert row.is_walk_in and row.attended and row.shift == world["shift"]
    refused = client.post(urls["walk_in"], {"given_name": "Nameless"})
    assert refused.status_code == 400
    assert "e-mail address or a phone number" in refused.content.decode()


def test_a_mark_for_an_attendance_of_another_shift_is_not_found(persona_client, world):
    other_shift = shift_make(event_make(title="Elsewhere"))
    stranger = attendee(other_shift, "Lucasta", "Wimberley")
    url = reverse("events_staff:mark", args=[world["event"].pk, world["shift"].pk, stranger.pk])
    assert persona_client("organizer").post(url, {"mark": "attended"}).status_code == 404
    stranger.refresh_from_db()
    assert stranger.attended is None


def test_the_person_page_shows_their_events_and_volunteer_hours(persona_client, world):
    client = persona_client("organizer")
    row = world["rows"][0]
    client.post(_urls(world)["mark"], {"mark": "attended"})
    body = client.get(reverse("people:detail", args=[row.person_id])).content.decode()
    assert 'id="h-events"' in body
    assert world["event"].title in body
    hours = (world["shift"].ends_at - world["shift"].starts_at).total_seconds() / 3600
    assert f"{int(hours)}:00 volunteer hours" in body
    assert "Attended" in body


def test_the_staff_navigation_links_to_events_for_roles_that_may_read_them(persona_client):
    link = f'href="{reverse("events_staff:list")}"'
    assert link in persona_client("volunteer").get(reverse("people:list")).content.decode()


def test_a_shift_time_on_the_event_page_is_in_the_events_zone(persona_client):
    event = event_make(timezone="America/Los_Angeles", title="West coast bank")
    shift_make(event, starts_at=SAT)
    body = (
        persona_client("organizer")
        .get(reverse("events_staff:detail", args=[event.pk]))
        .content.decode()
    )
    local = SAT.astimezone(zoneinfo.ZoneInfo("America/Los_Angeles"))
    assert f"{local.hour % 12 or 12}:{local:%M %p}" in body and local.tzname() in body


def test_the_reminders_are_typed_in_hours_and_stored_in_minutes(persona_client):
    client = persona_client("organizer")
    response = client.post(reverse("events_staff:create"), _post_data(reminders="2, 24, 0.5, 2"))
    assert response.status_code == 302
    event = Event.objects.get()
    assert event.reminder_minutes == [24 * 60, 2 * 60, 30]
    edit = client.get(reverse("events_staff:edit", args=[event.pk])).content.decode()
    assert 'value="24, 2, 0.5"' in edit
    for bad in ("soon", "-1", "0", "9999", "1, 2, 3, 4, 5, 6"):
        refused = client.post(reverse("events_staff:create"), _post_data(reminders=bad))
        assert refused.status_code == 400, bad
    assert Event.objects.count() == 1


def test_the_list_says_how_many_proposed_events_wait_and_links_to_them(persona_client):
    event_make(title="A porch party", status=EventStatus.PROPOSED)
    event_make(title="A ready canvass")
    client = persona_client("organizer")
    body = client.get(reverse("events_staff:list")).content.decode()
    assert "1 proposed event waits for approval" in body
    assert "?status=proposed" in body
    listed = client.get(reverse("events_staff:list") + "?status=proposed").content.decode()
    assert "A porch party" in listed and "A ready canvass" not in listed


def test_the_event_page_totals_attendance_no_shows_and_hours(persona_client, world):
    client = persona_client("organizer")
    here, missing = world["rows"]
    urls = _urls(world)
    client.post(urls["mark"], {"mark": "attended"})
    client.post(
        reverse("events_staff:mark", args=[world["event"].pk, world["shift"].pk, missing.pk]),
        {"mark": "no_show"},
    )
    body = client.get(urls["detail"]).content.decode()
    here.refresh_from_db()
    hours, minutes = divmod(here.minutes_credited, 60)
    assert f'<div class="n">{hours}:{minutes:02d}</div><div class="l">Volunteer hours' in body
    assert '<div class="n">50%</div><div class="l">No-show rate' in body


def test_rsvps_not_yet_placed_are_counted_alike_on_the_event_page_and_the_roster(
    persona_client, world, settings
):
    from groundswell.events.received import rsvp_receive, rsvps_place
    from groundswell.events.selectors_staff import event_shifts, event_totals

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    event, shift = world["event"], world["shift"]
    other = shift_make(event, starts_at=SAT + timedelta(days=1))
    for n, shifts in enumerate(([shift], [shift, other], [other])):
        person = {"given_name": f"Waiting{n}", "email": f"waiting{n}@example.org"}
        rsvp_receive(event=event, shifts=shifts, person_data=person)
    client = persona_client("organizer")
    shifts = event_shifts(user=None, event=event)
    counts = {s.pk: s.pending for s in shifts}
    assert counts[shift.pk] == 2 and counts[other.pk] == 2
    total = event_totals(user=None, event=event, shifts=shifts).pending
    assert total == 4
    detail = client.get(_urls(world)["detail"]).content.decode()
    assert f"{total} being placed" in detail and f"+{counts[shift.pk]} being placed" in detail
    roster = client.get(_urls(world)["roster"]).content.decode()
    assert f"{counts[shift.pk]} RSVPs for this shift received and not yet placed" in roster
    rsvps_place()
    assert "being placed" not in client.get(_urls(world)["detail"]).content.decode()
    assert "not yet placed" not in client.get(_urls(world)["roster"]).content.decode()
