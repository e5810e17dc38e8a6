"""The staff pages' Content-Security-Policy in a real Chromium: htmx and the vendored charts
work under it and nothing is blocked; the public pages carry none."""

from __future__ import annotations

import pytest

from groundswell.core.tests.browser import staff_login
from groundswell.donations.finance.tests.finance_data import gift
from groundswell.people.tests.factories import person_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Chromium reports every blocked script, style, eval or request as this DOM event.
WATCH = """
window.__blocked = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__blocked.push(e.violatedDirective + " " + (e.blockedURI || "") + " " + e.sourceFile);
});
"""


@pytest.fixture
def watched(page):
    page.add_init_script(WATCH)
    messages = []
    page.on("console", lambda message: messages.append(f"{message.type}: {message.text}"))
    page.messages = messages
    return page


def blocked(page) -> list[str]:
    csp_console = [m for m in page.messages if "Content Security Policy" in m]
    return page.evaluate("window.__blocked") + csp_console


def test_the_finance_chart_draws_under_the_policy(watched, live_server, make_user):
    from django.utils import timezone

    for amount in (500, 2_700, 10_000):
        gift(amount, when=timezone.now())
    make_user("finance", username="fiona")
    staff_login(watched, live_server, "fiona", "/finance/")
    watched.wait_for_selector("#by-day-chart[data-drawn=yes] svg")
    assert blocked(watched) == []
    response = watched.request.get(f"{live_server.url}/finance/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-eval" not in policy


def test_htmx_searches_and_swaps_under_the_policy(watched, live_server, make_user):
    person_create(given_name="Rosalind", family_name="Featherstonehaugh", email="r@example.org")
    for index in range(3):
        person_create(email=f"neighbour{index}@example.org")
    make_user("organizer", username="olivia")
    staff_login(watched, live_server, "olivia", "/people/")
    # One letter does not search (the list would not narrow); the second does.
    watched.fill("#id_q", "f")
    watched.wait_for_timeout(800)
    assert "q=" not in watched.url
    watched.fill("#id_q", "feather")
    watched.wait_for_url("**/people/?q=feather*")
    watched.wait_for_selector("#results >> text=Rosalind Featherstonehaugh")
    assert watched.locator("#results tbody tr").count() == 1
    assert blocked(watched) == []


def test_the_public_pages_have_no_policy_and_still_run_their_scripts(watched, live_server):
    from groundswell.demo.actions_site import campaign_site_seed

    campaign_site_seed(seed=3)
    response = watched.goto(f"{live_server.url}/a/join/")
    assert "content-security-policy" not in response.headers
    staff = watched.request.get(f"{live_server.url}/accounts/login/")
    assert "frame-ancestors 'none'" in staff.headers["content-security-policy"]
    assert blocked(watched) == []


def test_a_filter_that_submits_on_change_works_without_an_inline_handler(
    watched, live_server, make_user
):
    make_user("finance", username="fiona")
    staff_login(watched, live_server, "fiona", "/finance/webhooks/")
    option = watched.locator("#status option").nth(1).get_attribute("value")
    watched.select_option("#status", option)
    watched.wait_for_url(f"**/finance/webhooks/?status={option}")
    assert blocked(watched) == []
