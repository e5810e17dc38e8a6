"""Issue 15's acceptance walk, on the demo's campaign, in a real headless Chromium at a phone's
width and a desktop's: a supporter finds an event near a ZIP and signs up for a shift, the
confirmation with its .ics comes through a real SMTP server on loopback, the reminder comes once
(the clock moved to the day before, the job run twice), the organizer checks them in on the phone
roster and they stand on the ladder as an attendee; then a supporter proposes an event, an
organizer approves it, and its host's link shows that event's roster and nothing else.

The people and events are the demo's (``people_seed`` and ``demo_events_seed``, as `groundswell
demo` seeds them); the walk's own people are synthetic."""

from __future__ import annotations

import math
import re
import zoneinfo
from datetime import timedelta

import pytest
import zipcodes
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import expect

from groundswell.core.tests.browser import SHOTS, fits
from groundswell.demo.actions_site import campaign_site_seed
from groundswell.demo.events_seed import demo_events_seed
from groundswell.demo.people_seed import people_seed
from groundswell.events.choices import AttendanceStatus, EventStatus, Visibility
from groundswell.events.ladder.rungs import Rung
from groundswell.events.models import Attendance, Event, ReminderSent
from groundswell.events.notices.reminders import reminders_due
from groundswell.events.tests.conftest_notices import inbox_open

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
PUBLIC = "https://campaign.example.org"
SUPPORTER = {
    "given_name": "Marisol",
    "family_name": "Quenby",
    "email": "marisol.quenby@walk.example",
}
HOST = {"given_name": "Teodor", "email": "teodor.vellacott@walk.example", "postal_code": "43215"}
GUEST = {
    "given_name": "Ilse",
    "family_name": "Parwin",
    "email": "ilse.parwin@walk.example",
    "postal_code": "43215",
}
MILES = 10
EARTH_MILES = 3958.8


def _shot(page, name: str, viewport: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"events-walk-{name}-{viewport}.png"), full_page=True)


def _miles(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance (haversine), worked out here rather than read from the app."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_MILES * math.asin(math.sqrt(a))


def _expected_near(zip_code: str, now) -> tuple[set[str], set[str]]:
    """(titles that must be listed, titles that must not) for a search within MILES of
    ``zip_code``: upcoming published public events, online ones wherever they are. Events
    within half a mile of the edge are in neither set (centroids differ in the last digits)."""
    row = zipcodes.matching(zip_code)[0]
    lat, lng = float(row["lat"]), float(row["long"])
    must, must_not = set(), set()
    for event in Event.objects.all():
        listed = (
            event.status == EventStatus.PUBLISHED
            and event.visibility == Visibility.PUBLIC
            and event.shifts.filter(starts_at__gt=now).exists()
        )
        if listed and event.is_virtual:
            must.add(event.title)
            continue
        if event.latitude is None:
            if not listed:
                must_not.add(event.title)
            continue
        distance = _miles(lat, lng, float(event.latitude), float(event.longitude))
        if listed and distance <= MILES - 0.5:
            must.add(event.title)
        elif not listed or distance >= MILES + 0.5:
            must_not.add(event.title)
    return must, must_not


@pytest.fixture
def world(settings):
    """The demo's people, site and events; the event the walk signs up for is the demo's rally
    (not a canvass: an attended canvass makes a volunteer, a rally an event attendee)."""
    settings.GROUNDSWELL_CHECK_MX = False
    people_seed(count=300, seed=2026)
    campaign_site_seed(seed=2026)
    assert demo_events_seed(seed=2026) > 0
    rally = Event.objects.get(slug="demo-rally")
    (shift,) = rally.shifts.all()
    assert shift.starts_at > timezone.now() + timedelta(days=2)  # the reminder is still ahead
    return rally, shift


@pytest.fixture
def inbox(settings):
    with inbox_open(settings) as box:
        yield box


def _body(message) -> str:
    return message.get_body(("plain",)).get_content()


def _ics(message):
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1, [p.get_content_type() for p in message.walk()]
    raw = parts[0].get_payload(decode=True)
    (vevent,) = Calendar.from_ical(raw).walk("VEVENT")
    return raw.decode(), vevent


def _rung_counts(page, base: str) -> dict[int, int]:
    page.goto(f"{base}{reverse('events_staff:ladder')}")
    cells = page.locator("#rung-counts td[data-rung]").all()
    return {
        int(cell.get_attribute("data-rung")): int(cell.inner_text().replace(",", ""))
        for cell in cells
    }


def _person_rung(page, base: str, person) -> tuple[int, str]:
    page.goto(f"{base}{reverse('people:detail', args=[person.pk])}")
    card = page.locator("#ladder [data-rung]")
    return int(card.get_attribute("data-rung")), card.inner_text().strip()


def _log_in(page, base: str, username: str, url: str) -> None:
    page.goto(f"{base}/accounts/login/?next={url}")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-for-tests-1")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}{url}")


