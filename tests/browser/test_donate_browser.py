"""Giving on our own donation page in a real headless Chromium, through the local Stripe double.

The issue's done-when: a donation made on our own page through the Stripe double appears as a
contribution, with its refcode, on the donor's timeline.
"""

from __future__ import annotations

import os
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from groundswell.donations.conftest import double_running
from groundswell.donations.models import (
    Contribution,
    DonationPage,
    PaymentAttempt,
    RecurringSeries,
    WebhookDelivery,
)
from groundswell.donations.pages.donate import ask_token_make
from groundswell.donations.testing.stripe_double import CARD_DECLINED, CARD_OK
from groundswell.people.models import Activity, Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
SHOTS = Path(
    os.environ.get("GROUNDSWELL_SCREENSHOTS")
    or Path(tempfile.gettempdir()) / "groundswell-screenshots"
)
PASSWORD = "pw-for-tests-1"


@pytest.fixture(name="stripe_double")
def _stripe_double(settings):
    # The donations tests' fixture, which pytest does not apply outside src/.
    yield from double_running(settings)


@pytest.fixture
def shots() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


@pytest.fixture
def donation_page(db):
    return DonationPage.objects.create(
        slug="end-of-quarter",
        title="Before the quarter closes",
        intro="Every dollar before midnight shows we are for real.",
        amounts_cents=[500, 1000, 2700, 5000],
        is_published=True,
        allow_monthly=True,
        deadline=timezone.now() + timedelta(days=2, hours=3),
        goal_kind=DonationPage.GoalKind.DOLLARS,
        goal_cents=500_000,
        goal_donors=250,
        show_donors_to_go=True,
        next_rung=DonationPage.NextRung.SHARE,
    )


def _no_horizontal_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _fill_donor(page, *, email: str) -> None:
    page.fill("#f-given_name", "Quilla")
    page.fill("#f-family_name", "Testworth")
    page.fill("#f-email", email)
    page.fill("#f-phone", "(312) 555-0187")
    page.fill("#f-address_line1", "400 Example Avenue")
    page.fill("#f-city", "Chicago")
    page.fill("#f-state", "IL")
    page.fill("#f-postal_code", "60601")
    page.fill("#f-employer", "Sample Bakery")
    page.fill("#f-occupation", "Baker")


def test_a_gift_on_our_page_reaches_the_donors_timeline_with_its_refcode(
    page,
    live_server,
    donation_page,
    stripe_double,
    shots,
):
    stripe_double.webhook_url = f"{live_server.url}/webhooks/stripe/"
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/donate/end-of-quarter/?refcode=eoq-email-2&refcode_list=house")
    assert page.locator("h1").inner_text() == "Before the quarter closes"
    assert "left" in page.inner_text("#countdown")
    assert "250 donors to go" in page.inner_text(".to-go")
    page.wait_for_selector("#stripe-double-card")
    assert _no_horizontal_overflow(page)
    page.screenshot(path=str(shots / "donate-phone-page.png"), full_page=True)

    # Missing details are explained before any card is touched.
    page.click("#donate-button")
    page.wait_for_selector("#error-summary:not([hidden])")
    assert "Enter your employer." in page.inner_text("#error-summary")
    assert not stripe_double.payment_intents

    page.click("label[for=f-amount-2]")  # $27
    _fill_donor(page, email="quilla.testworth@example.org")
    page.fill("#stripe-double-card", CARD_DECLINED)
    page.click("#donate-button")
    page.wait_for_selector("#card-errors:not([hidden])")
    assert "declined" in page.inner_text("#card-errors")
    assert not Contribution.objects.exists()
    page.screenshot(path=str(shots / "donate-phone-declined.png"), full_page=True)

    page.fill("#stripe-double-card", CARD_OK)
    page.click("#donate-button")
    page.wait_for_url("**/donate/end-of-quarter/thanks/**")
    assert "$27.00" in page.inner_text("#gift-summary")
    share_url = page.input_value("#share-url")
    assert share_url.startswith(f"{live_server.url}/donate/end-of-quarter/?ref=")
    assert _no_horizontal_overflow(page)
    page.screenshot(path=str(shots / "donate-phone-thanks.png"), full_page=True)

    stripe_double.wait_for_webhooks()
    contribution = Contribution.objects.get()
    assert contribution.amount_cents == 2700
    assert contribution.refcode == "eoq-email-2"
    assert contribution.refcodes == {"refcode_list": "house"}
    assert contribution.page == donation_page
    assert contribution.processor_id in stripe_double.payment_intents
    person = Person.objects.get(primary_email="quilla.testworth@example.org")
    assert contribution.person == person
    timeline = Activity.objects.get(person=person, kind="donation")
    assert timeline.data["refcode"] == "eoq-email-2"
    # The declined try and the paid one were two attempts; the webhooks changed nothing more.
    assert PaymentAttempt.objects.filter(status="succeeded").count() == 1
    assert ("payment_intent.succeeded", 200) in stripe_double.deliveries
    assert not WebhookDelivery.objects.filter(status="rejected").exists()

    # The donor's timeline, as finance staff see it.
    from groundswell.accounts.models import User

    User.objects.create_user("fina", password=PASSWORD, role="finance")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "fina")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/people/{person.pk}/")
    assert "Gave $27.00" in page.inner_text("main")


