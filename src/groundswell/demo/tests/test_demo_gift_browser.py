"""In a real headless Chromium, set up as the demo is (its donation page, the site's default
donation page, test mode against the local Stripe double run as a child process): a newcomer
gives $27, sees the thank-you and the next rung, and staff find the gift in Finance, on the
person and in the donor count; and a browser that gave is asked from its own gift after it
signs a petition."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from groundswell.actions.site import ASK_COOKIE
from groundswell.demo.actions_site import campaign_site_seed, site_donate_page_seed
from groundswell.demo.donations_seed import demo_page_seed
from groundswell.donations.models import Contribution

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(
    os.environ.get("GROUNDSWELL_SCREENSHOTS")
    or Path(tempfile.gettempdir()) / "groundswell-screenshots"
)
DONOR = {
    "given_name": "Marisol",
    "family_name": "Testgiver",
    "email": "marisol.testgiver@example.org",
    "address_line1": "12 Example Lane",
    "city": "Springfield",
    "state": "IL",
    "postal_code": "62701",
    "employer": "Example Bakery",
    "occupation": "Baker",
}


def test_a_newcomer_gives_27_dollars_in_test_mode_and_staff_find_the_gift(
    page, live_server, demo_test_mode, make_user
):
    demo_page_seed()
    site_donate_page_seed(slug="give")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/")
    page.locator("header .nav-donate").click()
    page.wait_for_url("**/donate/give/")
    assert page.get_by_text("Test mode — no real money.").is_visible()

    page.get_by_label("$27", exact=True).check()
    for name, value in DONOR.items():
        page.fill(f"#f-{name}", value)
    page.fill("#stripe-double-card", "4242 4242 4242 4242")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "demo-gift-form-phone.png"), full_page=True)
    page.locator("#donate-button").click()
    page.wait_for_url("**/donate/give/thanks/**", timeout=20_000)
    assert "$27.00" in page.locator("#gift-summary").inner_text()
    assert page.get_by_role("heading", name="Now bring a friend").is_visible()
    assert page.get_by_text("Test mode — no real money.").is_visible()
    page.screenshot(path=str(SHOTS / "demo-gift-thanks-phone.png"), full_page=True)

    gift = Contribution.objects.get()
    assert (gift.amount_cents, gift.donor_email) == (2700, DONOR["email"])
    assert gift.person.family_name == "Testgiver"

    make_user("finance", username="fenna")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/?next=/finance/")
    page.fill("#id_username", "fenna")
    page.fill("#id_password", "pw-for-tests-1")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/finance/")
    donors = page.locator(".figure", has_text="Donors").first.locator(".n")
    assert donors.inner_text() == "1"

    page.goto(f"{live_server.url}/finance/contributions/")
    row = page.locator("tbody tr", has_text="Testgiver")
    assert row.count() == 1 and "$27.00" in row.inner_text()

    page.goto(f"{live_server.url}/people/{gift.person_id}/")
    giving = page.locator("section", has=page.locator("#h-giving"))
    assert "$27.00" in giving.inner_text()
    page.screenshot(path=str(SHOTS / "demo-gift-person.png"), full_page=True)


def test_after_a_27_dollar_gift_the_same_browser_is_asked_from_that_gift_after_signing(
    page, live_server, demo_test_mode
):
    campaign_site_seed()
    demo_page_seed()
    site_donate_page_seed(slug="give")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/donate/give/?refcode=fb-ad-9")
    page.get_by_label("$27", exact=True).check()
    for name, value in DONOR.items():
        page.fill(f"#f-{name}", value)
    page.fill("#stripe-double-card", "4242 4242 4242 4242")
    page.locator("#donate-button").click()
    page.wait_for_url("**/donate/give/thanks/**", timeout=20_000)
    proof = {c["name"]: c for c in page.context.cookies()}[ASK_COOKIE]
    assert proof["httpOnly"] and proof["sameSite"] == "Lax"

    # Signing in the same browser, with any address: the ask starts from the $27 just given
    # (1×, 1.5×, 2×, 3×, each rounded up to a $5 step), every link carrying the refcode.
    page.goto(f"{live_server.url}/a/fund-our-schools/?refcode=sms-12")
    page.fill("#f-given_name", "Quill")
    page.fill("#f-family_name", "Samplewood")
    page.fill("#f-email", "quill.samplewood@example.org")
    page.fill("#f-postal_code", "62701")
    page.click("button:has-text('Sign the petition')")
    page.wait_for_url("**/thanks/**")
    amounts = page.locator(".ask-amounts a")
    assert amounts.all_inner_texts() == [
        "Give $30",
        "Give $45",
        "Give $55",
        "Give $85",
        "Another amount",
    ]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "petition-thanks-personal-ask-phone.png"), full_page=True)
    page.get_by_role("link", name="Give $45").click()
    page.wait_for_url("**/donate/give/**")
    assert page.get_by_label("$45", exact=True).is_checked()
    assert page.locator("input[name=refcode]").get_attribute("value") == "sms-12"
