"""The compliance pages in a real headless Chromium on a phone: a held gift redesignated, a
check recorded, the rule sets; none wider than the screen."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from groundswell.core.tests.browser import PHONE, phone_fits, staff_login
from groundswell.donations.compliance.tests.fixtures import donor, gift, rule_2026
from groundswell.donations.models import Contribution

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


_fits = phone_fits("compliance")


def test_finance_staff_resolve_a_hold_and_record_a_check_on_a_phone(page, live_server, make_user):
    today = timezone.localdate()
    rule_2026(primary_date=today + timedelta(days=30), general_date=today + timedelta(days=200))
    who = donor()
    gift(300_000, who, when=timezone.now() - timedelta(days=2))
    held = gift(100_000, who, when=timezone.now() - timedelta(days=2))
    make_user("finance", username="fenna")
    page.set_viewport_size(PHONE)
    staff_login(page, live_server, "fenna", "/finance/holds/")
    assert page.get_by_text("58 days left").is_visible()
    assert _fits(page, "holds")

    page.get_by_role("link", name=f"{held.donor_given_name} {held.donor_family_name}").click()
    page.wait_for_url(f"**/finance/holds/{held.pk}/")
    assert _fits(page, "hold-detail")
    page.fill("#id_redesignate-reason", "Donor's signed letter")
    page.get_by_role("button", name="Redesignate $500.00").click()
    page.wait_for_url(f"{live_server.url}/finance/holds/")
    assert page.get_by_text("$500.00 redesignated to G2026").is_visible()
    assert page.get_by_text("No held contributions").is_visible()
    held.refresh_from_db()
    assert held.hold_resolution == "redesignated"

    page.goto(f"{live_server.url}/finance/offline/new/")
    assert _fits(page)
    page.fill("#id_amount", "150")
    page.select_option("#id_method", "cash")
    page.fill("#id_given_name", "Testa")
    page.fill("#id_family_name", "Checkwriter")
    page.get_by_role("button", name="Record the gift").click()
    expect(page.get_by_text("Cash over $100.00").first).to_be_visible()
    assert _fits(page, "offline-refused")
    page.select_option("#id_method", "check")
    page.fill("#id_check_number", "1001")
    page.get_by_role("button", name="Record the gift").click()
    page.wait_for_url(f"{live_server.url}/finance/offline/new/")
    assert page.get_by_text("Recorded $150.00").is_visible()
    assert Contribution.objects.filter(processor="offline", amount_cents=15_000).count() == 1

    for url in ("/finance/rules/", "/finance/best-efforts/"):
        page.goto(f"{live_server.url}{url}")
        assert _fits(page, url.strip("/").replace("/", "-")), url


def test_a_donor_answers_a_best_efforts_request_on_a_phone(page, live_server):
    from groundswell.donations.models import BestEffortsRequest

    rule_2026()
    who = {**donor(), "occupation": ""}
    gift(15_000, who, when=timezone.now() - timedelta(days=3))
    missing = gift(10_000, who, when=timezone.now() - timedelta(days=2))
    request = BestEffortsRequest.objects.create(
        contribution=missing,
        email=missing.donor_email,
        token="t" * 43,
        sent_at=timezone.now(),
    )
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/donor-info/{request.token}/")
    assert _fits(page, "answer")
    page.fill("#id_employer", "Example Clinic")
    page.get_by_role("button", name="Send").click()
    assert (
        page.get_by_text("Enter your occupation").is_visible()
        or page.locator(".field-error").first.is_visible()
    )
    page.fill("#id_occupation", "Nurse")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    assert _fits(page, "answer-done")
    missing.refresh_from_db()
    assert missing.donor_occupation == "Nurse"
