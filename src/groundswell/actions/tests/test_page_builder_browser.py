"""The new-page form in a real headless Chromium, on a laptop and on a phone: the address
follows the title as it is typed (a static script; the page runs no inline script), the
common fields are shown, the page is created as a draft and published from its page."""

from __future__ import annotations

import pytest

from groundswell.actions.models import ActionPage
from groundswell.core.tests.browser import PASSWORD, SHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width,height,name", [(1280, 900, "laptop"), (390, 844, "phone")])
def test_staff_write_a_title_see_the_address_follow_create_a_draft_and_publish_it(
    page, live_server, make_user, width, height, name
):
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.set_viewport_size({"width": width, "height": height})
    make_user("organizer", username="orla")
    page.goto(f"{live_server.url}/accounts/login/?next=/pages/new/")
    page.fill("#id_username", "orla")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/pages/new/")

    page.locator("#id_title").press_sequentially("Save Élm Park, now!")
    assert page.locator("#id_slug").input_value() == "save-elm-park-now"
    for field in ("given_name", "family_name", "postal_code"):
        assert page.locator(f"#id_field_{field}").input_value() == "optional"
    assert page.locator("#id_field_mobile_phone").input_value() == "hidden"
    assert not page.locator("#id_published").is_checked()
    # An address typed by hand is not overwritten by later edits of the title.
    page.fill("#id_slug", "park")
    page.fill("#id_title", "Save Élm Park, now! Today")
    assert page.locator("#id_slug").input_value() == "park"
    page.fill("#id_slug", "")
    page.fill("#id_headline", "Save the park")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"page-new-{name}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_role("button", name="Create page").click()
    page.wait_for_url("**/pages/*/")
    created = ActionPage.objects.get()
    # Emptied by hand: the server made the address from the title.
    assert created.slug == "save-elm-park-now-today"
    assert not created.published
    assert page.get_by_text("as a draft").is_visible()
    page.screenshot(path=str(SHOTS / f"page-draft-{name}.png"), full_page=True)
    page.get_by_role("button", name="Publish").click()
    page.wait_for_selector("text=is published")
    created.refresh_from_db()
    assert created.published
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