def _find_and_sign_up(page, base: str, rally, shift, viewport: str) -> Attendance:
    """Step 1: the list searched by ZIP and miles, the event, the shift, the thanks page."""
    page.goto(f"{base}/events/")
    page.fill("#s-zip", rally.zip_code)
    page.select_option("#s-miles", str(MILES))
    page.click("button:has-text('Find events')")
    page.wait_for_url(f"**/events/?zip={rally.zip_code}*")
    listed = set(page.locator(".event-row h2").all_inner_texts())
    must, must_not = _expected_near(rally.zip_code, timezone.now())
    assert rally.title in must
    assert must <= listed and not (listed & must_not), (listed, must, must_not)
    assert fits(page, slack=1)
    _shot(page, "list", viewport)

    page.get_by_role("link", name=rally.title).click()
    page.wait_for_url(f"**/events/{rally.slug}/")
    page.check(f"#f-shift-{shift.pk}")
    for name, value in {**SUPPORTER, "postal_code": rally.zip_code}.items():
        page.fill(f"#f-{name}", value)
    assert fits(page, slack=1)
    page.click("button:has-text('Sign up')")
    page.wait_for_url("**/thanks/**")
    assert "You're signed up!" in page.inner_text("h1")
    assert fits(page, slack=1)
    _shot(page, "thanks", viewport)
    attendance = Attendance.objects.get(shift=shift, person__primary_email=SUPPORTER["email"])
    assert attendance.status == AttendanceStatus.REGISTERED
    return attendance


def _confirmation_checked(page, base: str, inbox, rally, shift, attendance) -> None:
    """Step 2: one confirmation, its .ics at the shift's start, its cancel/change link works."""
    (confirmation,) = inbox.to(SUPPORTER["email"])
    assert rally.title in str(confirmation["Subject"])
    raw, vevent = _ics(confirmation)
    local = shift.starts_at.astimezone(zoneinfo.ZoneInfo(rally.timezone))
    assert f"DTSTART;TZID={rally.timezone}:{local:%Y%m%dT%H%M%S}" in raw
    assert vevent.decoded("DTSTART") == shift.starts_at.replace(microsecond=0)
    assert vevent.decoded("DTEND") == shift.ends_at.replace(microsecond=0)
    body = _body(confirmation)
    link = f"{PUBLIC}{reverse('events:attendance', args=[attendance.token])}"
    assert "Cancel or change your shift" in body and link in body
    # The link opens the supporter's own sign-up, with the button that cancels it.
    page.goto(f"{base}{link.removeprefix(PUBLIC)}")
    expect(page.locator(".status")).to_have_text("Registered")
    expect(page.get_by_role("button", name="Cancel my sign-up")).to_be_visible()


def _reminder_checked(inbox, rally, shift, attendance) -> None:
    """Step 3: nothing a day and a bit before; the 24-hour reminder once, though run twice."""
    day_before = shift.starts_at - timedelta(hours=24)
    reminders_due(now=day_before - timedelta(hours=1))
    assert len(inbox.to(SUPPORTER["email"])) == 1  # still just the confirmation
    registered = shift.attendances.filter(status=AttendanceStatus.REGISTERED).count()
    first = reminders_due(now=day_before + timedelta(minutes=5))
    second = reminders_due(now=day_before + timedelta(minutes=6))
    # Everyone registered on the rally's shift is reminded (the demo's sign-ups too), once.
    assert first["sent"] == registered and second["sent"] == 0, (first, second)
    confirmation, reminder = inbox.to(SUPPORTER["email"])
    assert str(reminder["Subject"]) != str(confirmation["Subject"])
    assert "A reminder:" in _body(reminder)
    assert reverse("events:attendance", args=[attendance.token]) in _body(reminder)
    _, vevent = _ics(reminder)
    assert vevent.decoded("DTSTART") == shift.starts_at.replace(microsecond=0)
    assert ReminderSent.objects.filter(attendance=attendance).count() == 1


