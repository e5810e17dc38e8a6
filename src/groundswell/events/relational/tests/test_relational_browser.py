"""The kiosk in a real headless Chromium at tablet size (768 px), and the contacts page on a
phone: one person signs in, the form comes back empty with a thank-you, the next person signs
in; a volunteer adds someone they know. Every page is checked by axe (autouse fixture)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from groundswell.core.tests.browser import PHONE
from groundswell.events.models import Attendance, RelationalContact
from groundswell.events.tests.conftest_staff import event_make, shift_make
from groundswell.events.tests.test_staff_roster_browser import WATCH, _log_in, _shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TABLET = {"width": 768, "height": 1024}


def _fill(page, given: str, family: str, email: str, zip_code: str) -> None:
    page.get_by_label("First name").fill(given)
    page.get_by_label("Last name").fill(family)
    page.get_by_label("E-mail", exact=True).fill(email)
    page.get_by_label("ZIP code").fill(zip_code)


def test_two_people_sign_in_at_the_kiosk_on_a_tablet(page, live_server, make_user):
    event = event_make(title="Riverfront rally")
    shift = shift_make(event, starts_at=timezone.now() - timedelta(hours=1))
    make_user("organizer", username="orla")
    page.set_viewport_size(TABLET)
    page.add_init_script(WATCH)
    url = reverse("events_staff:kiosk", args=[event.pk])
    _log_in(page, live_server, "orla", url)
    expect(page.get_by_role("heading", name="Welcome to Riverfront rally")).to_be_visible()

    _fill(page, "Isolde", "Penhallow", "isolde.penhallow@example.org", "19103")
    page.get_by_label("Yes, send me e-mail about the campaign").check()
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}{url}?thanks=1")
    expect(page.get_by_role("status")).to_contain_text("Thank you")
    # The next person finds an empty form and nothing of the last one's.
    expect(page.get_by_label("First name")).to_have_value("")
    expect(page.get_by_label("Yes, send me e-mail about the campaign")).not_to_be_checked()
    assert "Isolde" not in page.content()
    _shot(page, "kiosk-tablet")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    _fill(page, "Lorcan", "Treverrow", "lorcan.treverrow@example.org", "19104")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}{url}?thanks=1")
    rows = Attendance.objects.filter(shift=shift).select_related("person")
    assert sorted(r.person.given_name for r in rows) == ["Isolde", "Lorcan"]
    assert all(r.attended and r.is_walk_in for r in rows)
    statuses = {r.person.given_name: r.person.email_status for r in rows}
    assert statuses == {"Isolde": "subscribed", "Lorcan": "unknown"}
    assert page.evaluate("window.__blocked") == []


def test_a_volunteer_adds_someone_they_know_on_a_phone(page, live_server, make_user):
    make_user("volunteer", username="vera")
    page.set_viewport_size(PHONE)
    url = reverse("events_staff:contacts")
    _log_in(page, live_server, "vera", url)
    page.get_by_label("First name").fill("Ottoline")
    page.get_by_label("Phone").fill("215-555-0188")
    page.get_by_label("How you know them").select_option("neighbour")
    page.get_by_label("Notes").fill("Asked about the library hours.")
    page.get_by_role("button", name="Add to my contacts").click()
    page.wait_for_url(f"{live_server.url}{url}")
    expect(page.locator(".contact-row")).to_contain_text("Ottoline")
    expect(page.locator(".contact-row")).to_contain_text("Neighbour")
    _shot(page, "contacts-phone")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert RelationalContact.objects.get().person.phones.get().sms_status == "unknown"
