"""The public events pages: the list and its search, an event, the RSVP, thanks, attendance."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from groundswell.events.choices import EventType, Visibility
from groundswell.events.models import Attendance, AttendanceStatus
from groundswell.events.tests.conftest_public import event, event_make, rsvp, shift, shift_make
from groundswell.people.models import Person

__all__ = ["event", "shift"]

pytestmark = pytest.mark.django_db

LIST = "/events/"


def post_rsvp(client, event, shifts, n=1, **extra):
    data = {**rsvp(n), "shift": [str(s.pk) for s in shifts], **extra}
    return client.post(reverse("events:detail", args=[event.slug]), data)


def test_the_list_shows_upcoming_public_events_with_places_left(client, shift):
    page = client.get(LIST).content.decode()
    assert shift.event.title in page
    assert "2 places left" in page


def test_the_list_leaves_out_unlisted_private_draft_and_past_events(client):
    hidden = [
        event_make(visibility=Visibility.UNLISTED),
        event_make(visibility=Visibility.PRIVATE),
        event_make(status="draft"),
        event_make(title="Already over"),
    ]
    for e in hidden[:3]:
        shift_make(e)
    shift_make(hidden[3], days=-2)
    page = client.get(LIST).content.decode()
    for e in hidden:
        assert e.title not in page
    assert "No events are coming up yet" in page


def test_searching_by_zip_keeps_near_events_and_drops_far_ones(client):
    near = event_make(title="Near the Capitol", zip_code="20001")  # Washington, DC
    far = event_make(title="Far away in Los Angeles", zip_code="90012", city="Los Angeles")
    online = event_make(title="Online phone bank", is_virtual=True, zip_code="")
    for e in (near, far, online):
        shift_make(e)
    page = client.get(LIST, {"zip": "20002", "miles": "10"}).content.decode()
    assert near.title in page and online.title in page
    assert far.title not in page


def test_searching_by_coordinates_uses_them_over_the_zip(client):
    # Geocoded in Los Angeles although its ZIP says Washington: the coordinates win.
    moved = event_make(title="Geocoded far", zip_code="20001", latitude=34.05, longitude=-118.24)
    shift_make(moved)
    assert moved.title not in client.get(LIST, {"zip": "20002", "miles": "25"}).content.decode()
    assert moved.title in client.get(LIST, {"zip": "90012", "miles": "25"}).content.decode()


def test_searching_by_type_and_dates_filters_the_list(client):
    bank = event_make(title="Phone bank night", event_type=EventType.PHONE_BANK)
    later = event_make(title="Canvass next month")
    shift_make(bank, days=2)
    shift_make(later, days=30)
    page = client.get(LIST, {"type": "phone_bank"}).content.decode()
    assert bank.title in page and later.title not in page
    until = (timezone.now() + timedelta(days=7)).date().isoformat()
    page = client.get(LIST, {"to": until}).content.decode()
    assert bank.title in page and later.title not in page


def test_a_bad_zip_or_date_is_explained_not_an_error(client, shift):
    response = client.get(LIST, {"zip": "ABCDE", "from": "yesterday"})
    assert response.status_code == 200
    assert "five digits" in response.content.decode()
    assert "is not a date" in response.content.decode()


def test_the_list_is_paginated(client):
    for n in range(23):
        shift_make(event_make(title=f"Many {n:02d}"), days=1 + n / 10)
    first = client.get(LIST).content.decode()
    second = client.get(LIST, {"page": "2"}).content.decode()
    assert "Many 00" in first and "Many 22" not in first
    assert "Many 22" in second


def test_an_event_page_hides_a_private_address_and_a_join_link(client):
    party = event_make(address_private=True, address_line1="12 Secret Lane")
    shift_make(party)
    online = event_make(is_virtual=True, join_url="https://meet.example.org/secret-room")
    shift_make(online)
    party_page = client.get(reverse("events:detail", args=[party.slug])).content.decode()
    assert "Secret Lane" not in party_page and "Washington, DC" in party_page
    online_page = client.get(reverse("events:detail", args=[online.slug])).content.decode()
    assert "secret-room" not in online_page


def test_an_unlisted_event_opens_by_link_and_a_private_one_does_not(client):
    unlisted = event_make(visibility=Visibility.UNLISTED)
    private = event_make(visibility=Visibility.PRIVATE)
    assert client.get(reverse("events:detail", args=[unlisted.slug])).status_code == 200
    assert client.get(reverse("events:detail", args=[private.slug])).status_code == 404


def test_an_rsvp_registers_and_the_thanks_page_shows_the_exact_address(client):
    party = event_make(address_private=True, address_line1="12 Secret Lane")
    first = shift_make(party, capacity=3)
    response = post_rsvp(client, party, [first], refcode="flyer", source="door")
    assert response.status_code == 302
    attendance = Attendance.objects.get()
    assert (attendance.refcode, attendance.source) == ("flyer", "door")
    thanks = client.get(response.url).content.decode()
    assert "You're signed up" in thanks and "12 Secret Lane" in thanks
    assert reverse("events:attendance", args=[attendance.token]) in thanks


def test_an_rsvp_for_two_shifts_registers_both_for_one_person(client, event, shift):
    second = shift_make(event, days=4)
    assert post_rsvp(client, event, [shift, second]).status_code == 302
    assert Attendance.objects.count() == 2
    assert Person.objects.count() == 1


def test_a_full_shift_puts_the_next_person_on_the_waitlist(client, event, shift):
    post_rsvp(client, event, [shift], n=1)
    post_rsvp(client, event, [shift], n=2)
    page = client.get(reverse("events:detail", args=[event.slug])).content.decode()
    assert "join the waitlist" in page
    response = post_rsvp(client, event, [shift], n=3)
    assert "on the waitlist" in client.get(response.url).content.decode()


def test_an_rsvp_with_missing_details_gets_the_form_back_and_keeps_nothing(client, event, shift):
    response = client.post(
        reverse("events:detail", args=[event.slug]), {"given_name": "X", "shift": str(shift.pk)}
    )
    assert response.status_code == 400
    assert "E-mail is required" in response.content.decode()
    response = post_rsvp(client, event, [], n=1)
    assert response.status_code == 400
    assert not Attendance.objects.exists() and not Person.objects.exists()


def test_the_honeypot_thanks_a_bot_and_keeps_nothing(client, event, shift):
    response = post_rsvp(client, event, [shift], website="http://spam.example")
    assert response.status_code == 302
    assert not Attendance.objects.exists() and not Person.objects.exists()


def test_the_attendance_page_cancels_and_promotes_the_waitlist(client, event, shift):
    for n in range(3):
        post_rsvp(client, event, [shift], n=n)
    first, _, waiting = Attendance.objects.order_by("pk")
    url = reverse("events:attendance", args=[first.token])
    assert "Registered" in client.get(url).content.decode()
    assert client.post(url, {"action": "cancel"}).status_code == 302
    assert "Cancelled" in client.get(url).content.decode()
    waiting.refresh_from_db()
    assert waiting.status == AttendanceStatus.REGISTERED


def test_the_attendance_page_switches_to_another_shift(client, event, shift):
    other = shift_make(event, days=5, label="Evening")
    post_rsvp(client, event, [shift])
    attendance = Attendance.objects.get()
    response = client.post(
        reverse("events:attendance", args=[attendance.token]),
        {"action": "move", "shift": str(other.pk)},
    )
    moved = Attendance.objects.get(shift=other)
    assert response.status_code == 302 and response.url.endswith(f"/{moved.token}/")
    attendance.refresh_from_db()
    assert attendance.status == AttendanceStatus.CANCELLED


def test_an_unknown_attendance_token_is_a_404(client):
    assert client.get(reverse("events:attendance", args=["nope"])).status_code == 404


def test_a_token_or_thanks_link_with_a_nul_is_a_404(client, event):
    assert client.get("/events/attendance/ab%00cd/").status_code == 404
    # The thank-you link is an RSVP's status page: one that names no RSVP shows nothing.
    assert client.get(f"/events/{event.slug}/thanks/ab%00cd/").status_code == 404
    assert client.get(f"/events/{event.slug}/thanks/").status_code == 200


def test_a_date_at_the_end_of_the_calendar_is_explained_not_an_error(client):
    response = client.get(LIST, {"to": "9999-12-31", "from": "0001-01-01"})
    assert response.status_code == 200
    assert "too far from today" in response.content.decode()


def test_ticking_the_text_box_with_a_mobile_number_records_sms_consent(client, event, shift):
    from groundswell.people.models import Phone, SmsStatus

    post_rsvp(client, event, [shift], n=1, mobile_phone="(202) 555-0147", sms="yes")
    phone = Phone.objects.get()
    assert phone.sms_status == SmsStatus.SUBSCRIBED


def test_too_many_rsvps_from_one_address_are_slowed_down(client, settings, event, shift):
    settings.GROUNDSWELL_RATE_PER_IP = 2
    settings.GROUNDSWELL_CHECK_MX = False
    codes = [post_rsvp(client, event, [shift], n=n).status_code for n in range(4)]
    assert codes[:2] == [302, 302] and codes[-1] == 429


def test_the_attendance_page_of_a_cancelled_event_says_so_and_offers_no_change(
    client, event, shift
):
    post_rsvp(client, event, [shift])
    attendance = Attendance.objects.get()
    event.status = "cancelled"
    event.save()
    url = reverse("events:attendance", args=[attendance.token])
    page = client.get(url).content.decode()
    assert "This event has been cancelled" in page and "Cancel my sign-up" not in page
    assert client.post(url, {"action": "cancel"}).status_code == 400


def test_a_registered_attendee_of_a_virtual_event_gets_the_join_link_on_the_thanks_page(client):
    online = event_make(is_virtual=True, join_url="https://meet.example.org/room-42")
    response = post_rsvp(client, online, [shift_make(online, capacity=5)])
    assert "room-42" in client.get(response.url).content.decode()


def test_someone_staff_put_on_a_private_event_can_still_cancel_by_their_link(client):
    private = event_make(visibility=Visibility.PRIVATE)
    staff_added = Attendance.objects.create(
        shift=shift_make(private), person=Person.objects.create(given_name="Tester")
    )
    url = reverse("events:attendance", args=[staff_added.token])
    assert client.get(url).status_code == 200
    assert client.post(url, {"action": "cancel"}).status_code == 302
    staff_added.refresh_from_db()
    assert staff_added.status == AttendanceStatus.CANCELLED
