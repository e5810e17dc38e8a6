"""In a real headless Chromium: sign the petition, the thank-you asks for a gift with amounts,
and the chosen amount opens the donation page with that amount chosen and the refcode kept."""

from __future__ import annotations

import pytest

from groundswell.actions.models import ActionPage
from groundswell.actions.services import site_get
from groundswell.core.tests.browser import SHOTS
from groundswell.donations.models import DonationPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_signer_is_asked_to_chip_in_and_the_amount_they_pick_opens_the_donation_page(
    page, live_server, settings
):
    settings.GROUNDSWELL_CHECK_MX = False
    DonationPage.objects.create(
        slug="give",
        title="Chip in before the deadline",
        amounts_cents=[500, 1000, 2700, 5000],
        is_published=True,
    )
    site = site_get()
    site.name = "Exampleton for Congress"
    site.donate_page = "give"
    site.save()
    ActionPage.objects.create(
        kind="petition",
        slug="fund-our-schools",
        title="Fund our schools",
        headline="Fund our public schools",
        button_text="Sign the petition",
        fields={"given_name": "required"},
        published=True,
    )
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/?refcode=fb-ad-7")
    assert page.locator("header .nav-donate").get_attribute("href") == "/donate/give/"
    assert page.locator("footer .footer-donate").is_visible()

    page.goto(f"{live_server.url}/a/fund-our-schools/?refcode=fb-ad-7")
    page.fill("#f-given_name", "Tamsin")
    page.fill("#f-email", "tamsin.signer@example.org")
    page.get_by_role("button", name="Sign the petition").click()
    page.wait_for_url("**/thanks/**")
    assert page.get_by_role("heading", name="Can you chip in?").is_visible()
    amounts = page.locator(".ask-amounts a")
    assert amounts.all_inner_texts() == [
        "Give $5",
        "Give $10",
        "Give $27",
        "Give $50",
        "Another amount",
    ]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "petition-thanks-ask-phone.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.get_by_role("link", name="Give $27").click()
    page.wait_for_url("**/donate/give/**")
    assert page.get_by_role("heading", name="Chip in before the deadline").is_visible()
    assert page.locator("input[name=amount][value='2700']").is_checked()
    assert page.locator("input[name=refcode]").get_attribute("value") == "fb-ad-7"
    page.screenshot(path=str(SHOTS / "donate-from-ask-phone.png"), full_page=True)


def test_staff_choose_the_donation_page_and_featured_action_on_a_phone(
    page, live_server, make_user
):
    DonationPage.objects.create(slug="give", title="Chip in today", is_published=True)
    ActionPage.objects.create(
        kind="petition",
        slug="most-signed",
        title="Most signed",
        headline="Most signed",
        button_text="Sign it",
        submission_count=133,
        published=True,
    )
    chosen = ActionPage.objects.create(
        kind="signup",
        slug="town-hall",
        title="Town hall",
        headline="Town hall",
        button_text="Join the town hall",
        published=True,
    )
    make_user("organizer", username="orla")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/accounts/login/?next=/pages/site/")
    page.fill("#id_username", "orla")
    page.fill("#id_password", "pw-for-tests-1")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/pages/site/")
    assert page.get_by_text("now leads to “Most signed”").is_visible()
    page.select_option("#id_donate_page", "give")
    page.select_option("#id_featured_page", str(chosen.pk))
    page.get_by_role("button", name="Save settings").click()
    page.wait_for_url(f"{live_server.url}/pages/site/")
    assert page.get_by_text("Donate links now lead to").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "site-settings-giving-phone.png"), full_page=True)
    page.goto(f"{live_server.url}/")
    assert page.locator(".hero-actions .btn-accent").inner_text() == "Join the town hall"
    assert page.locator(".hero-actions .hero-donate").get_attribute("href") == "/donate/give/"
