"""Opens and clicks: the parsed message's tracked links redirect to the mailing's own links, the
pixel records opens (machine ones apart), forged addresses are refused and never redirect."""

from __future__ import annotations

import email
import logging
import re
from datetime import timedelta
from email import policy
from urllib.parse import quote, urlsplit

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from groundswell.core.tests.hostile import SUITE
from groundswell.mailings.models import Delivery, Engagement, HitClass
from groundswell.mailings.services import mailing_send, mailing_test_send
from groundswell.mailings.tests.conftest import person_make
from groundswell.mailings.tracking import link_wrap_for, open_url

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0"
HTML = (
    '<p>Dear {{ first_name|default:"Friend" }},</p>'
    '<p><a href="https://campaign.example.org/a/join/">Join us</a> and '
    '<a href="https://news.example.net/story?id=7&amp;x=1">read the story</a>.</p>'
)
TRACKED = re.compile(r"https://campaign\.example\.org/m/c/[A-Za-z0-9_-]+/\d+/[A-Za-z0-9_-]+/")


def _sent(sink, mailing_make, actor, capture, **fields):
    mailing = mailing_make(html=HTML, **fields)
    with capture(execute=True):
        mailing_send(mailing=mailing, actor=actor)
    mailing.refresh_from_db()
    # A click seconds after sending is a scanner's; these readers come back an hour later.
    Delivery.objects.filter(mailing=mailing).update(sent_at=timezone.now() - timedelta(hours=1))
    message = email.message_from_bytes(sink.received[-1][2], policy=policy.default)
    text, html = (part.get_content() for part in message.iter_parts())
    return mailing, message, text, html


def test_every_own_link_of_both_parts_is_a_tracked_link_that_redirects_to_the_original(
    smtp_sink, mailing_make, admin_user, django_capture_on_commit_callbacks
):
    person = person_make("wren@one.example")
    mailing, message, text, html = _sent(
        smtp_sink, mailing_make, admin_user, django_capture_on_commit_callbacks
    )
    delivery = Delivery.objects.get(mailing=mailing)
    assert "https://campaign.example.org/a/join/" not in html
    assert "https://news.example.net/story" not in text
    html_links = TRACKED.findall(html)
    text_links = TRACKED.findall(text)
    assert len(set(html_links)) == 2 and set(text_links) == set(html_links)
    assert all(f"/m/c/{delivery.token}/" in link for link in html_links)
    # The unsubscribe link is never behind the tracker.
    assert f"https://campaign.example.org/u/{delivery.token}" in html
    targets = set()
    for link in sorted(set(html_links)):
        response = Client(HTTP_USER_AGENT=BROWSER).get(urlsplit(link).path)
        assert response.status_code == 302
        targets.add(response["Location"])
        # A person reads before the next link (two links within a second is a scanner's walk).
        Engagement.objects.update(at=timezone.now() - timedelta(minutes=1))
    assert targets == {
        "https://campaign.example.org/a/join/",
        "https://news.example.net/story?id=7&x=1",
    }
    clicks = Engagement.objects.filter(kind="click").order_by("link_index")
    assert [(c.person_id, c.mailing_id, c.hit_class) for c in clicks] == [
        (person.pk, mailing.pk, HitClass.HUMAN)
    ] * 2
    assert {c.target for c in clicks} == targets
    assert targets <= set(mailing.tracked_links)


def test_the_open_pixel_answers_a_gif_every_time_and_records_opens_by_class(
    smtp_sink, mailing_make, admin_user, django_capture_on_commit_callbacks
):
    person_make("wren@one.example")
    mailing, message, text, html = _sent(
        smtp_sink, mailing_make, admin_user, django_capture_on_commit_callbacks
    )
    pixel = re.search(r'src="(https://campaign\.example\.org/m/o/[^"]+\.gif)"', html).group(1)
    path = urlsplit(pixel).path
    apple = Client(HTTP_USER_AGENT="Mozilla/5.0").get(path, REMOTE_ADDR="17.58.1.2")
    reader = Client(HTTP_USER_AGENT=BROWSER).get(path)
    again = Client(HTTP_USER_AGENT=BROWSER).get(path)
    forged = Client(HTTP_USER_AGENT=BROWSER).get(path.replace(".gif", "x.gif"))
    for response in (apple, reader, again, forged):
        assert response.status_code == 200
        assert response["Content-Type"] == "image/gif"
        assert response.content.startswith(b"GIF89a")
        assert "no-cache" in response["Cache-Control"]
    opens = sorted(Engagement.objects.filter(kind="open").values_list("hit_class", flat=True))
    assert opens == [HitClass.HUMAN, HitClass.MACHINE]


