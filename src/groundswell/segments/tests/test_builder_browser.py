"""The query builder in a real headless Chromium on a phone: add a condition, watch the count
change, nest a NOT group, save, reopen; nothing wider than the screen, no script refused."""

from __future__ import annotations

import pytest

from groundswell.core.tests.browser import PASSWORD, PHONE, SHOTS
from groundswell.segments.models import Segment
from groundswell.segments.tests import world as w

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _count(page) -> str:
    return page.locator("#segment-preview [data-count]").get_attribute("data-count")


def _wait_count(page, value: int) -> None:
    page.wait_for_selector(f'#segment-preview [data-count="{value}"]', timeout=10_000)


def test_staff_build_a_segment_see_the_count_follow_save_and_reopen_it_on_a_phone(
    page, live_server, make_user
):
    w.person("Ada", state="PA", email="ada@example.org", tags=["host"])
    w.person("Bram", state="PA", email="bram@example.org")
    w.person("Cleo", state="OH", email="cleo@example.org", tags=["host"])
    make_user("organizer", username="orla")
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/accounts/login/?next=/segments/new/")
    page.fill("#id_username", "orla")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/segments/new/")
    page.wait_for_selector("#segment-builder[data-ready=true]")
    _wait_count(page, 3)  # no conditions yet: everyone

    page.get_by_role("button", name="+ Condition").click()
    page.locator("select.seg-kind").last.select_option("state")
    page.locator(".seg-condition input").last.fill("PA")
    _wait_count(page, 2)
    assert "bram@example.org" in page.locator("#segment-preview").inner_text()

    # A nested group, negated: PA and not tagged host.
    page.get_by_role("button", name="+ Group").click()
    inner = page.locator(".seg-group .seg-group").last
    inner.locator("select").first.select_option(label="None of these")
    inner.locator("select.seg-kind").select_option("tag")
    inner.locator(".seg-condition select").nth(1).select_option("host")
    _wait_count(page, 1)
    assert "ada@example.org" not in page.locator("#segment-preview").inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "segment-builder-phone.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.fill("#segment-name", "PA, not hosts")
    page.get_by_role("button", name="Save segment").click()
    page.wait_for_url("**/segments/*/")
    segment = Segment.objects.get(name="PA, not hosts")
    assert segment.definition["items"][0] == {"kind": "state", "states": ["PA"]}
    assert segment.definition["items"][1]["negate"] is True

    page.goto(f"{live_server.url}/segments/{segment.pk}/")
    page.wait_for_selector("#segment-builder[data-ready=true]")
    assert page.locator(".seg-condition input").first.input_value() == "PA"
    assert _count(page) == "1"
    page.goto(f"{live_server.url}/segments/")
    page.wait_for_selector("td[data-label=People]:has-text('1')")
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
