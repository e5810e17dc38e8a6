"""The overview in a real headless Chromium on a phone: the chart drawn from the server's spec,
the figures beside it, nothing wider than the screen; an organizer's page has no money."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from groundswell.analytics.tests.dataset import gift
from groundswell.core.tests.browser import PHONE, phone_fits, staff_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


_fits = phone_fits("analytics")


def test_the_overview_on_a_phone(page, live_server, make_user, extract_file):
    now = timezone.now()
    # Today in New York: five minutes ago, but never before local midnight (CI met this at
    # 00:03 in New York, 05:03 UTC, when five minutes ago was yesterday).
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    gift(max(now - timedelta(minutes=5), midnight), 2500, "Ada", "Brook")
    gift(now - timedelta(days=40), 10_000, "Bo", "Carr")
    gift(now - timedelta(days=100), 555_555_555, "Cy", "Dove")
    lapsed = gift(now.replace(year=now.year - 1, month=6, day=15), 7_500, "Dee", "Elm")
    make_user("finance", username="fenna")
    make_user("organizer", username="orla")
    page.set_viewport_size(PHONE)
    staff_login(page, live_server, "fenna", "/analytics/")
    page.wait_for_selector("#chart-range[data-drawn]")
    assert page.get_attribute("#chart-range", "data-drawn") == "yes"
    assert page.locator("#period-1 [data-figure=net]").inner_text() == "$25.00"
    assert page.get_by_role("table").first.is_visible()
    assert page.get_by_text("Figures as of").is_visible()
    assert _fits(page, "finance")

    page.get_by_role("link", name="LYBUNT donors").click()
    page.wait_for_url("**/analytics/lapsed/lybunt/")
    row = page.locator("#lapsed tbody tr")
    assert row.count() == 1 and "Dee Elm" in row.inner_text()
    assert lapsed.donor_given_name == "Dee"
    assert _fits(page, "lybunt")

    page.context.clear_cookies()
    staff_login(page, live_server, "orla", "/analytics/")
    page.wait_for_selector("#chart-range[data-drawn]")
    assert page.locator("#period-1 [data-figure=donors]").inner_text() == "1"
    assert "$" not in page.locator("main").inner_text()
    assert _fits(page, "organizer")


def test_each_chart_downloads_as_a_real_png_under_the_staff_policy(
    page, live_server, make_user, extract_file
):
    """vega's toImageURL makes the PNG in the page (no inline script: the policy holds), and
    the CSV link beside it answers with the table's rows."""
    now = timezone.localtime()
    gift(now - timedelta(days=3), 2500, "Ada", "Brook")
    gift(now - timedelta(days=40), 10_000, "Bo", "Carr")
    make_user("finance", username="fenna")
    refused: list[str] = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.set_viewport_size(PHONE)
    staff_login(page, live_server, "fenna", "/analytics/")
    page.wait_for_selector("#chart-range[data-drawn]")
    assert page.get_attribute("#chart-range", "data-drawn") == "yes"
    button = page.locator('[data-png-for="chart-range"]')
    assert button.is_visible()
    with page.expect_download() as info:
        button.click()
    download = info.value
    assert download.suggested_filename == "range.png"
    data = Path(download.path()).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 1000
    with page.expect_download() as info:
        page.locator("#h-range ~ .downloads a", has_text="Download CSV").click()
    text = Path(info.value.path()).read_text()
    assert text.splitlines()[0].startswith("Month,Net ($)") and "125.00" not in text
    assert "100.00" in text and "25.00" in text
    assert refused == []
    assert _fits(page, "downloads")
