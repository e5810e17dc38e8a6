"""The planning page in a real headless Chromium on a phone: filters, every section's tables,
nothing wider than the screen; the link from the overview."""

from __future__ import annotations

import pytest

from groundswell.analytics.planning.tests.test_variants import _mail_world, _variant_world
from groundswell.analytics.planning.tests.world import issues_world
from groundswell.core.tests.browser import PHONE, phone_fits, staff_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

_fits = phone_fits("analytics")


def test_the_planning_page_on_a_phone(
    page, live_server, make_user, extract_file, mailing_make, admin_user, forms_offline
):
    issues_world()
    _variant_world()
    _mail_world(mailing_make, admin_user)
    make_user("finance", username="fenna")
    make_user("organizer", username="orla")
    page.set_viewport_size(PHONE)
    staff_login(page, live_server, "orla", "/analytics/")
    page.get_by_role("link", name="Message planning").click()
    page.wait_for_url("**/analytics/planning/")
    assert page.get_by_role("heading", name="Platform issues").is_visible()
    assert page.locator(".issues-table").first.is_visible()
    assert page.locator(".variants-by-segment").first.is_visible()
    assert page.locator(".mail-variants").first.is_visible()
    assert _fits(page, "planning-organizer")
    assert page.locator("#id_dimension option[value=donor]").count() == 0

    page.select_option("#id_dimension", "state")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/analytics/planning/?*dimension=state*")
    assert page.get_by_role("heading", name="PA").first.is_visible()
    assert _fits(page, "planning-state")

    page.context.clear_cookies()
    staff_login(page, live_server, "fenna", "/analytics/planning/?dimension=donor")
    assert page.get_by_role("heading", name="Not donors").first.is_visible()
    assert _fits(page, "planning-finance")
