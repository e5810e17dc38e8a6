"""A supporter finds an event near their ZIP, signs up for a shift, and the next is waitlisted
(headless Chromium at a phone's width and a desktop's; axe-core checks every page)."""

from __future__ import annotations

import pytest

from groundswell.core.tests.browser import SHOTS
from groundswell.events.models import Attendance, AttendanceStatus
from groundswell.events.tests.conftest_public import event_make, shift_make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_horizontal_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", [390, 1280])
def test_a_supporter_finds_an_event_near_a_zip_and_signs_up_then_the_next_is_waitlisted(
    page, live_server, settings, width
):
    settings.GROUNDSWELL_CHECK_MX = False
    page.set_viewport_size({"width": width, "height": 900})
    near = event_make(
        title="Saturday doors in Shaw",
        zip_code="20001",
        address_private=True,
        address_line1="77 Porch Street",
        accessibility="Step-free entrance; seats available.",
    )
    morning = shift_make(near, capacity=1, label="Morning")
    shift_make(near, days=3.2, capacity=4, label="Afternoon")
    far = event_make(title="Canvass in Los Angeles", zip_code="90012", city="Los Angeles")
    shift_make(far)

    page.goto(f"{live_server.url}/events/")
    page.fill("#s-zip", "20002")
    page.select_option("#s-miles", "10")
    page.click("button:has-text('Find events')")
    page.wait_for_url("**/events/?zip=20002*")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"events-list-{width}.png"), full_page=True)
    assert page.locator(".event-row").count() == 1
    assert "1 place left" in page.inner_text(".event-row")
    assert _no_horizontal_overflow(page)

    page.locator(".event-row").get_by_role("link", name="Saturday doors in Shaw").click()
    page.wait_for_url(f"**/events/{near.slug}/")
    assert "77 Porch Street" not in page.content()
    assert "Step-free entrance" in page.inner_text("main")
    page.get_by_label("Morning").check()
    page.fill("#f-given_name", "Tester")
    page.fill("#f-family_name", "Onesie")
    page.fill("#f-email", "tester.onesie@example.org")
    page.fill("#f-postal_code", "20002")
    assert _no_horizontal_overflow(page)
    page.screenshot(path=str(SHOTS / f"events-detail-{width}.png"), full_page=True)
    page.click("button:has-text('Sign up')")
    page.wait_for_url("**/thanks/**")
    assert "You're signed up!" in page.inner_text("h1")
    page.screenshot(path=str(SHOTS / f"events-thanks-{width}.png"), full_page=True)
    assert "77 Porch Street" in page.inner_text("main")
    assert _no_horizontal_overflow(page)

    # The morning is now full: the list says so, and the next person joins the waitlist.
    page.goto(f"{live_server.url}/events/{near.slug}/")
    assert "Full: join the waitlist" in page.inner_text("#f-shift")
    page.get_by_label("Morning").check()
    page.fill("#f-given_name", "Tester")
    page.fill("#f-family_name", "Twosie")
    page.fill("#f-email", "tester.twosie@example.org")
    page.click("button:has-text('Sign up')")
    page.wait_for_url("**/thanks/**")
    assert "You're on the waitlist" in page.inner_text("h1")
    assert "77 Porch Street" not in page.content()
    statuses = list(
        Attendance.objects.filter(shift=morning).order_by("pk").values_list("status", flat=True)
    )
    assert statuses == [AttendanceStatus.REGISTERED, AttendanceStatus.WAITLISTED]
