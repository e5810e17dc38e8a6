"""The audience page in a real headless Chromium on a phone: counts, the two download links
(each a real CSV download), nothing wider than the screen."""

from __future__ import annotations

import csv

import pytest

from groundswell.analytics.audiences.tests.world import ohio_world
from groundswell.core.tests.browser import PASSWORD, PHONE, SHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_audience_page_on_a_phone_downloads_both_files(page, live_server, make_user):
    organizer = make_user("organizer", username="orla")
    _, segment = ohio_world(organizer)
    url = f"/analytics/audiences/segment/{segment.pk}/"
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/accounts/login/?next={url}")
    page.fill("#id_username", "orla")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}{url}")
    assert "2 rows" in page.inner_text("#audience-counts")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "audience-segment-phone.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.locator("#seed-link").count() == 0  # the seed is for finance roles
    for label, header in (("Meta", "email"), ("Google", "Email")):
        with page.expect_download() as info:
            page.click(f"text=Download for {label}")
        path = info.value.path()
        with open(path, encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        assert rows[0][0] == header and len(rows) == 3


def test_the_donor_seed_on_a_phone_changes_size(page, live_server, make_user):
    make_user("finance", username="fenna")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/accounts/login/?next=/analytics/audiences/donors/")
    page.fill("#id_username", "fenna")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/analytics/audiences/donors/")
    assert "No donors yet" in page.inner_text("#audience-empty")
    page.select_option("#size", "250")
    page.click("text=Show")
    page.wait_for_url("**/donors/?size=250")
    assert page.input_value("#size") == "250"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "audience-seed-phone.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
