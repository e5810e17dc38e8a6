"""The newcomer's first hour, walked in a real headless Chromium on the demo's campaign: log in
and see the home, open the public site as a supporter, sign the petition, chip in $27 from its
thank-you page in test mode, find the gift on the person and in Finance, merge a duplicate and
clean up its addresses, and read what happened in the audit log in words."""

from __future__ import annotations

import pytest

from groundswell.core.tests.browser import DESKTOP, PHONE, SHOTS, fits
from groundswell.demo.actions_site import campaign_site_seed, site_donate_page_seed
from groundswell.demo.donations_seed import PAGE_SLUG, demo_page_seed
from groundswell.demo.tests.test_demo_gift_browser import DONOR
from groundswell.donations.models import Contribution
from groundswell.people.models import Person, PostalAddress
from groundswell.people.tests.factories import person_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"newcomer-{name}.png"), full_page=True)


def _supporter_signs_and_chips_in(browser, base: str) -> None:
    """A supporter on a phone: the home page, the petition, the chip-in ask, a $27 gift."""
    phone = browser.new_context(viewport=PHONE)
    page = phone.new_page()
    page.goto(f"{base}/")
    assert page.locator("header .nav-donate").is_visible()
    page.goto(f"{base}/a/fund-our-schools/")
    page.fill("#f-given_name", DONOR["given_name"])
    page.fill("#f-family_name", DONOR["family_name"])
    page.fill("#f-email", DONOR["email"])
    page.fill("#f-postal_code", DONOR["postal_code"])
    page.click("button:has-text('Sign the petition')")
    page.wait_for_url("**/thanks/**")
    assert page.get_by_role("heading", name="Can you chip in?").is_visible()
    _shot(page, "petition-thanks-phone")
    page.locator(".ask-amounts a", has_text="$27").click()
    page.wait_for_url(f"**/donate/{PAGE_SLUG}/**")
    assert page.get_by_text("Test mode — no real money.").is_visible()
    assert page.get_by_label("$27", exact=True).is_checked()
    for name, value in DONOR.items():
        if not page.input_value(f"#f-{name}"):
            page.fill(f"#f-{name}", value)
    page.fill("#stripe-double-card", "4242 4242 4242 4242")
    page.locator("#donate-button").click()
    page.wait_for_url(f"**/donate/{PAGE_SLUG}/thanks/**", timeout=20_000)
    assert "$27.00" in page.locator("#gift-summary").inner_text()
    _shot(page, "gift-thanks-phone")
    phone.close()


def test_a_newcomer_walks_the_first_hour_of_the_demo(
    page,
    browser,
    live_server,
    demo_test_mode,
    make_user,
):
    campaign_site_seed()
    demo_page_seed()
    site_donate_page_seed(slug=PAGE_SLUG)
    make_user("admin", username="dana")
    base = live_server.url

    # Log in: the home is the front door.
    page.set_viewport_size(DESKTOP)
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "dana")
    page.fill("#id_password", "pw-for-tests-1")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/home/")
    assert page.get_by_role("heading", name="Today").is_visible()
    _shot(page, "home")

    _supporter_signs_and_chips_in(browser, base)
    gift = Contribution.objects.get()
    assert gift.amount_cents == 2700
    signer = Person.objects.get(primary_email=DONOR["email"])
    assert gift.person_id == signer.pk

    # The gift on the person and in Finance.
    page.goto(f"{base}/people/{signer.pk}/")
    assert "$27.00" in page.locator("section", has=page.locator("#h-giving")).inner_text()
    page.goto(f"{base}/finance/contributions/")
    assert "$27.00" in page.locator("tbody tr", has_text=DONOR["family_name"]).inner_text()

    # A duplicate typed in at an event: merge it into the signer.
    # (A second address and a ZIP-only postal address, as a sign-up sheet gives them.)
    twin = person_create(
        given_name=DONOR["given_name"],
        family_name=DONOR["family_name"],
        email="marisol.t@example.net",
        address_line1="",
        city="",
        state="",
        postal_code=DONOR["postal_code"],
    )
    page.goto(f"{base}/people/{signer.pk}/")
    page.click("text=Merge with…")
    page.fill("input[name=q]", DONOR["family_name"])
    page.click("button:has-text('Search')")
    page.click("a:has-text('Compare')")
    page.wait_for_selector("h1:has-text('Compare and merge')")
    page.click("button:has-text('Merge these two people')")
    page.wait_for_selector("text=into this person")
    assert not Person.objects.filter(pk=twin.pk, merged_into__isnull=True).exists()
    _shot(page, "merged")

    # Clean up: the twin's ZIP-only address is a second copy; delete it, keep the full one.
    zip_only = PostalAddress.objects.filter(person=signer, line1="").order_by("-id")
    assert zip_only.count() >= 1
    duplicate = zip_only.first()
    page.locator(f"a[href$='/address/{duplicate.pk}/delete/']").click()
    page.get_by_role("button", name="Delete postal address").click()
    page.wait_for_url(f"{base}/people/{signer.pk}/")
    assert page.locator(".messages").get_by_text("Deleted").is_visible()
    assert not PostalAddress.objects.filter(pk=duplicate.pk).exists()
    page.get_by_role("button", name="Make primary: marisol.t@example.net").click()
    page.wait_for_url(f"{base}/people/{signer.pk}/")
    signer.refresh_from_db()
    assert signer.primary_email == "marisol.t@example.net"

    # The audit log says what happened in words, not as data.
    page.goto(f"{base}/accounts/audit/")
    log = page.locator("main").inner_text()
    name = f"{DONOR['given_name']} {DONOR['family_name']}"
    assert f"Kept {name}; merged in {name}" in log
    assert "Moved: 1 activity, 1 e-mail address, 1 postal address" in log
    assert "{'" not in log
    assert fits(page, slack=1)
    _shot(page, "audit")
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/home/")
    assert fits(page, slack=1)
    _shot(page, "home-phone")
