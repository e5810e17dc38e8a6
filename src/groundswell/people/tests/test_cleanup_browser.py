"""The person page's clean-up in a real headless Chromium, on a laptop and on a phone: merge two
records of one supporter, read what the merge did, delete the ZIP-only address it left twice,
choose the primary e-mail, and erase a person who asked to be forgotten."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from groundswell.core.tests.browser import SHOTS
from groundswell.people.models import Person, PostalAddress
from groundswell.people.tests.factories import person_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"laptop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def _shot(page, name: str) -> bool:
    """Save a full-page screenshot; True when nothing is wider than the screen."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"cleanup-{name}.png"), full_page=True)
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _log_in(page, live_server, username: str, url: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/?next={url}")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-for-tests-1")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}{url}")


@pytest.mark.parametrize("size", ["laptop", "phone"])
def test_staff_merge_two_records_and_clean_up_the_contact_details(
    page, live_server, make_user, size
):
    kept = person_create(
        given_name="Rosalind", family_name="Fernhollow", email="rosalind@example.org",
        postal_code="19104", state="", address_line1="", city="",
    )  # fmt: skip
    other = person_create(
        given_name="Rosalind", family_name="Fernhollow", email="r.fernhollow@example.org",
        postal_code="19104", state="PA", address_line1="", city="",
    )  # fmt: skip
    make_user("admin", username="ada")
    page.set_viewport_size(SIZES[size])
    _log_in(page, live_server, "ada", f"/people/{kept.pk}/merge/{other.pk}/")

    page.get_by_role("button", name="Merge these two people").click()
    page.wait_for_url(f"{live_server.url}/people/{kept.pk}/")
    message = page.locator(".messages")
    assert message.get_by_text(f"Merged #{other.pk}").is_visible()
    assert "delete a duplicate or choose the primary" in message.inner_text()
    addresses = list(PostalAddress.objects.filter(person=kept).order_by("id"))
    assert len(addresses) == 2
    contact = page.locator("section[aria-labelledby=h-contact]")
    assert contact.get_by_text("19104").count() == 2
    assert _shot(page, f"merged-{size}")

    # The merged-in duplicate ("PA 19104"): each Delete names what it deletes.
    page.get_by_role("link", name="Delete PA 19104").click()
    expect(page.get_by_role("heading", name="Delete this postal address?")).to_be_visible()
    assert _shot(page, f"confirm-{size}")
    page.get_by_role("button", name="Delete postal address").click()
    page.wait_for_url(f"{live_server.url}/people/{kept.pk}/")
    assert page.locator(".messages").get_by_text("Deleted").is_visible()
    assert contact.get_by_text("19104").count() == 1
    assert PostalAddress.objects.filter(person=kept).count() == 1

    page.get_by_role("button", name="Make primary: r.fernhollow@example.org").click()
    page.wait_for_url(f"{live_server.url}/people/{kept.pk}/")
    assert page.locator(".messages").get_by_text("is now the primary one").is_visible()
    kept.refresh_from_db()
    assert kept.primary_email == "r.fernhollow@example.org"
    assert _shot(page, f"cleaned-{size}")


def test_an_admin_erases_a_supporter_on_a_phone(page, live_server, make_user):
    person = person_create(
        given_name="Thaddeus", family_name="Marrowby", email="thaddeus@example.org"
    )
    make_user("admin", username="ada")
    page.set_viewport_size(SIZES["phone"])
    _log_in(page, live_server, "ada", f"/people/{person.pk}/")
    page.get_by_role("link", name="Delete or erase…").click()
    assert _shot(page, "remove-phone")
    page.get_by_role("radio", name="Erase their personal data").check()
    page.get_by_label("Reason").fill("Asked to be forgotten, e-mail of 4 Dec")
    page.get_by_label("I understand this cannot be undone").check()
    page.get_by_role("button", name="Do it").click()
    page.wait_for_url(f"{live_server.url}/people/{person.pk}/")
    assert page.get_by_role("heading", name="Erased person").is_visible()
    assert page.get_by_text("Thaddeus").count() == 0
    assert _shot(page, "erased-phone")
    assert Person.objects.get(pk=person.pk).erased_at is not None


@pytest.mark.parametrize("size", ["laptop", "phone"])
def test_staff_filter_by_two_tags_and_tag_everyone_the_list_matches(
    page, live_server, make_user, size
):
    for name, tags in (("Ambrose", "host, canvasser"), ("Bettany", "host"), ("Cosimo", "")):
        person_create(given_name=name, family_name="Listwise", tags=tags, state="OH")
    make_user("organizer", username="orla")
    page.set_viewport_size(SIZES[size])
    _log_in(page, live_server, "orla", "/people/")
    page.get_by_text("Tags: any").click()
    page.get_by_label("host").check()
    page.get_by_label("canvasser").check()
    page.get_by_label("People with").select_option("all")
    expect(page.get_by_text("Tags: 2 chosen")).to_be_visible()
    results = page.locator("#results")
    results.get_by_text("Ambrose").wait_for()
    # A locator wait, not wait_for_function: the staff pages' CSP forbids evaluating strings.
    expect(results.get_by_text("Bettany")).to_have_count(0)
    assert results.get_by_text("Cosimo").count() == 0
    assert _shot(page, f"list-tags-{size}")

    results.get_by_role("link", name="Tag all…", exact=True).click()
    expect(page.get_by_role("heading", name="Change 1 person")).to_be_visible()
    page.get_by_label("Tag", exact=True).fill("door knockers")
    assert _shot(page, f"bulk-{size}")
    page.get_by_role("button", name="Apply to 1 person").click()
    page.wait_for_url(f"{live_server.url}/people/?**")
    assert page.locator(".messages").get_by_text("Tagged 1 person “door knockers”").is_visible()
    assert list(
        Person.objects.filter(taggings__tag__name="door knockers").values_list(
            "given_name", flat=True
        )
    ) == ["Ambrose"]