def test_a_personalised_monthly_gift_starts_a_series(
    page,
    live_server,
    donation_page,
    stripe_double,
):
    ask = ask_token_make(highest_cents=4000)
    page.goto(f"{live_server.url}/donate/end-of-quarter/?ask={ask}")
    labels = page.locator(".amounts:not(.recurring) label").all_inner_texts()
    assert labels[:4] == ["$40", "$60", "$80", "$125"]
    page.wait_for_selector("#stripe-double-card")
    page.click("label[for=f-recurring-1]")  # monthly
    _fill_donor(page, email="monthly.tester@example.org")
    page.fill("#stripe-double-card", CARD_OK)
    page.click("#donate-button")
    page.wait_for_url("**/thanks/**")
    assert "monthly" in page.inner_text("#gift-summary")
    series = RecurringSeries.objects.get()
    assert series.amount_cents == 4000
    assert series.processor_customer.startswith("cus_")
    assert series.processor_payment_method.startswith("pm_")
    assert series.installments_paid == 1
    assert series.contributions.count() == 1


def test_the_page_explains_itself_when_stripe_is_not_set_up(
    page, live_server, donation_page, settings
):
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_PUBLISHABLE_KEY = ""
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/donate/end-of-quarter/")
    assert "not set up" in page.inner_text("#not-ready")
    assert page.locator("#donate-button").is_disabled()
    assert _no_horizontal_overflow(page)


def test_finance_staff_build_a_page_and_cancel_a_recurring_gift_on_a_phone(
    page, live_server, stripe_double, make_user, shots
):
    make_user("finance", username="fiona-finance")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "fiona-finance")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()

    page.goto(f"{live_server.url}/finance/pages/")
    assert "No donation pages yet" in page.inner_text("main")
    assert _no_horizontal_overflow(page)
    page.click("text=New donation page >> nth=0")
    page.fill("#id_title", "Match week")
    page.fill("#id_slug", "match-week")
    page.fill("#id_amounts_text", "5, 15, lots")
    assert _no_horizontal_overflow(page)
    page.click("button:has-text('Create page')")
    assert "is not an amount in dollars" in page.inner_text("main")
    page.fill("#id_amounts_text", "5, 15, 35, 75")
    page.click("button:has-text('Create page')")
    page.wait_for_selector("h1:has-text('Match week')")
    assert _no_horizontal_overflow(page)
    page.screenshot(path=str(shots / "donate-staff-page-detail.png"), full_page=True)
    page.click("button:has-text('Publish')")
    page.wait_for_selector("text=Published “Match week”.")
    assert DonationPage.objects.get(slug="match-week").is_published

    # A monthly gift on the new page, then cancelled by staff.
    created = DonationPage.objects.get(slug="match-week")
    from groundswell.donations.pages.payments import payment_attempt_finish, payment_attempt_start

    attempt = payment_attempt_start(
        key="browser-test-monthly-key-0001",
        page=created,
        amount_cents=1500,
        recurring_period="monthly",
        donor={"given_name": "Uma", "family_name": "Fakerly", "email": "uma@example.org"},
        refcode="",
        refcodes={},
        ip_address=None,
    )
    stripe_double.confirm_card(attempt.processor_ref, CARD_OK)
    series = payment_attempt_finish(attempt=attempt).contribution.series
    page.goto(f"{live_server.url}/finance/recurring/")
    assert _no_horizontal_overflow(page)
    page.click(f"a[href='/finance/recurring/{series.pk}/']")
    page.fill("#cancel-reason", "Donor asked by e-mail")
    assert _no_horizontal_overflow(page)
    page.screenshot(path=str(shots / "donate-staff-recurring.png"), full_page=True)
    page.click("button:has-text('Cancel the recurring gift')")
    page.wait_for_selector("#series-status:has-text('Cancelled')")
    series.refresh_from_db()
    assert series.cancel_reason == "Donor asked by e-mail"
