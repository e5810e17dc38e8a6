"""The event page's reminder counts in a real headless Chromium, on a phone and a desktop: the
"Reminders sent" cell of each shift is readable, nothing overflows, and axe finds no issue."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from groundswell.core.tests.axe import axe_check
from groundswell.events.models import ReminderSent
from groundswell.events.tests.conftest_staff import attendee, event_make, shift_make
from groundswell.events.tests.test_staff_roster_browser import _log_in, _shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    "size", [{"width": 390, "height": 844}, {"width": 1280, "height": 900}], ids=["phone", "desk"]
)
def test_the_event_page_shows_each_shifts_reminders_by_channel(page, live_server, make_user, size):
    event = event_make(title="Riverside canvass")
    shift = shift_make(event, capacity=5)
    people = [attendee(shift, "Quillon", "Ashgrove"), attendee(shift, "Severine", "Mottram")]
    now = timezone.now()
    for row, channel, state in (
        (people[0], "email", "sent"),
        (people[1], "email", "sent"),
        (people[0], "sms", "sent"),
        (people[1], "sms", "failed"),
    ):
        ReminderSent.objects.create(
            attendance=row, minutes_before=1440, channel=channel, state=state, sent_at=now
        )
    make_user("volunteer", username="vera")
    page.set_viewport_size(size)
    url = reverse("events_staff:detail", args=[event.pk])
    _log_in(page, live_server, "vera", url)
    cell = page.locator('td[data-label="Reminders sent"]')
    expect(cell).to_have_text("E-mail 2 · SMS 1 · 1 failed")
    expect(page.get_by_text("before each shift, by e-mail only")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    axe_check(page)
    _shot(page, f"detail-reminders-{size['width']}")