def test_a_repeated_click_within_the_window_is_recorded_once_and_still_redirects(
    smtp_sink, mailing_make, admin_user, django_capture_on_commit_callbacks
):
    person_make("wren@one.example")
    _, _, _, html = _sent(smtp_sink, mailing_make, admin_user, django_capture_on_commit_callbacks)
    path = urlsplit(TRACKED.findall(html)[0]).path
    for _ in range(3):
        assert Client(HTTP_USER_AGENT=BROWSER).get(path).status_code == 302
    assert Engagement.objects.filter(kind="click").count() == 1


def test_a_click_seconds_after_sending_is_kept_as_a_scanner_not_a_person(
    smtp_sink, mailing_make, admin_user, django_capture_on_commit_callbacks
):
    person_make("wren@one.example")
    mailing, _, _, html = _sent(
        smtp_sink, mailing_make, admin_user, django_capture_on_commit_callbacks
    )
    Delivery.objects.filter(mailing=mailing).update(sent_at=timezone.now())
    assert (
        Client(HTTP_USER_AGENT=BROWSER).get(urlsplit(TRACKED.findall(html)[0]).path).status_code
        == 302
    )
    assert Engagement.objects.get().hit_class == HitClass.SCANNER


def test_an_altered_signature_or_link_number_is_a_404_with_a_log_entry_and_no_click(
    smtp_sink, mailing_make, admin_user, django_capture_on_commit_callbacks, caplog
):
    person_make("wren@one.example")
    _, _, _, html = _sent(smtp_sink, mailing_make, admin_user, django_capture_on_commit_callbacks)
    token, number, sig = urlsplit(TRACKED.findall(html)[0]).path.split("/")[3:6]
    other = "1" if number == "0" else "0"
    flipped = ("A" if sig[0] != "A" else "B") + sig[1:]
    caplog.set_level(logging.WARNING, logger="groundswell.mailings.views_tracking")
    for path in (f"/m/c/{token}/{number}/{flipped}/", f"/m/c/{token}/{other}/{sig}/"):
        response = Client().get(path)
        assert response.status_code == 404
        assert "Location" not in response
    assert caplog.text.count("forged or unknown") == 2
    assert not Engagement.objects.exists()


def test_a_test_send_carries_no_tracking(
    smtp_sink, mailing_make, admin_user, django_capture_on_commit_callbacks
):
    admin_user.email = "me@campaign.example.org"
    admin_user.save()
    mailing_test_send(mailing=mailing_make(html=HTML), actor=admin_user)
    message = email.message_from_bytes(smtp_sink.received[-1][2], policy=policy.default)
    text, html = (part.get_content() for part in message.iter_parts())
    assert "/m/c/" not in html + text and "/m/o/" not in html
    assert "https://campaign.example.org/a/join/" in html


@pytest.fixture
def tracked(sender, everyone, settings):
    from groundswell.mailings.models import Mailing

    settings.GROUNDSWELL_PUBLIC_URL = "https://campaign.example.org"
    person = person_make("wren@one.example")
    mailing = Mailing.objects.create(
        name="M",
        sender=sender,
        segment=everyone,
        subject="S",
        html=HTML,
        tracked_links=["https://campaign.example.org/a/join/", "https://news.example.net/s"],
    )
    delivery = Delivery.objects.create(
        mailing=mailing, person=person, address=person.primary_email, sent_at=timezone.now()
    )
    wrap = link_wrap_for(
        base_url="https://campaign.example.org", token=delivery.token, links=mailing.tracked_links
    )
    click = urlsplit(wrap("https://news.example.net/s")).path.split("/")[3:6]
    pixel = urlsplit(open_url(base_url="https://x.example", token=delivery.token)).path
    return delivery, click, pixel.split("/")[4][: -len(".gif")]


def _mutated(draw_from, real: str):
    return draw_from(
        st.one_of(
            st.just(real),
            st.text(min_size=1, max_size=70),
            st.integers(0, max(len(real) - 1, 0)).map(lambda n: real[:n] or "x"),
            st.text(min_size=1, max_size=4).map(lambda extra: real + extra),
            st.tuples(st.integers(0, max(len(real) - 1, 0)), st.characters()).map(
                lambda p: real[: p[0]] + p[1] + real[p[0] + 1 :]
            ),
        )
    )


