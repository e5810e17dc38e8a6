"""The staff UI in a real headless Chromium (Debian's), on a phone and on a desktop screen."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from groundswell.people.tests.factories import person_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
# Screenshots to look at after a run (they are not compared with anything).
SHOTS = Path(
    os.environ.get("GROUNDSWELL_SCREENSHOTS")
    or Path(tempfile.gettempdir()) / "groundswell-screenshots"
)
PASSWORD = "pw-for-tests-1"


@pytest.fixture
def shots() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


def _login(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/people/")


def _no_horizontal_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_an_organizer_finds_a_person_on_a_phone(page, live_server, make_user, shots):
    make_user("organizer", username="olivia")
    person_create(
        given_name="Rosalind",
        family_name="Featherstonehaugh",
        email="rosalind.featherstonehaugh@example.org",
        mobile_phone="(415) 555-0134",
        sms_status="yes",
        email_status="subscribed",
        state="CA",
        postal_code="94110",
        tags="phone bank, house party host, precinct captain",
        source="petition-spring",
    )
    for index in range(8):
        person_create(email=f"neighbour{index}@example.org", state="CA")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/people/")
    assert "/accounts/login/" in page.url  # anonymous: sent to log in first
    page.screenshot(path=str(shots / "phone-login.png"), full_page=True)
    _login(page, live_server, "olivia")
    assert _no_horizontal_overflow(page)
    page.screenshot(path=str(shots / "phone-list.png"), full_page=True)

    # htmx swaps the results and pushes the search into the address bar.
    page.fill("#id_q", "feather")
    page.wait_for_url("**/people/?q=feather*")
    page.wait_for_selector("#results >> text=Rosalind Featherstonehaugh")
    assert page.locator("#results tbody tr").count() == 1
    assert _no_horizontal_overflow(page)
    page.screenshot(path=str(shots / "phone-search.png"), full_page=True)

    page.click("text=Rosalind Featherstonehaugh")
    page.wait_for_selector("h1:has-text('Rosalind Featherstonehaugh')")
    assert page.locator("h1").inner_text() == "Rosalind Featherstonehaugh"
    assert "(415) 555-0134" in page.content()
    assert _no_horizontal_overflow(page)
    page.screenshot(path=str(shots / "phone-person.png"), full_page=True)

    # Tags are added and removed in place with htmx.
    page.fill("#id_tag_name", "canvass lead")
    page.click("#tags button:has-text('Add')")
    page.wait_for_selector("#tags .chip:has-text('canvass lead')")
    page.click("#tags button[aria-label='Remove tag phone bank']")
    page.wait_for_selector("#tags .chip:has-text('phone bank')", state="detached")
    assert _no_horizontal_overflow(page)


def test_the_list_and_person_page_look_right_on_a_desktop(page, live_server, make_user, shots):
    make_user("finance", username="fiona")
    rosa = person_create(
        given_name="Rosalind",
        family_name="Featherstonehaugh",
        email="rosalind@gmial.com",
        mobile_phone="(415) 555-0134",
        email_status="subscribed",
        employer="Acme Rocket Widgets",
        occupation="Engineer",
        state="CA",
        postal_code="94110",
        tags="donor",
    )
    for index in range(12):
        person_create(email=f"supporter{index}@example.org", state="NY", source="rally")
    page.set_viewport_size(DESKTOP)
    _login(page, live_server, "fiona")
    assert _no_horizontal_overflow(page)
    page.screenshot(path=str(shots / "desktop-list.png"), full_page=True)
    page.goto(f"{live_server.url}/people/{rosa.pk}/")
    assert "Acme Rocket Widgets" in page.content()
    page.screenshot(path=str(shots / "desktop-person.png"), full_page=True)
    page.goto(f"{live_server.url}/people/{rosa.pk}/edit/")
    assert _no_horizontal_overflow(page)
    page.screenshot(path=str(shots / "desktop-edit.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.reload()
    assert _no_horizontal_overflow(page)
    page.screenshot(path=str(shots / "phone-edit.png"), full_page=True)
