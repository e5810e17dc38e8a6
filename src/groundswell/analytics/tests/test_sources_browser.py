"""The sources page and the spend page in a real headless Chromium on a phone: the chart drawn
from the server's spec, the tables beside it, nothing wider than the screen."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from groundswell.actions.models import ActionPage, Exposure, PageVariant
from groundswell.analytics.sources.models import AdSpend
from groundswell.analytics.tests.dataset import gift
from groundswell.analytics.tests.downloads import downloads_check
from groundswell.core.tests.browser import PHONE, phone_fits, staff_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

_fits = phone_fits("analytics")


def test_the_sources_page_on_a_phone(page, live_server, make_user, extract_file):
    from groundswell.analytics.tests.test_filters import snapshot
    from groundswell.people.models import Person

    now = timezone.now()
    ada = Person.objects.create(given_name="Ada", family_name="Brook")
    snapshot("Ada", ada)
    gift(now - timedelta(hours=2), 2500, "Ada", "Brook", refcode="email-0412", person=ada)
    gift(now - timedelta(days=3), 555_555_555, "Cy", "Dove", refcode="ads-display-retarget-long")
    gift(now - timedelta(days=4), 1_000, "Bo", "Carr", refcode="fb-spring")
    today = timezone.localdate()
    AdSpend.objects.create(
        refcode="ads",
        match="prefix",
        start=today - timedelta(days=9),
        end=today,
        amount_cents=123_456_78,
    )
    action = ActionPage.objects.create(
        slug="br-join", title="Join the campaign for clean water and fair wages", headline="Join"
    )
    variant = PageVariant.objects.create(page=action, name="Shorter headline")
    Exposure.objects.create(variant=variant, visitor="v1")
    make_user("finance", username="fenna")
    make_user("organizer", username="orla")
    page.set_viewport_size(PHONE)
    staff_login(page, live_server, "fenna", "/analytics/")
    page.get_by_role("link", name="Sources and refcodes").click()
    page.wait_for_url("**/analytics/sources/")
    page.wait_for_selector("#sources-chart[data-drawn]")
    assert page.get_attribute("#sources-chart", "data-drawn") == "yes"
    assert page.locator("#sources tbody tr").count() == 3
    assert page.locator("#spend [data-figure=cost]").inner_text() == "$123,456.78"
    assert _fits(page, "sources-finance")
    rows = downloads_check(page, chart="sources-chart", table="sources", name="sources")
    assert any("$" in cell for row in rows for cell in row)

    # Ada's segment beside the previous 30 days: the totals table, on the phone's width.
    page.select_option("#id_segment", label="Ada")
    page.select_option("#id_compare", "previous")
    page.get_by_role("button", name="Show").click()
    page.wait_for_selector("#totals")
    assert page.locator("#totals [data-compared=net_cents] td").all_inner_texts() == [
        "$25.00",
        "$0.00",
        "+$25.00",
    ]
    assert page.locator("#sources tbody tr").count() == 1
    assert _fits(page, "sources-segment")

    page.get_by_role("link", name="Ad spend").first.click()
    page.wait_for_url("**/analytics/sources/spend/")
    assert page.locator("#spend-entries tbody tr").count() == 1
    assert _fits(page, "spend")

    page.context.clear_cookies()
    staff_login(page, live_server, "orla", "/analytics/sources/")
    # By refcode: those on gifts alone are finance data, and no sign-up carried one.
    assert page.get_by_text("Nothing came in over these days").is_visible()
    page.select_option("#id_by", "channel")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/analytics/sources/?*by=channel*")
    page.wait_for_selector("#sources-chart[data-drawn]")
    assert page.locator("#sources tbody tr").count() == 3
    assert page.locator("#sources [data-figure=donors]").first.inner_text() == "1"
    assert "$" not in page.locator("main").inner_text()
    rows = downloads_check(page, chart="sources-chart", table="sources", name="sources")
    assert not any("$" in cell for row in rows for cell in row)  # the organizer's table
    assert _fits(page, "sources-organizer")
