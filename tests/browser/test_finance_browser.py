"""The finance pages in a real headless Chromium: the overview's chart, the contribution list,
a refund, a donor's history and the exports, on a phone and on a desktop screen."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from groundswell.donations.finance.tests.finance_data import at, gift, series
from groundswell.donations.models import Processor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SHOTS = Path(
    os.environ.get("GROUNDSWELL_SCREENSHOTS")
    or Path(tempfile.gettempdir()) / "groundswell-screenshots"
)
PASSWORD = "pw-for-tests-1"


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # West of Greenwich, where a date read as UTC midnight would fall on the day before.
    return {**browser_context_args, "timezone_id": "America/Los_Angeles"}


@pytest.fixture
def shots() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


@pytest.fixture
def money():
    """A month of synthetic gifts: mostly small, a few returning donors, two refcodes."""
    today = timezone.localdate()
    amounts = [500, 1_000, 2_700, 2_500, 5_000, 1_500, 10_000, 2_700, 300, 25_000]
    for index in range(45):
        day = today - timedelta(days=index % 28)
        gift(
            amounts[index % len(amounts)],
            when=at(day, 9 + index % 10),
            refcode=("email-oct" if index % 3 else "sms-gotv"),
            donor_key=f"n:returning|{index % 15}|43215" if index % 2 else None,
        )
    series(2_500)
    return gift(
        27_500,
        when=at(today, 8),
        processor=Processor.ACTBLUE,
        donor_given_name="Theodora",
        donor_family_name="Vanderkleij",
        donor_email="theodora.vanderkleij@example.org",
        donor_key="n:vanderkleij|theodora|43215",
        refcode="email-oct",
    )


def _login(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/?next=/finance/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/finance/")


def _no_horizontal_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_finance_staff_read_the_overview_and_refund_a_gift_on_a_phone(
    page, live_server, make_user, money, shots
):
    make_user("finance", username="fiona")
    page.set_viewport_size(PHONE)
    _login(page, live_server, "fiona")
    # The vendored vega-embed draws the chart as SVG; no request leaves for a CDN.
    page.wait_for_selector("#by-day-chart[data-drawn=yes] svg")
    assert "$" in page.inner_text("#net-raised")
    assert _no_horizontal_overflow(page)
    page.screenshot(path=str(shots / "finance-phone-home.png"), full_page=True)

    # Each bar sits on its own day, whatever the browser's time zone (here, Los Angeles).
    today_label = timezone.localdate().strftime("%b ") + str(timezone.localdate().day)
    page.hover("#by-day-chart svg .mark-rect path:last-child")
    page.wait_for_selector(f"#vg-tooltip-element:has-text('{today_label},')")

    page.click("text=Show the numbers as a table")
    assert page.locator("#by-day-table tbody tr").count() == 30

    page.goto(f"{live_server.url}/finance/contributions/")
    page.fill("#id_q", "theo vander")
    page.click("button:has-text('Search')")
    # htmx swaps the results in and pushes the search into the address bar.
    page.wait_for_url("**/finance/contributions/?q=theo*vander*")
    page.wait_for_function("document.querySelectorAll('#results tbody tr').length === 1")
    assert _no_horizontal_overflow(page)
    page.screenshot(path=str(shots / "finance-phone-list.png"), full_page=True)

    page.click("#results a:has-text('Theodora Vanderkleij')")
    page.wait_for_selector("h1:has-text('Theodora Vanderkleij')")
    assert _no_horizontal_overflow(page)
    page.fill("#id_amount", "75.00")
    page.fill("#id_reason", "Donor asked by phone")
    page.click("#refund-form button[type=submit]")
    page.wait_for_selector("text=Recorded a refund of $75.00")
    assert "Partially refunded" in page.content()
    assert _no_horizontal_overflow(page)
    page.screenshot(path=str(shots / "finance-phone-detail.png"), full_page=True)

    page.click("text=Donor's giving history")
    page.wait_for_selector("h2:has-text('Per cycle')")
    assert _no_horizontal_overflow(page)
    page.screenshot(path=str(shots / "finance-phone-donor.png"), full_page=True)

    page.goto(f"{live_server.url}/finance/exports/schedule-a/")
    assert _no_horizontal_overflow(page)


def test_the_finance_pages_and_exports_on_a_desktop(page, live_server, make_user, money, shots):
    make_user("admin", username="ada")
    page.set_viewport_size(DESKTOP)
    _login(page, live_server, "ada")
    page.wait_for_selector("#by-day-chart[data-drawn=yes] svg")
    assert _no_horizontal_overflow(page)
    page.screenshot(path=str(shots / "finance-desktop-home.png"), full_page=True)

    page.goto(f"{live_server.url}/finance/contributions/?refcode=sms-gotv")
    assert _no_horizontal_overflow(page)
    page.screenshot(path=str(shots / "finance-desktop-list.png"), full_page=True)
    with page.expect_download() as download:
        page.click("text=Export CSV")
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert rows and {row["refcode"] for row in rows} == {"sms-gotv"}

    page.goto(f"{live_server.url}/finance/exports/schedule-a/")
    assert _no_horizontal_overflow(page)
    page.screenshot(path=str(shots / "finance-desktop-schedule-a.png"), full_page=True)
    today = timezone.localdate()
    page.fill("#id_start", (today - timedelta(days=40)).isoformat())
    page.fill("#id_end", today.isoformat())
    with page.expect_download() as download:
        page.click("button:has-text('Download CSV')")
    lines = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    # Theodora gave $275 in one gift: itemized; the returning donors passed $200 too.
    assert any(row["contributor_last_name"] == "Vanderkleij" for row in lines)
    assert all(row["form_type"] == "SA11AI" for row in lines)

    page.goto(f"{live_server.url}/accounts/audit/")
    assert "itemized receipt" in page.content()
    assert "contribution" in page.content()


# Every figure (or card value) whose text is wider than its own box: it would spill out of its
# card or be cut off. Read by Chromium's layout, so fonts and grid widths are the real ones.
_SPILLING = """
sel => [...document.querySelectorAll(sel)]
  .filter(el => el.scrollWidth > el.clientWidth + 1)
  .map(el => el.textContent.trim())
"""


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_nine_digit_dollar_figures_fit_their_cards(page, live_server, make_user, size, shots):
    # A national campaign's quarter: $123,456,789.01 raised, each figure at its widest.
    gift(12_345_678_901, when=at(timezone.localdate(), 9), refcode="email-oct")
    gift(98_765_432_109, when=at(timezone.localdate(), 10), refcode="sms-gotv")
    make_user("finance", username="fenna")
    page.set_viewport_size(size)
    _login(page, live_server, "fenna")
    assert "$1,111,111,110.10" in page.locator(".figures").first.inner_text()
    assert page.evaluate(_SPILLING, ".figure .n, .figure .d") == []
    assert _no_horizontal_overflow(page)
    page.screenshot(path=str(shots / f"finance-big-figures-{size['width']}.png"), full_page=True)
    page.goto(f"{live_server.url}/home/")
    assert page.evaluate(_SPILLING, ".home-cell .n, .home-cell .d") == []
    assert _no_horizontal_overflow(page)
    page.screenshot(path=str(shots / f"home-big-figures-{size['width']}.png"), full_page=True)
