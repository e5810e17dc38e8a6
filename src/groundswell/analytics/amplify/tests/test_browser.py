"""Amplify in a real headless Chromium on a phone: an organizer writes a post, a volunteer
finds it with their own link, a friend follows the link to the petition; nothing is wider
than the screen (axe-core checks every page)."""

from __future__ import annotations

import pytest

from groundswell.actions.models import ActionPage
from groundswell.analytics.amplify.models import LinkClick, ShareLink
from groundswell.core.tests.browser import PHONE, phone_fits, staff_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1"


_fits = phone_fits("amplify")


def test_a_post_is_written_shared_and_followed_on_a_phone(page, live_server, make_user):
    ActionPage.objects.create(
        kind="petition",
        slug="clean-river",
        title="Clean the river",
        headline="Clean the river",
        button_text="Sign",
        fields={"given_name": "required"},
        published=True,
    )
    make_user("organizer", username="orla")
    make_user("volunteer", username="vic")
    page.set_viewport_size(PHONE)

    staff_login(page, live_server, "orla", "/analytics/amplify/posts/new/")
    page.fill("#id_text", "Our river deserves better. Sign today.")
    page.select_option("#id_target", "/a/clean-river/")
    page.fill("#id_hashtags", "#CleanRiver")
    assert _fits(page, "post-form")
    page.click("button:has-text('Save post')")
    page.wait_for_url("**/analytics/amplify/posts/")
    assert "Our river deserves better." in page.inner_text("main")
    assert _fits(page, "post-list")

    page.context.clear_cookies()
    staff_login(page, live_server, "vic", "/analytics/amplify/")
    assert page.get_by_role("button", name="Share on X (Twitter)").is_visible()
    assert page.get_by_role("button", name="Share on WhatsApp").is_visible()
    link = page.get_by_label("Your link, to paste anywhere").input_value()
    code = ShareLink.objects.get().code
    assert link == f"{live_server.url}/s/{code}/"
    assert _fits(page, "share")

    page.context.clear_cookies()
    page.goto(link)
    page.wait_for_url(f"**/a/clean-river/?refcode=amp-{code}")
    assert page.locator("input[name=refcode]").input_value() == f"amp-{code}"
    # Headless Chromium says so in its user agent: a bot, not counted; a phone's browser is.
    assert LinkClick.objects.count() == 0
    page.set_extra_http_headers({"User-Agent": PHONE_BROWSER})
    page.goto(link)
    page.wait_for_url(f"**/a/clean-river/?refcode=amp-{code}")
    assert LinkClick.objects.count() == 1
    page.set_extra_http_headers({})

    staff_login(page, live_server, "vic", "/analytics/amplify/leaderboard/")
    assert "vic" in page.inner_text("main")
    assert _fits(page, "leaderboard")