def _part(value: str) -> str:
    # Percent-encoded as a hostile client may send it: lone surrogates become invalid UTF-8.
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


_HYPOTHESIS = hypothesis_settings(
    parent=SUITE,
    suppress_health_check=[*SUITE.suppress_health_check, HealthCheck.function_scoped_fixture],
)


@_HYPOTHESIS
@given(data=st.data())
def test_any_click_address_is_a_404_or_the_one_correct_redirect(tracked, data):
    delivery, (token, number, sig), _ = tracked
    cache.clear()  # each example is a fresh visitor, not one guesser slowed to 429
    parts = [_mutated(data.draw, real) for real in (token, number, sig)]
    response = Client().get("/m/c/{}/{}/{}/".format(*map(_part, parts)))
    if parts == [token, number, sig]:
        assert response.status_code == 302
        assert response["Location"] == "https://news.example.net/s"
    else:
        assert response.status_code == 404, (parts, response.status_code)
        assert "Location" not in response


@_HYPOTHESIS
@given(data=st.data())
def test_any_pixel_address_answers_the_gif_and_records_only_the_signed_one(tracked, data):
    delivery, _, sig = tracked
    Engagement.objects.all().delete()
    parts = [_mutated(data.draw, real) for real in (delivery.token, sig)]
    response = Client(HTTP_USER_AGENT=BROWSER).get("/m/o/{}/{}.gif".format(*map(_part, parts)))
    assert response.status_code in (200, 404)  # 404 only when a part holds a "/" once decoded
    if response.status_code == 200:
        assert response.content.startswith(b"GIF89a")
    assert Engagement.objects.exists() is (parts == [delivery.token, sig])


def test_a_network_guessing_click_addresses_is_slowed_to_429_for_the_rest_of_the_minute(
    tracked, caplog, monkeypatch
):
    from groundswell.mailings import views_tracking

    monkeypatch.setattr(views_tracking, "REFUSED_PER_MINUTE", 5)
    delivery, (token, number, sig), _ = tracked
    guesser, reader = Client(REMOTE_ADDR="198.51.100.7"), Client(REMOTE_ADDR="203.0.113.9")
    forged = f"/m/c/{token}/{number}/{'A' * 16}/"
    answers = [guesser.get(forged).status_code for _ in range(7)]
    assert answers == [404] * 5 + [429] * 2
    assert guesser.get(f"/m/c/{token}/{number}/{sig}/").status_code == 429
    assert reader.get(f"/m/c/{token}/{number}/{sig}/").status_code == 302
    assert "too many invalid links" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_two_hits_at_once_on_one_delivery_are_recorded_once(sender, everyone, settings):
    """A hit that arrives while another is being recorded waits for it and then finds it.

    Deterministic: this test holds the delivery's row lock (as a first hit does while it
    records), starts a second hit in another thread, records the first and commits; the second
    must then see it. Without the lock the second would not wait and would record a copy."""
    import threading

    from django.db import connection, connections, transaction

    from groundswell.mailings.engagement import engagement_record
    from groundswell.mailings.models import Mailing
    from groundswell.mailings.tracking import HitKind, HitVerdict

    if connection.vendor != "postgresql":
        pytest.skip("row locks: SQLite serialises every writer already")
    person = person_make("wren@one.example")
    mailing = Mailing.objects.create(name="M", sender=sender, segment=everyone, subject="S")
    delivery = Delivery.objects.create(
        mailing=mailing, person=person, address=person.primary_email, sent_at=timezone.now()
    )
    verdict = HitVerdict(kind=HitKind.HUMAN, reason="a browser")
    second: list = []

    def other_hit():
        try:
            second.append(engagement_record(delivery=delivery, kind="open", verdict=verdict))
        finally:
            connections.close_all()

    with transaction.atomic():
        list(Delivery.objects.select_for_update().filter(pk=delivery.pk).values_list("pk"))
        thread = threading.Thread(target=other_hit)
        thread.start()
        thread.join(timeout=1.0)
        assert thread.is_alive(), "the second hit did not wait for the first"
        first = Engagement.objects.create(
            delivery=delivery,
            mailing=mailing,
            person=person,
            kind="open",
            hit_class=HitClass.HUMAN,
            at=timezone.now(),
        )
    thread.join(timeout=30)
    assert second == [None]
    assert list(Engagement.objects.values_list("pk", flat=True)) == [first.pk]
