"""The Donors page in a real headless Chromium on a phone: both charts drawn from the server's
specs, the tables beside them, nothing wider than the screen, the lists one tap away."""

from __future__ import annotations

import pytest

from groundswell.analytics.tests.dataset_giving import giving_world_build
from groundswell.analytics.tests.downloads import downloads_check
from groundswell.analytics.tests.test_filters import snapshot
from groundswell.core.tests.browser import PHONE, phone_fits, staff_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

_fits = phone_fits("analytics")

URL = "/analytics/donors/?start=2026-03-01&end=2026-04-30"


def test_the_donors_page_on_a_phone(page, live_server, make_user, extract_file):
    world = giving_world_build()
    snapshot("Ben", world["ben"])
    make_user("finance", username="fenna")
    page.set_viewport_size(PHONE)
    staff_login(page, live_server, "fenna", "/analytics/")
    page.get_by_role("link", name="Donors: cohorts, recurring").click()
    page.wait_for_url("**/analytics/donors/")
    page.goto(f"{live_server.url}{URL}")
    page.wait_for_selector("#cohorts-chart[data-drawn]")
    page.wait_for_selector("#recurring-chart[data-drawn]")
    assert page.get_attribute("#cohorts-chart", "data-drawn") == "yes"
    assert page.get_attribute("#recurring-chart", "data-drawn") == "yes"
    assert page.locator("[data-figure=downgraded]").inner_text() == "2"
    assert page.locator("#cohorts").is_visible() and page.locator("#recurring").is_visible()
    assert _fits(page, "donors")
    # Each chart downloads: its table as a CSV, the drawing as a PNG.
    downloads_check(page, chart="cohorts-chart", table="cohorts", name="donors-cohorts")
    downloads_check(page, chart="recurring-chart", table="recurring", name="donors-recurring")

    page.locator("[data-figure=downgraded] a").click()
    page.wait_for_url("**/analytics/donors/downgraded/**")
    rows = page.locator("#changed tbody tr")
    assert rows.count() == 2 and "Ann Lark" in rows.first.inner_text()
    assert _fits(page, "downgraded")

    # Ben's segment beside the previous period, chosen on the phone: his cluster's figures only.
    page.goto(f"{live_server.url}{URL}")
    page.select_option("#id_segment", label="Ben")
    page.select_option("#id_compare", "previous")
    page.get_by_role("button", name="Show").click()
    page.wait_for_selector("#totals [data-compared=net_cents]")
    assert page.locator("#totals [data-compared=net_cents] td").all_inner_texts() == [
        "$45.00",
        "$30.00",
        "+$15.00 (+50%)",
    ]
    assert page.locator("[data-figure=downgraded]").inner_text() == "0"
    assert page.locator("#scope").is_visible()
    assert _fits(page, "donors-segment")
    page.locator("[data-figure=upgraded] a").click()
    page.wait_for_url("**/analytics/donors/upgraded/**")
    assert page.locator("#changed tbody tr").count() == 1
