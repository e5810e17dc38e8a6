"""A page's copy test on a phone: the decision in a sentence, each variant's interval and chance
of being best, and keeping the winner, in a real headless Chromium."""

from __future__ import annotations

import pytest

from groundswell.actions.models import ActionPage, Exposure, PageVariant, Submission

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
PASSWORD = "pw-for-tests-1"


def traffic(variant: PageVariant, *, visitors: int, sign_ups: int) -> None:
    Exposure.objects.bulk_create(
        Exposure(variant=variant, visitor=f"v{variant.pk}-{i}") for i in range(visitors)
    )
    Submission.objects.bulk_create(
        Submission(
            page=variant.page,
            variant=variant,
            token=f"t{variant.pk}-{i}",
            email=f"s{i}@example.org",
        )
        for i in range(sign_ups)
    )


def test_an_organizer_keeps_the_winning_copy_on_a_phone(page, live_server, make_user):
    make_user("organizer", username="olivia")
    action = ActionPage.objects.create(slug="schools", title="Schools", headline="Fund schools")
    original = PageVariant.objects.create(page=action, name="Original", headline="Fund schools")
    urgent = PageVariant.objects.create(page=action, name="Urgent", headline="Vote is Thursday")
    traffic(original, visitors=500, sign_ups=50)
    traffic(urgent, visitors=500, sign_ups=100)

    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "olivia")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/home/")
    page.goto(f"{live_server.url}/pages/{action.pk}/")

    decision = page.locator("#variant-decision")
    assert "Urgent converted 20.0% of visitors against 10.0% for Original" in (
        decision.inner_text()
    )
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    keep = page.get_by_role("button", name="Keep “Urgent” and stop the others")
    keep.scroll_into_view_if_needed()
    box = keep.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    keep.click()
    page.wait_for_load_state()
    assert "Kept “Urgent”: every new visitor sees it; 1 other variant stopped." in (
        page.locator(".messages").inner_text()
    )
    assert list(action.variants.filter(active=True)) == [urgent]
