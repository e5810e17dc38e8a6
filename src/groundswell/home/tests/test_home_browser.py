"""The staff home in a real headless Chromium, at 1280 px and on a 390 px phone: staff land on
it after logging in, follow a queue to its page and come back by the brand; nothing wider than
the screen, no script refused."""

from __future__ import annotations

import pytest

from groundswell.core.tests.browser import DESKTOP, PASSWORD, PHONE, fits
from groundswell.home.tests import world as w

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/home/")


def _fits(page, name: str) -> bool:
    return fits(page, f"home-{name}")


@pytest.mark.parametrize(("role", "size"), [("admin", DESKTOP), ("organizer", PHONE)])
def test_staff_land_on_the_home_follow_a_queue_and_come_back_by_the_brand(
    page, live_server, make_user, role, size
):
    w.busy_day()
    w.gift(0, 2700)
    make_user(role, username=f"{role}-home")
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.set_viewport_size(size)
    _log_in(page, live_server, f"{role}-home")
    assert page.get_by_role("heading", name="Today").is_visible()
    assert page.locator("#signups [data-period=today] .n").inner_text() == "1"
    assert _fits(page, f"{role}-{size['width']}")
    assert page.locator("#giving").count() == (1 if role == "admin" else 0)

    page.locator("#queue-merges a").click()
    page.wait_for_url("**/identity/review/")
    page.locator("a.brand").click()
    page.wait_for_url(f"{live_server.url}/home/")
    page.locator("#queue-bouncing a").click()
    page.wait_for_url("**/people/?status=bouncing")
    assert page.get_by_text("1–1 of 1").is_visible()
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
