"""The composer in a real headless Chromium: a staff member writes a mailing, the content
check refuses an unknown merge field with its line, they preview it as a supporter and send
themselves a test over a real SMTP server on loopback; at 1280 and 390 pixels wide nothing is
wider than the screen and no script is refused by the content security policy."""

from __future__ import annotations

import email
from email import policy

import pytest

from groundswell.core.tests.browser import fits, shot
from groundswell.mailings.models import Delivery, Engagement, Mailing
from groundswell.mailings.tests.conftest import person_make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
BODY_WITH_TYPO = (
    '<p>Dear {{ first_name|default:"Friend" }},</p>\n'
    "<p>Thank you for standing with us.</p>\n"
    "<p>See you in {{ cty }}.</p>"
)


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_staff_member_composes_checks_previews_and_tests_a_mailing(
    page, live_server, smtp_sink, sender, everyone, make_user, size
):
    person_make("ada.lovelace@one.example", given_name="Ada", state="OH")
    make_user("organizer", username="orla")
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.set_viewport_size(WIDTHS[size])
    page.goto(f"{live_server.url}/accounts/login/?next=/mailings/new/")
    page.fill("#id_username", "orla")
    page.fill("#id_password", "pw-for-tests-1")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/mailings/new/")

    page.fill("#id_name", "Thank-you note")
    page.select_option("#id_sender", str(sender.pk))
    page.select_option("#id_segment", str(everyone.pk))
    page.fill("#id_subject", 'Thank you, {{ first_name|default:"Friend" }}')
    page.fill("#id_html", BODY_WITH_TYPO)
    page.click("main button:has-text('Save')")
    error = page.locator(".field.has-error .error").first
    assert "HTML, line 3: unknown merge field 'cty'" in error.inner_text()
    assert not Mailing.objects.exists()
    assert fits(page)
    shot(page, f"composer-refused-{size}")

    page.fill("#id_html", BODY_WITH_TYPO.replace("{{ cty }}", '{{ state|default:"town" }}'))
    page.click("main button:has-text('Save')")
    page.wait_for_url("**/mailings/*/")
    mailing = Mailing.objects.get()
    assert fits(page)
    shot(page, f"composer-detail-{size}")

    page.click("text=Preview as a person")
    page.wait_for_url(f"**/mailings/{mailing.pk}/preview/")
    page.fill("#preview-q", "ada.lovelace@")
    page.click("form[role=search] button[type=submit]")
    page.click("#preview-results a")
    page.wait_for_url("**/preview/?*person=*")
    assert page.locator("#preview-subject").inner_text() == "Thank you, Ada"
    frame = page.frame_locator("iframe.preview-frame")
    assert "See you in OH." in frame.locator("body").inner_text()
    assert "Dear Ada," in page.locator("#preview-text").inner_text()
    assert fits(page)
    shot(page, f"composer-preview-{size}")
    assert not Delivery.objects.exists() and not Engagement.objects.exists()

    page.click("text=Back")
    page.click("text=Send me a test")
    assert "A test was sent to orla@staff.example.org" in page.locator("body").inner_text()
    (message,) = [
        email.message_from_bytes(raw, policy=policy.default) for *_, raw in smtp_sink.received
    ]
    assert message["To"] == "orla@staff.example.org"
    assert message["Subject"] == "[Test] Thank you, Friend"
    assert not errors, errors
