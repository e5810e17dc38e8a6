"""The check-in roster in a real headless Chromium on a phone (390 px): an organizer opens a
shift's roster, searches for a name, checks that person in with one tap (htmx, no page load),
and adds a walk-in who is upserted and checked in on the spot."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from groundswell.core.tests.axe import axe_check
from groundswell.core.tests.browser import PHONE, SHOTS
from groundswell.events.models import Attendance
from groundswell.events.tests.conftest_staff import attendee, event_make, shift_make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# Chromium reports every script, style or eval the staff pages' CSP blocks as this DOM event.
WATCH = """
window.__blocked = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__blocked.push(e.violatedDirective + " " + (e.blockedURI || "") + " " + e.sourceFile);
});
"""


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"events-{name}.png"), full_page=True)


def _log_in(page, live_server, username: str, url: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/?next={url}")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-for-tests-1")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}{url}")


def test_an_organizer_checks_people_in_and_adds_a_walk_in_on_a_phone(page, live_server, make_user):
    event = event_make(title="Riverside canvass")
    shift = shift_make(event, capacity=2)
    wanted = attendee(shift, "Quillon", "Ashgrove")
    attendee(shift, "Severine", "Mottram")
    make_user("organizer", username="orla")
    page.set_viewport_size(PHONE)
    page.add_init_script(WATCH)
    url = reverse("events_staff:roster", args=[event.pk, shift.pk])
    _log_in(page, live_server, "orla", url)

    roster = page.locator("#roster")
    expect(roster.locator(".roster-who", has_text="Severine Mottram")).to_be_visible()
    page.get_by_role("searchbox", name="Search by name").fill("ashg")
    expect(roster.locator(".roster-who", has_text="Severine Mottram")).to_have_count(0)
    expect(roster.locator(".roster-who", has_text="Quillon Ashgrove")).to_be_visible()

    page.get_by_role("button", name="Check in Quillon Ashgrove").click()
    row = page.locator(f"#attendance-{wanted.pk}")
    expect(row).to_have_class("roster-row is-in")
    expect(row.get_by_role("button", name="Undo for Quillon Ashgrove")).to_be_visible()
    assert page.url == f"{live_server.url}{url}"  # swapped in place, no page load
    axe_check(page)  # the swapped row, which no goto checked
    _shot(page, "roster-phone")
    wanted.refresh_from_db()
    assert wanted.attended is True and wanted.checked_in_at is not None
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # A walk-in on a shift that is already full.
    page.get_by_label("First name").fill("Odalys")
    page.get_by_label("Last name").fill("Brackenridge")
    page.get_by_label("E-mail").fill("odalys.brackenridge@example.org")
    page.get_by_role("button", name="Add and check in").click()
    page.wait_for_url(f"{live_server.url}{url}")
    expect(page.locator(".messages")).to_contain_text("Odalys Brackenridge is checked in")
    walk_in = Attendance.objects.get(person__primary_email="odalys.brackenridge@example.org")
    expect(page.locator(f"#attendance-{walk_in.pk}")).to_contain_text("walk-in")
    assert walk_in.attended and walk_in.is_walk_in
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.evaluate("window.__blocked") == []  # htmx and the search ran under the CSP


def test_an_organizer_creates_an_event_with_a_shift_and_publishes_it_on_a_laptop(
    page, live_server, make_user
):
    make_user("organizer", username="orla")
    page.set_viewport_size({"width": 1280, "height": 900})
    url = reverse("events_staff:list")
    _log_in(page, live_server, "orla", url)
    page.get_by_role("link", name="Create your first event").click()
    page.get_by_label("Title").fill("Library phone bank")
    page.get_by_label("Type").select_option("phone_bank")
    page.get_by_label("ZIP code").fill("60601")
    page.get_by_label("Time zone").select_option("America/Chicago")
    page.locator("#id_shifts-0-starts_at").fill("2031-05-03T10:00")
    page.locator("#id_shifts-0-ends_at").fill("2031-05-03T12:30")
    page.locator("#id_shifts-0-capacity").fill("8")
    page.get_by_role("button", name="Create event").click()
    page.wait_for_url(f"{live_server.url}/organize/events/*/")
    expect(page.get_by_role("heading", name="Library phone bank", level=1)).to_be_visible()
    # Typed in Chicago's zone, shown there with its abbreviation.
    expect(page.locator("#h-shifts + table, .card-head + table").first).to_contain_text(
        "10:00 AM – 12:30 PM CDT"
    )
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".messages")).to_contain_text("is published")
    _shot(page, "event-laptop")
    expect(page.get_by_role("link", name="Public page")).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Events").click()
    expect(page.get_by_role("link", name="Library phone bank")).to_be_visible()
