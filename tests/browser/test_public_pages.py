"""The public site in a real headless Chromium at a phone's size: forms, thank-you, share link."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from groundswell.actions.models import ActionPage, Referral
from groundswell.demo.actions_site import campaign_site_seed
from groundswell.people.models import Activity, Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
SHOTS = Path(
    os.environ.get("GROUNDSWELL_SCREENSHOTS")
    or Path(tempfile.gettempdir()) / "groundswell-screenshots"
)
PASSWORD = "pw-for-tests-1"


@pytest.fixture
def shots() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


@pytest.fixture
def demo_site(db):
    campaign_site_seed()


def _no_horizontal_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _tags(person: Person) -> set[str]:
    return set(person.tags.values_list("name", flat=True))


def test_a_supporter_fills_in_the_participation_form_on_a_phone(
    page, live_server, demo_site, shots
):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/")
    assert _no_horizontal_overflow(page)
    page.screenshot(path=str(shots / "public-phone-home.png"), full_page=True)
    page.goto(f"{live_server.url}/platform/")
    assert _no_horizontal_overflow(page)
    page.screenshot(path=str(shots / "public-phone-platform.png"), full_page=True)

    page.goto(f"{live_server.url}/a/get-involved/?refcode=flyer&utm_source=fair")
    assert page.locator("h1").inner_text() == "Be part of the campaign"
    assert page.locator("legend:has-text('How do you want to help?')").count() == 1
    assert _no_horizontal_overflow(page)
    page.screenshot(path=str(shots / "public-phone-participation.png"), full_page=True)

    # Submitting with nothing chosen explains what is missing, next to each field.
    page.click("button[type=submit]")
    page.wait_for_selector("#error-summary")
    assert "Choose at least one way to help." in page.inner_text("#error-summary")
    page.screenshot(path=str(shots / "public-phone-participation-errors.png"), full_page=True)
    page.click("#error-summary a[href='#f-given_name']")
    assert page.evaluate("document.activeElement.id") == "f-given_name"

    page.get_by_label("Knock on doors").check()
    page.get_by_label("Host an event").check()
    page.get_by_label("Something else", exact=True).check()
    page.fill("#f-help_other", "Drive neighbours to the polls")
    page.get_by_label("Strong public schools").check()
    page.fill("#f-given_name", "Marisol")
    page.fill("#f-family_name", "Okafor")
    page.fill("#f-email", "marisol.okafor@example.org")
    page.fill("#f-mobile_phone", "(415) 555-0199")
    page.fill("#f-postal_code", "94110")
    page.click("button[type=submit]")

    page.wait_for_url("**/a/get-involved/thanks/**")
    assert page.locator("h1").inner_text() == "Thank you!"
    share_url = page.input_value("#share-url")
    assert share_url.startswith(f"{live_server.url}/a/get-involved/?ref=")
    assert page.locator(".share-buttons a[target=_blank][rel~=noopener]").count() == 5
    assert _no_horizontal_overflow(page)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.click("#copy-link")
    page.wait_for_selector("#copy-status:has-text('Link copied.')")
    assert page.evaluate("navigator.clipboard.readText()") == share_url
    page.screenshot(path=str(shots / "public-phone-participation-thanks.png"), full_page=True)

    person = Person.objects.get(primary_email="marisol.okafor@example.org")
    assert (person.given_name, person.family_name, person.postal_code) == (
        "Marisol",
        "Okafor",
        "94110",
    )
    assert person.refcode == "flyer"
    assert {
        "volunteer prospect",
        "help: Knock on doors",
        "help: Host an event",
        "help: Something else",
        "issue: Strong public schools",
    } <= _tags(person)
    assert person.custom_fields["help_other"] == "Drive neighbours to the polls"
    action = Activity.objects.get(person=person, kind="participation")
    assert action.data["utm_source"] == "fair"
    assert person.referral_code.code in share_url


def test_a_friend_signs_the_petition_through_a_share_link_on_a_phone(
    page, live_server, demo_site, make_user, shots
):
    page.set_viewport_size(PHONE)
    petition = ActionPage.objects.get(kind="petition")
    page.goto(f"{live_server.url}/a/{petition.slug}/")
    assert "0 signatures" in page.inner_text(".tally")
    assert _no_horizontal_overflow(page)
    page.screenshot(path=str(shots / "public-phone-petition.png"), full_page=True)
    page.fill("#f-given_name", "Rita")
    page.fill("#f-family_name", "Moreno")
    page.fill("#f-email", "rita@example.org")
    page.fill("#f-postal_code", "10027")
    page.click("button:has-text('Sign the petition')")
    page.wait_for_url("**/thanks/**")
    share_url = page.input_value("#share-url")
    # No donation page in the demo: the next rung after signing is the participation form.
    assert page.locator("a:has-text('Get involved')").count() == 1
    page.screenshot(path=str(shots / "public-phone-petition-thanks.png"), full_page=True)

    friend = page.context.browser.new_context(viewport=PHONE)
    friend_page = friend.new_page()
    friend_page.goto(share_url)
    assert "1 signature" in friend_page.inner_text(".tally")
    friend_page.fill("#f-given_name", "Newt")
    friend_page.fill("#f-family_name", "<script>alert(1)</script>")
    friend_page.fill("#f-email", "newt@example.org")
    friend_page.fill("#f-postal_code", "10027")
    friend_page.dblclick("button:has-text('Sign the petition')")  # one signature all the same
    # The second click may send the form again before the first answer lands; the browser
    # then drops the first load for the second, and waiting on a load would see the drop.
    # Wait instead for where the page ends up, then for that page to load (axe checks it).
    expect(friend_page).to_have_url(re.compile(r"/thanks/"))
    friend_page.wait_for_url("**/thanks/**")
    friend_page.wait_for_selector("#share-url")
    friend.close()

    rita = Person.objects.get(primary_email="rita@example.org")
    newt = Person.objects.get(primary_email="newt@example.org")
    assert newt.family_name == "<script>alert(1)</script>"
    assert "petition: schools" in _tags(newt)
    assert Activity.objects.filter(person=newt, kind="petition").count() == 1
    referral = Referral.objects.get()
    assert (referral.recruiter, referral.recruit) == (rita, newt)
    petition.refresh_from_db()
    assert petition.submission_count == 2

    # Staff see the referral from both sides.
    make_user("volunteer", username="val")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "val")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/people/{rita.pk}/")
    page.wait_for_selector("#referrals a:has-text('Newt')")
    assert rita.referral_code.code in page.input_value("#share-link")
    assert _no_horizontal_overflow(page)
    page.locator("#referrals").screenshot(path=str(shots / "staff-phone-referrals.png"))
    page.click("#referrals a:has-text('Newt')")
    page.wait_for_selector("#referrals a:has-text('Rita')")
    assert "<script>alert(1)</script>" in page.inner_text("h1")  # shown as text


def test_the_site_and_the_builder_look_right_on_a_desktop_and_a_phone(
    page, live_server, demo_site, make_user, shots
):
    page.set_viewport_size(DESKTOP)
    petition = ActionPage.objects.get(kind="petition")
    for name, url in (
        ("home", "/"),
        ("about", "/about/"),
        ("petition", f"/a/{petition.slug}/"),
        ("newsletter", "/a/newsletter/"),
    ):
        page.goto(f"{live_server.url}{url}")
        assert _no_horizontal_overflow(page)
        page.screenshot(path=str(shots / f"public-desktop-{name}.png"), full_page=True)

    make_user("organizer", username="olivia")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "olivia")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.click("nav.nav a:has-text('Pages')")
    page.wait_for_selector("h1:has-text('Pages')")
    page.screenshot(path=str(shots / "builder-desktop-list.png"), full_page=True)
    page.click(f"a:has-text('{petition.title}')")
    page.click("a:has-text('Add a variant')")
    page.fill("#id_name", "Urgent")
    page.fill("#id_headline", "Our schools can't wait")
    page.click("button:has-text('Add the variant')")
    page.wait_for_selector("text=Original")
    page.screenshot(path=str(shots / "builder-desktop-page.png"), full_page=True)
    page.click("a:has-text('Edit') >> nth=0")
    page.screenshot(path=str(shots / "builder-desktop-edit.png"), full_page=True)
    # Choosing another kind hides the petition's own settings (CSS only).
    assert page.is_visible("#id_goal")
    page.select_option("#id_kind", "signup")
    assert not page.is_visible("#id_goal")

    page.set_viewport_size(PHONE)
    for name, url in (
        ("list", "/pages/"),
        ("page", f"/pages/{petition.pk}/"),
        ("edit", f"/pages/{petition.pk}/edit/"),
        ("site", "/pages/site/"),
        ("platform", "/pages/platform/"),
        ("submissions", f"/pages/{petition.pk}/submissions/"),
    ):
        page.goto(f"{live_server.url}{url}")
        assert _no_horizontal_overflow(page), name
        page.screenshot(path=str(shots / f"builder-phone-{name}.png"), full_page=True)
