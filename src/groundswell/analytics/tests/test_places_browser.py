"""Donors by place in a real headless Chromium on a phone: the map drawn from the server's spec
over the vendored atlas, its table beside it, nothing wider than the screen."""

from __future__ import annotations

import pytest

from groundswell.analytics.tests.downloads import downloads_check
from groundswell.analytics.tests.places_dataset import places_world_build
from groundswell.core.tests.browser import PHONE, phone_fits, staff_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

_fits = phone_fits("analytics")


def test_donors_by_place_on_a_phone(page, live_server, make_user, extract_file, settings):
    settings.GROUNDSWELL_ANALYTICS_MIN_BIN = 2  # this small campaign's ZIP3 areas hold two
    places_world_build()
    make_user("finance", username="fenna")
    page.set_viewport_size(PHONE)
    staff_login(page, live_server, "fenna", "/analytics/")
    page.get_by_role("link", name="Donors by place").click()
    page.wait_for_url("**/analytics/donors/places/")
    page.fill("#id_start", "2026-01-01")
    page.fill("#id_end", "2026-03-31")
    page.get_by_role("button", name="Show").click()
    page.wait_for_selector("#states-chart[data-drawn]")
    assert page.get_attribute("#states-chart", "data-drawn") == "yes"
    # 51 outlines (50 states and DC), each a path in the drawn SVG.
    assert page.locator("#states-chart svg path").count() >= 51
    assert page.locator("#states tbody td").first.text_content() == "New Hampshire"
    page.wait_for_selector("#zip3-chart[data-drawn]")
    assert page.get_attribute("#zip3-chart", "data-drawn") == "yes"
    assert page.locator("#zip3 tbody tr").count() == 3  # 054xx, 100xx and Other
    assert page.get_by_text("Figures as of").is_visible()
    assert page.locator("#states-qualifying").is_visible()
    assert _fits(page, "donors-by-place")
    downloads_check(page, chart="states-chart", table="states", name="places-states")
    zip3 = downloads_check(page, chart="zip3-chart", table="zip3", name="places-zip3")
    assert len(zip3) == 4  # the header, 054xx, 100xx and Other

    # March beside the month before, chosen on the phone: the states table compares the two.
    page.fill("#id_start", "2026-03-01")
    page.fill("#id_end", "2026-03-31")
    page.select_option("#id_compare", "previous")
    page.get_by_role("button", name="Show").click()
    page.wait_for_selector("#compared-range")
    page.wait_for_selector("#states-chart[data-drawn]")
    vermont = page.locator("#states tr[data-state=VT] td").all_inner_texts()
    assert vermont == ["Vermont", "1", "3", "-2", "$1.00", "$57.00", "-$56.00"]
    assert _fits(page, "donors-by-place-compared")
    downloads_check(page, chart="states-chart", table="states", name="places-states")
