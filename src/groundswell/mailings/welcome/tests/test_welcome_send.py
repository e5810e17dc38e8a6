"""A new sign-up gets the welcome series over real SMTP (a server on loopback): the first
message at once, the next after its delay, each once per person whatever the job does, and
nothing more once the person unsubscribed."""

from __future__ import annotations

import email
import re
from datetime import timedelta
from email import policy
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.utils import timezone

from groundswell.core.tests.race import at_once
from groundswell.mailings.models import Delivery, DeliveryState
from groundswell.mailings.welcome.models import WelcomeEnrollment, WelcomeTrigger
from groundswell.mailings.welcome.services import series_enroll, step_queue, welcome_process
from groundswell.mailings.welcome.tests.conftest import page_make, sign_up

pytestmark = pytest.mark.django_db


def _parsed(sink):
    return [email.message_from_bytes(raw, policy=policy.default) for _, _, raw in sink.received]


def _subjects(sink, address):
    return [m["Subject"] for m in _parsed(sink) if m["To"] == address]


def test_a_new_sign_up_gets_the_first_message_at_once_and_the_second_after_its_delay(
    smtp_sink, series_make, join_page
):
    series_make()
    sign_up(join_page, "ada@one.example", "Ada")

    welcome_process()
    assert _subjects(smtp_sink, "ada@one.example") == ["Welcome, Ada"]

    welcome_process(now=timezone.now() + timedelta(days=1, hours=23))
    assert _subjects(smtp_sink, "ada@one.example") == ["Welcome, Ada"]

    welcome_process(now=timezone.now() + timedelta(days=2, minutes=1))
    assert _subjects(smtp_sink, "ada@one.example") == ["Welcome, Ada", "Meet the team"]
    second = _parsed(smtp_sink)[-1]
    assert second["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    delivery = Delivery.objects.get(address="ada@one.example", mailing__subject="Meet the team")
    assert delivery.state == DeliveryState.SENT
    assert second["Message-ID"] == delivery.message_id
    text, html = (part.get_content() for part in second.iter_parts())
    assert f"/c/{delivery.token}/" in html  # the link is tracked like a mailing's
    assert "Paid for by Quillon for Congress" in text


def test_the_job_run_twice_sends_each_message_once(smtp_sink, series_make, join_page):
    series_make()
    for name in ("bo", "cy"):
        sign_up(join_page, f"{name}@one.example", name.title())

    welcome_process()
    welcome_process()
    later = timezone.now() + timedelta(days=2, hours=1)
    welcome_process(now=later)
    welcome_process(now=later)

    received = sorted((m["To"], m["Subject"]) for m in _parsed(smtp_sink))
    assert received == [
        ("bo@one.example", "Meet the team"),
        ("bo@one.example", "Welcome, Bo"),
        ("cy@one.example", "Meet the team"),
        ("cy@one.example", "Welcome, Cy"),
    ]


def test_a_message_handed_over_when_the_worker_died_is_never_sent_again(
    smtp_sink, series_make, join_page
):
    series = series_make()
    sign_up(join_page, "dee@one.example", "Dee")
    series_enroll(series=series)
    step_queue(step=series.steps.first(), now=timezone.now())
    # What a worker killed between the hand-over commit and the SMTP transaction leaves.
    Delivery.objects.filter(address="dee@one.example").update(
        state=DeliveryState.SENDING, claimed_by="dead-worker"
    )

    welcome_process()
    welcome_process()

    assert _subjects(smtp_sink, "dee@one.example") == []
    assert Delivery.objects.filter(address="dee@one.example").count() == 1


def test_an_unsubscribe_from_the_first_message_stops_the_series(
    smtp_sink, series_make, join_page, client
):
    series = series_make()
    sign_up(join_page, "eve@one.example", "Eve")
    welcome_process()
    (message,) = _parsed(smtp_sink)
    url = re.search(r"<(https://[^>]+)>", message["List-Unsubscribe"]).group(1)
    response = client.post(
        urlsplit(url).path,
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200

    welcome_process(now=timezone.now() + timedelta(days=2, hours=1))

    assert _subjects(smtp_sink, "eve@one.example") == ["Welcome, Eve"]
    enrollment = WelcomeEnrollment.objects.get(series=series)
    assert enrollment.stopped_at is not None
    assert enrollment.stop_reason == "unsubscribed"


def test_only_sign_ups_on_the_chosen_pages_after_activation_enter(
    smtp_sink, series_make, join_page
):
    other = page_make("other-form")
    sign_up(join_page, "early@one.example", "Early")
    series_make(trigger=WelcomeTrigger.PAGES, pages=[join_page])
    sign_up(join_page, "fay@one.example", "Fay")
    sign_up(other, "gus@one.example", "Gus")

    welcome_process()

    assert sorted(m["To"] for m in _parsed(smtp_sink)) == ["fay@one.example"]


def test_a_step_more_than_two_days_late_is_skipped_not_sent(smtp_sink, series_make, join_page):
    series_make()
    sign_up(join_page, "hal@one.example", "Hal")
    welcome_process()

    welcome_process(now=timezone.now() + timedelta(days=5))

    assert _subjects(smtp_sink, "hal@one.example") == ["Welcome, Hal"]


def test_a_paused_series_lets_no_one_in_and_sends_nothing(
    smtp_sink, series_make, join_page, admin_user
):
    from groundswell.mailings.welcome.services import series_control

    series = series_make()
    series_control(series=series, action="pause", actor=admin_user)
    sign_up(join_page, "ivy@one.example", "Ivy")

    welcome_process()

    assert smtp_sink.received == []
    assert not WelcomeEnrollment.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_jobs_at_once_send_each_message_once(smtp_sink, series_make, join_page):
    series_make()
    for n in range(12):
        sign_up(join_page, f"p{n}@two.example", f"P{n}")
    _, errors = at_once(welcome_process, welcome_process)
    assert not errors
    addresses = [m["To"] for m in _parsed(smtp_sink)]
    assert sorted(addresses) == sorted(f"p{n}@two.example" for n in range(12))


def test_a_message_added_to_an_active_series_links_to_the_campaign_site(
    smtp_sink, series_make, join_page, admin_user, settings
):
    from groundswell.mailings.welcome.services import step_save

    settings.GROUNDSWELL_PUBLIC_URL = ""  # the links come from where staff activated it
    series = series_make(steps=((0, "First", "<p>One</p>"),))
    step_save(
        series=series,
        step=None,
        subject="Hello",
        html="<p>Hi</p>",
        text="",
        delay_days=0,
        delay_hours=0,
        actor=admin_user,
    )
    sign_up(join_page, "kim@one.example", "Kim")
    welcome_process()
    (message,) = [m for m in _parsed(smtp_sink) if m["Subject"] == "Hello"]
    assert message["List-Unsubscribe"].startswith("<https://campaign.example.org/u/")
