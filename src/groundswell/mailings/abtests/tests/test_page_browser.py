"""The A/B test page in a real headless Chromium on a phone: an organizer describes a subject
test, starts it, and reads each variant's figure with its interval and the decision; nothing
wider than the screen, no script refused by the content security policy."""

from __future__ import annotations

import pytest

from groundswell.core.tests.browser import PHONE, SHOTS
from groundswell.mailings.abtests.tests.helpers import people_make
from groundswell.mailings.models import AbTest, AbTestState

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_organizer_sets_up_and_starts_a_subject_test_on_a_phone(
    page, live_server, mailing_make, make_user, smtp_sink, settings
):
    settings.GROUNDSWELL_MAILING_WORKERS = 0  # the variants' workers are not under test here
    people_make(60)
    mailing = mailing_make()
    make_user("organizer", username="orla")
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/accounts/login/?next=/mailings/{mailing.pk}/")
    page.fill("#id_username", "orla")
    page.fill("#id_password", "pw-for-tests-1")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/mailings/{mailing.pk}/")
    page.click("text=A/B test")
    page.wait_for_url(f"{live_server.url}/mailings/{mailing.pk}/abtest/")
    page.select_option("#id_metric", "opens")
    page.fill("#id_test_percent", "50")
    page.fill("#id_min_per_variant", "100")
    page.fill("#id_b_subject", "Saturday needs you")
    page.click("text=Save the test")
    page.wait_for_selector("text=Start the test")
    assert AbTest.objects.get().variants == [{"subject": "Saturday needs you"}]
    assert "about 30, 15 per variant" in page.inner_text("body")
    page.click("button:has-text('Start the test')")
    decision = page.locator("#abtest-decision")
    decision.wait_for()
    assert AbTest.objects.get().state == AbTestState.TESTING
    text = decision.inner_text()
    assert "No decision yet" in text
    assert decision.locator('[data-variant="B"]').count() == 1
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "mailing-abtest-phone.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert not errors, errors
