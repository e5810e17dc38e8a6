"""The People dashboard in a real headless Chromium on a phone: the charts drawn from the
server's specs, the tables beside them, the range filter, nothing wider than the screen."""

from __future__ import annotations

import pytest

from groundswell.analytics.tests.downloads import downloads_check
from groundswell.analytics.tests.people_dataset import list_build
from groundswell.core.tests.browser import PHONE, phone_fits, staff_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

_fits = phone_fits("analytics")


def test_the_people_dashboard_on_a_phone(page, live_server, make_user, extract_file):
    from groundswell.analytics.tests.test_filters import snapshot

    people = list_build()
    snapshot("A and C", people["A"], people["C"])
    make_user("organizer", username="orla")
    page.set_viewport_size(PHONE)
    staff_login(page, live_server, "orla", "/analytics/")
    page.get_by_role("link", name="People and list health").click()
    page.wait_for_url("**/analytics/people/")
    assert page.get_by_text("No mailings started in this range yet.").is_visible()
    page.fill("#id_start", "2026-01-01")
    page.fill("#id_end", "2026-02-28")
    page.select_option("#id_grain", "month")
    page.get_by_role("button", name="Show").click()
    page.wait_for_selector("#growth-chart[data-drawn]")
    for chart in ("growth", "churn", "ladder"):
        page.wait_for_selector(f"#{chart}-chart[data-drawn]")
        assert page.get_attribute(f"#{chart}-chart", "data-drawn") == "yes", chart
    assert page.locator("#totals-growth [data-figure=people]").inner_text() == "3"
    assert page.locator("#growth tbody tr").count() == 2
    assert page.get_by_role("table").first.is_visible()
    assert _fits(page, "people")
    for chart in ("growth", "churn", "ladder"):
        downloads_check(page, chart=f"{chart}-chart", table=chart, name=f"people-{chart}")

    # A segment and the previous period: the comparison table, on the phone's width. A and C
    # are both new in January–February; nobody was new in the 59 days before.
    page.select_option("#id_segment", label="A and C")
    page.select_option("#id_compare", "previous")
    page.get_by_role("button", name="Show").click()
    page.wait_for_selector("#compared")
    assert page.locator("#scope").inner_text().startswith("List growth, churn")
    assert page.locator("#compared [data-compared=people] td").all_inner_texts() == [
        "2",
        "0",
        "+2",
    ]
    assert _fits(page, "people-compared")

    page.fill("#id_start", "2026-03-01")
    page.get_by_role("button", name="Show").click()
    page.wait_for_selector("#range-errors")
    assert "on or before its last day" in page.locator("#range-errors").inner_text()
    assert _fits(page, "people-refused")
