"""The staff lists' search-as-you-type in a real Chromium: which field changes send a search.

A typed field searches as it is typed. Its "change" comes only when it loses focus, which is
also when a staff member taps a result; a search sent then pushed its address over the person
page being opened (seen as a tap that went nowhere). Lists, boxes and dates search when they
change, every one of them, not only the form's first list.
"""

from __future__ import annotations

import pytest

from groundswell.core.tests.browser import staff_login
from groundswell.donations.finance.tests.finance_data import gift
from groundswell.people.tests.factories import person_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Counts the searches htmx sends from the page, whatever their outcome.
COUNT_SEARCHES = """
window.__searches = [];
document.addEventListener("htmx:beforeRequest", (e) => {
  window.__searches.push(e.detail.requestConfig.path);
});
"""


def test_leaving_the_typed_search_sends_nothing_and_a_tapped_name_opens(
    page, live_server, make_user
):
    rosa = person_create(
        given_name="Rosalind", family_name="Featherstonehaugh", email="r@example.org", state="CA"
    )
    for index in range(3):
        person_create(email=f"neighbour{index}@example.org", state="NY")
    make_user("organizer", username="olivia")
    page.add_init_script(COUNT_SEARCHES)
    staff_login(page, live_server, "olivia", "/people/")
    page.fill("#id_q", "feather")
    page.wait_for_url("**/people/?q=feather*")
    page.wait_for_selector("#results >> text=Rosalind Featherstonehaugh")
    assert len(page.evaluate("window.__searches")) == 1

    # Leaving the field fires its "change"; then a list changes, which must search (once).
    page.locator("#id_q").blur()
    with page.expect_response(lambda r: "state=CA" in r.url):
        page.select_option("#id_state", "CA")
    searches = page.evaluate("window.__searches")
    assert len(searches) == 2, searches

    page.click("#results >> text=Rosalind Featherstonehaugh")
    page.wait_for_url(f"{live_server.url}/people/{rosa.pk}/")
    assert page.locator("h1").inner_text() == "Rosalind Featherstonehaugh"


def test_every_list_of_the_contribution_filters_searches_and_so_does_a_typed_refcode(
    page, live_server, make_user
):
    from django.utils import timezone

    gift(2_700, when=timezone.now(), refcode="email-oct")
    gift(500, when=timezone.now(), refcode="sms-gotv")
    make_user("finance", username="fiona")
    staff_login(page, live_server, "fiona", "/finance/contributions/")
    # Not the form's first list: "change from:find select" used to hear only the first.
    option = page.locator("#id_sort option").nth(1).get_attribute("value")
    with page.expect_response(lambda r: f"sort={option}" in r.url):
        page.select_option("#id_sort", option)
    # A typed filter other than the search box searches as it is typed.
    with page.expect_response(lambda r: "refcode=sms-gotv" in r.url):
        page.fill("#id_refcode", "sms-gotv")
    page.wait_for_selector("#results >> text=sms-gotv")
    assert "email-oct" not in page.locator("#results").inner_text()