def _event_totals(page, base: str, rally) -> dict[str, int | str]:
    """The organizer's event page's totals, by their labels' first word."""
    page.goto(f"{base}{reverse('events_staff:detail', args=[rally.pk])}")
    totals = {}
    for stat in page.locator(".stats .stat").all():
        label = stat.locator(".l").inner_text().split()[0]
        value = stat.locator(".n").inner_text().replace(",", "")
        totals[label] = int(value) if value.isdigit() else value  # hours read "2:00"
    return totals


def _checked_in(page, base: str, rally, shift, attendance, seeded: int, viewport: str) -> None:
    """Step 4: the organizer's event page, its phone roster, a search, a tap; then the event,
    the person and the ladder pages show it."""
    person = attendance.person
    url = reverse("people:detail", args=[person.pk])
    _log_in(page, base, "orla", url)
    rung_before, _ = _person_rung(page, base, person)
    assert rung_before < Rung.ATTENDEE
    counts_before = _rung_counts(page, base)
    totals_before = _event_totals(page, base, rally)
    # The demo's sign-ups and the walk's supporter; nobody has come yet (it is weeks away).
    before = (totals_before["Registered"], totals_before["Attended"], totals_before["Volunteer"])
    assert before == (seeded + 1, 0, "0:00")

    page.get_by_role("link", name="Check-in roster").click()
    roster = reverse("events_staff:roster", args=[rally.pk, shift.pk])
    page.wait_for_url(f"{base}{roster}")
    full_name = f"{SUPPORTER['given_name']} {SUPPORTER['family_name']}"
    rows = page.locator("#roster .roster-who")
    assert rows.count() > 1  # the demo's sign-ups are on it too
    page.get_by_role("searchbox", name="Search by name").fill(SUPPORTER["family_name"][:4])
    expect(rows).to_have_count(1)
    expect(rows).to_have_text(re.compile(full_name))
    page.get_by_role("button", name=f"Check in {full_name}").click()
    expect(page.locator(f"#attendance-{attendance.pk}")).to_have_class("roster-row is-in")
    assert fits(page, slack=1)
    _shot(page, "roster", viewport)
    attendance.refresh_from_db()
    minutes = int((shift.ends_at - shift.starts_at).total_seconds() // 60)
    assert attendance.attended is True and attendance.minutes_credited == minutes

    totals_after = _event_totals(page, base, rally)
    assert totals_after["Attended"] == 1 and totals_after["Registered"] == seeded + 1
    assert totals_after["Volunteer"] == f"{minutes // 60}:{minutes % 60:02d}"
    rung_after, label = _person_rung(page, base, person)
    assert rung_after == Rung.ATTENDEE and label == "Event attendee"
    events_card = page.locator("#events")
    expect(events_card.get_by_role("link", name=rally.title)).to_be_visible()
    expect(events_card).to_contain_text("1 attended")
    expect(events_card.locator("li", has_text=rally.title)).to_contain_text("Attended")
    assert fits(page, slack=1)
    _shot(page, "person", viewport)
    counts_after = _rung_counts(page, base)
    assert counts_after[Rung.ATTENDEE] == counts_before[Rung.ATTENDEE] + 1
    assert counts_after[rung_before] == counts_before[rung_before] - 1
    assert sum(counts_after.values()) == sum(counts_before.values())
    _shot(page, "ladder", viewport)


def _proposed(page, base: str, viewport: str) -> Event:
    """Step 5a: a supporter (logged out) proposes a house party on the public page."""
    page.context.clear_cookies()
    page.goto(f"{base}/events/host/")
    page.fill("#f-title", "Porch supper on Maple")
    page.select_option("#f-event_type", "house_party")
    page.fill("#f-description", "Soup, bread and a talk about the race.")
    page.fill("#f-venue", "Our porch")
    page.fill("#f-address_line1", "8 Maple Avenue")
    page.fill("#f-city", "Columbus")
    page.fill("#f-state", "OH")
    page.fill("#f-zip_code", "43215")
    page.fill("#f-date", (timezone.now() + timedelta(days=10)).date().isoformat())
    page.fill("#f-starts", "18:00")
    page.fill("#f-ends", "20:00")
    page.select_option("#f-timezone", "America/New_York")
    page.fill("#f-capacity", "12")
    for name, value in HOST.items():
        page.fill(f"#f-{name}", value)
    assert fits(page, slack=1)
    page.click("button:has-text('Propose the event')")
    page.wait_for_url("**/events/host/thanks/")
    _shot(page, "proposed", viewport)
    event = Event.objects.get(title="Porch supper on Maple")
    assert event.status == EventStatus.PROPOSED
    return event


def _approved_host_link(page, base: str, inbox, event) -> str:
    """Step 5b: an organizer approves it; the host's link comes by mail."""
    detail = reverse("events_staff:detail", args=[event.pk])
    _log_in(page, base, "orla", detail)
    page.click("button:has-text('Approve')")
    page.wait_for_url(f"{base}{detail}")
    event.refresh_from_db()
    assert event.status == EventStatus.PUBLISHED
    (message,) = inbox.to(HOST["email"])
    (link,) = re.findall(rf"{re.escape(PUBLIC)}(/events/host/[^/\s]+/)", _body(message))
    page.context.clear_cookies()  # the host is not staff
    return link


def _host_sees_only_their_roster(page, base: str, link: str, event, rally, shift, viewport):
    """Step 5c: the host's page lists their event's sign-ups only, and that access reaches
    nothing else: no staff page, no other event's roster, no other event's attendance."""
    with_guest = Client()  # a supporter signs up for the approved event on its public page
    (hosted_shift,) = event.shifts.all()
    response = with_guest.post(
        reverse("events:detail", args=[event.slug]), {**GUEST, "shift": [str(hosted_shift.pk)]}
    )
    assert response.status_code == 302

    page.goto(f"{base}{link}")
    main = page.inner_text("main")
    assert event.title in main and GUEST["email"] in main
    assert rally.title not in main and SUPPORTER["email"] not in page.content()
    rally_people = Attendance.objects.filter(shift=shift).select_related("person")
    assert not [a for a in rally_people if a.person.primary_email in page.content()]
    assert fits(page, slack=1)
    # At the door on a phone: the guest's check-in button is on screen, not off to the side.
    button = page.get_by_role("button", name=f"Check in {GUEST['given_name']}").bounding_box()
    assert button["x"] >= 0 and button["x"] + button["width"] <= VIEWPORTS[viewport]["width"]
    _shot(page, "host", viewport)

    # A tampered check-in form naming an attendance of the rally is refused, and changes nothing.
    other = rally_people.filter(attended__isnull=True).first()
    page.locator("input[name=attendance]").first.evaluate(f"(el) => {{ el.value = '{other.pk}' }}")
    page.get_by_role("button", name=f"Check in {GUEST['given_name']}").click()
    expect(page.locator("main")).to_contain_text("not on this event's roster")
    other.refresh_from_db()
    assert other.attended is None

    # Staff pages, the rally's roster among them, send the host's browser to the log-in page.
    for url in (
        reverse("events_staff:roster", args=[rally.pk, shift.pk]),
        reverse("events_staff:detail", args=[event.pk]),
        reverse("events_staff:ladder"),
        reverse("people:detail", args=[rally_people.first().person_id]),
        reverse("people:list"),
    ):
        page.goto(f"{base}{url}")
        assert "/accounts/login/" in page.url, url
        assert SUPPORTER["email"] not in page.content()
    # A host link is one event's: another token (one character off) opens nothing.
    token = link.rstrip("/").rsplit("/", 1)[1]
    forged = f"/events/host/{token[:-1]}{'A' if token[-1] != 'A' else 'B'}/"
    assert page.goto(f"{base}{forged}").status == 404

    # The host's own check-in still works: their guest is marked attended.
    page.goto(f"{base}{link}")
    page.get_by_role("button", name=f"Check in {GUEST['given_name']}").click()
    expect(page.locator(".host-roster")).to_contain_text("Attended")
    assert Attendance.objects.get(shift=hosted_shift).attended is True


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_a_supporter_signs_up_is_reminded_checked_in_and_climbs_and_a_host_sees_only_theirs(
    page, live_server, world, inbox, make_user, viewport
):
    rally, shift = world
    base = live_server.url
    make_user("organizer", username="orla")
    page.set_viewport_size(VIEWPORTS[viewport])

    seeded = shift.attendances.filter(status=AttendanceStatus.REGISTERED).count()
    attendance = _find_and_sign_up(page, base, rally, shift, viewport)
    _confirmation_checked(page, base, inbox, rally, shift, attendance)
    _reminder_checked(inbox, rally, shift, attendance)
    _checked_in(page, base, rally, shift, attendance, seeded, viewport)

    event = _proposed(page, base, viewport)
    link = _approved_host_link(page, base, inbox, event)
    _host_sees_only_their_roster(page, base, link, event, rally, shift, viewport)
