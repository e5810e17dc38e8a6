"""A supporter proposes an event, an organizer approves it, and its host opens the mailed link,
sees only their roster and checks someone in (headless Chromium, a phone's width and a
desktop's; axe-core checks every page opened)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from groundswell.core.tests.browser import SHOTS, fits
from groundswell.events.host.tests.conftest_host import attendee, hosted_event
from groundswell.events.models import Attendance, Event
from groundswell.events.tests.conftest_notices import inbox_open
from groundswell.events.tests.conftest_public import rsvp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [390, 1280])
def test_a_supporter_proposes_staff_approve_and_the_host_sees_only_their_roster(
    page, live_server, settings, make_user, width
):
    settings.GROUNDSWELL_CHECK_MX = False
    page.set_viewport_size({"width": width, "height": 900})
    SHOTS.mkdir(parents=True, exist_ok=True)
    other, _, _ = hosted_event(99, title="Someone else's party")
    attendee(other, 99)

    page.goto(f"{live_server.url}/events/host/")
    page.fill("#f-title", "Porch chat on Elm")
    page.select_option("#f-event_type", "house_party")
    page.fill("#f-description", "Lemonade and a talk.\n<script>alert(1)</script>")
    page.fill("#f-venue", "My porch")
    page.fill("#f-address_line1", "12 Elm Street")
    page.fill("#f-city", "Springfield")
    page.fill("#f-state", "IL")
    page.fill("#f-zip_code", "62701")
    page.fill("#f-date", (timezone.now() + timedelta(days=9)).date().isoformat())
    page.fill("#f-starts", "18:30")
    page.fill("#f-ends", "20:00")
    page.select_option("#f-timezone", "America/Chicago")
    page.fill("#f-capacity", "10")
    page.fill("#f-given_name", "Hostie")
    page.fill("#f-email", "hostie.browser@example.org")
    page.fill("#f-postal_code", "62701")
    assert fits(page)
    page.screenshot(path=str(SHOTS / f"events-host-propose-{width}.png"), full_page=True)
    page.click("button:has-text('Propose the event')")
    page.wait_for_url("**/events/host/thanks/")
    event = Event.objects.get(title="Porch chat on Elm")

    make_user("organizer", username="orla")
    detail = reverse("events_staff:detail", args=[event.pk])
    page.goto(f"{live_server.url}/accounts/login/?next={detail}")
    page.fill("#id_username", "orla")
    page.fill("#id_password", "pw-for-tests-1")
    with inbox_open(settings) as inbox:
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}{detail}")
        page.click("button:has-text('Approve')")
        page.wait_for_url(f"{live_server.url}{detail}")
        [message] = inbox.to("hostie.browser@example.org")
    [link] = re.findall(
        r"https://campaign\.example\.org(/events/host/[^/\s]+/)", message.get_content()
    )
    page.context.clear_cookies()  # the host is not staff
    attendee(event, 1)  # approved: the public can sign up now

    page.goto(f"{live_server.url}{link}")
    main = page.inner_text("main")
    assert "Porch chat on Elm" in main and rsvp(1)["email"] in main
    assert rsvp(99)["email"] not in page.content() and "Someone else" not in page.content()
    assert "<script>alert(1)</script>" in main  # shown as text, not run
    assert fits(page)
    page.screenshot(path=str(SHOTS / f"events-host-page-{width}.png"), full_page=True)
    check_in = page.get_by_role("button", name=f"Check in {rsvp(1)['given_name']}")
    box = check_in.bounding_box()  # on screen at the door, not off to the side of a phone
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    check_in.click()
    expect(page.locator(".host-roster")).to_contain_text("Attended")
    assert Attendance.objects.get(shift__event=event).attended is True
