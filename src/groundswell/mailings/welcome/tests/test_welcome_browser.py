"""The welcome series' pages in a real headless Chromium at 1280 and 390 pixels: a staff
member adds a message, sees it listed with its delay and counts, activates the series; nothing
is wider than the screen and no script is refused by the content security policy."""

from __future__ import annotations

import pytest

from groundswell.core.tests.browser import SHOTS, fits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_staff_member_adds_a_message_and_activates_the_series(
    page, live_server, series_make, make_user, size
):
    series = series_make(activate=False)
    make_user("organizer", username="orla")
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.set_viewport_size(WIDTHS[size])
    detail = f"{live_server.url}/mailings/welcome/{series.pk}/"
    page.goto(f"{live_server.url}/accounts/login/?next=/mailings/welcome/{series.pk}/")
    page.fill("#id_username", "orla")
    page.fill("#id_password", "pw-for-tests-1")
    page.click("button[type=submit]")
    page.wait_for_url(detail)

    page.click("text=Add a message")
    page.fill("#id_delay_days", "7")
    page.fill("#id_subject", "Will you chip in?")
    page.fill("#id_html", '<p>{{ first_name|default:"Friend" }}, one week in: {{ ask_ladder }}</p>')
    page.click("main button:has-text('Save')")
    page.wait_for_url(detail)
    rows = page.locator("#welcome-steps tbody tr")
    assert rows.count() == 3
    assert "7 days after sign-up" in rows.nth(2).inner_text()

    page.click("main button:has-text('Activate')")
    page.wait_for_url(detail)
    assert "Active" in page.locator(".page-head .sub").first.inner_text()
    assert fits(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"welcome-detail-{size}.png"), full_page=True)
    page.goto(f"{live_server.url}/mailings/welcome/")
    assert series.name in page.locator("main").inner_text()
    assert fits(page)
    page.screenshot(path=str(SHOTS / f"welcome-list-{size}.png"), full_page=True)
    assert not errors, errors
