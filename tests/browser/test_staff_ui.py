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
    # Staff land on the home; these tests start from the supporter list.
    page.wait_for_url(f"{live_server.url}/home/")
    page.goto(f"{live_server.url}/people/")


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


def test_an_organizer_imports_a_csv_and_merges_two_people_on_a_phone(
    page, live_server, make_user, shots, tmp_path
):
    make_user("organizer", username="olivia")
    csv_file = tmp_path / "spring-fair.csv"
    csv_file.write_text(
        "First Name,Last Name,Email,Cell Phone,Zip,Favourite issue\n"
        "Grace,Hopper,grace@example.org,415-555-0101,94110,climate\n"
        "Alan,Turing,not-an-email,415-555-0102,94110,housing\n"
        "Grace,Hopper,g.hopper@example.net,,94110,climate\n"
    )
    page.set_viewport_size(PHONE)
    _login(page, live_server, "olivia")
    page.goto(f"{live_server.url}/people/imports/")
    page.screenshot(path=str(shots / "phone-imports-empty.png"), full_page=True)
    page.click("text=Import a CSV file >> nth=0")
    page.set_input_files("#id_file", str(csv_file))
    page.click("button:has-text('Upload and map columns')")
    page.wait_for_selector("h1:has-text('Map the columns')")
    assert _no_horizontal_overflow(page)
    page.select_option("select[name=col_5]", "__custom__")
    page.fill("input[name=custom_5]", "issue")
    page.fill("#id_tags", "spring fair")
    page.screenshot(path=str(shots / "phone-import-mapping.png"), full_page=True)
    page.click("button:has-text('Start import')")
    page.wait_for_selector("text=Rejected rows")
    assert "not-an-email" in page.content()
    assert _no_horizontal_overflow(page)
    page.screenshot(path=str(shots / "phone-import-done.png"), full_page=True)

    # The two Grace Hoppers are one person: merge them.
    page.goto(f"{live_server.url}/people/?q=hopper")
    page.click("#results a:has-text('Grace Hopper') >> nth=0")
    page.click("text=Merge with…")
    page.fill("input[name=q]", "hopper")
    page.click("button:has-text('Search')")
    page.click("a:has-text('Compare')")
    page.wait_for_selector("h1:has-text('Compare and merge')")
    assert _no_horizontal_overflow(page)
    page.screenshot(path=str(shots / "phone-merge-compare.png"), full_page=True)
    page.click("button:has-text('Merge these two people')")
    page.wait_for_selector("text=was merged into this person")
    assert _no_horizontal_overflow(page)
    page.screenshot(path=str(shots / "phone-merged.png"), full_page=True)
    page.click("button:has-text('Undo merge')")
    page.wait_for_selector("text=Merge undone")


def test_admin_pages_look_right_on_a_phone(page, live_server, make_user, shots):
    make_user("admin", username="ada")
    make_user("volunteer", username="val")
    page.set_viewport_size(PHONE)
    _login(page, live_server, "ada")
    page.goto(f"{live_server.url}/accounts/users/")
    assert _no_horizontal_overflow(page)
    page.screenshot(path=str(shots / "phone-users.png"), full_page=True)
    person_create(given_name="Exported", family_name="Once", email="exported@example.org")
    page.goto(f"{live_server.url}/people/")
    with page.expect_download() as download:
        page.click("text=Export CSV")
    assert "exported@example.org" in Path(download.value.path()).read_text()
    page.goto(f"{live_server.url}/accounts/audit/")
    assert "exported 1 person to CSV" in page.content()
    assert _no_horizontal_overflow(page)
    page.screenshot(path=str(shots / "phone-audit.png"), full_page=True)
