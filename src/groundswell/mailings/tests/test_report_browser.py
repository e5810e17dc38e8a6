"""The mailing report on a phone in a real headless Chromium: every figure shown, nothing wider
than the screen, no script refused by the content security policy."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from groundswell.core.tests.browser import PHONE, SHOTS
from groundswell.mailings.models import Delivery, Engagement, MailingStatus
from groundswell.mailings.tests.conftest import person_make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_sender_reads_the_mailing_report_on_a_phone(page, live_server, mailing_make, make_user):
    mailing = mailing_make(status=MailingStatus.SENT, refcode="spring-phone")
    for n in range(3):
        person = person_make(f"reader{n}@one.example")
        delivery = Delivery.objects.create(
            mailing=mailing,
            person=person,
            address=person.primary_email,
            state="sent",
            sent_at=timezone.now() - timedelta(hours=1),
        )
        if n < 2:
            Engagement.objects.create(
                delivery=delivery, mailing=mailing, person=person, kind="open", hit_class="human"
            )
    make_user("organizer", username="orla")
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/accounts/login/?next=/mailings/{mailing.pk}/")
    page.fill("#id_username", "orla")
    page.fill("#id_password", "pw-for-tests-1")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/mailings/{mailing.pk}/")
    report = page.locator("#mailing-report")
    assert report.locator('[data-figure="sent"]').inner_text() == "3"
    assert report.locator('[data-figure="opened"]').inner_text() == "2"
    assert "66.7%" in report.inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "mailing-report-phone.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert not errors, errors
