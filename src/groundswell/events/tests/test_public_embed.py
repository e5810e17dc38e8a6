"""The events widget other sites embed: who may frame it, what it lists, where its links open,
and the loader script."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from groundswell.actions.services import site_get
from groundswell.core.tests.hostile import EXAMPLES, HOSTILE_TEXT, SUITE
from groundswell.events.choices import EventType, Visibility
from groundswell.events.tests.conftest_public import event_make, shift_make

pytestmark = pytest.mark.django_db

WIDGET = "/events/embed/"
ORIGIN = "https://www.example.org"


@pytest.fixture
def allowed(db):
    site = site_get()
    site.embed_origins = f"{ORIGIN}\nhttp://localhost:8001"
    site.save()
    return site


def test_only_the_widget_may_be_framed_and_only_by_the_allowed_origins(client, allowed):
    response = client.get(WIDGET)
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    assert response["Content-Security-Policy"] == (
        f"frame-ancestors 'self' http://localhost:8001 {ORIGIN}"
    )
    for other in ("/events/", "/", "/events/embed.js"):
        assert client.get(other).get("X-Frame-Options") == "DENY", other


def test_with_no_allowed_origin_only_this_site_may_frame_the_widget(client, db):
    response = client.get(WIDGET)
    assert response["Content-Security-Policy"] == "frame-ancestors 'self'"
    assert "X-Frame-Options" not in response


def test_the_widget_lists_public_events_only_and_its_links_open_in_the_top_window(client, allowed):
    shown = event_make(title="Saturday canvass")
    shift_make(shown)
    hidden = [
        event_make(title="Unlisted dinner", visibility=Visibility.UNLISTED),
        event_make(title="Private training", visibility=Visibility.PRIVATE),
        event_make(title="Draft rally", status="draft"),
    ]
    for e in hidden:
        shift_make(e)
    html = client.get(WIDGET).content.decode()
    assert shown.title in html
    for e in hidden:
        assert e.title not in html
        assert e.slug not in html
    assert '<base target="_top">' in html
    assert f'href="/events/{shown.slug}/?source=embed"' in html
    assert "site-header" not in html  # the list alone, no site chrome
    assert not client.cookies


def test_the_widget_takes_the_lists_filters(client, allowed):
    canvass = event_make(title="Near canvass", zip_code="20001")
    training = event_make(title="Near training", zip_code="20001", event_type=EventType.TRAINING)
    far = event_make(title="Far canvass", zip_code="90026", city="Los Angeles")
    for e in (canvass, training, far):
        shift_make(e)
    html = client.get(WIDGET, {"type": "canvass", "zip": "20002", "miles": "10"}).content.decode()
    assert canvass.title in html
    assert training.title not in html and far.title not in html
    assert "/events/?zip=20002&amp;miles=10&amp;type=canvass" in html


def test_the_widget_shows_ten_and_links_to_the_rest(client, allowed):
    for n in range(12):
        shift_make(event_make(title=f"Phone bank number {n}"), days=1 + n)
    html = client.get(WIDGET).content.decode()
    assert len(re.findall(r'class="event-row"', html)) == 10
    assert "See every event" in html


def test_an_empty_widget_says_so(client, allowed):
    assert "No events are coming up" in client.get(WIDGET).content.decode()


def test_the_loader_script_is_public_cacheable_and_frames_the_widget(client, db):
    response = client.get("/events/embed.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Access-Control-Allow-Origin"] == "*"
    body = response.content.decode()
    assert "/events/embed/" in body and "iframe" in body
    again = client.get("/events/embed.js", headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304


def test_staff_see_the_snippets_on_the_events_page(persona_client):
    html = persona_client("organizer").get("/organize/events/").content.decode()
    assert "/events/embed.js" in html and "/events/embed/" in html


def _encode(text: str) -> str:
    return quote(text.encode("utf-8", errors="replace"))


WIDGET_SUITE = hypothesis_settings(SUITE, max_examples=max(EXAMPLES // 20, 50))


def test_any_query_gives_the_widget_or_a_clear_refusal_never_an_error(allowed):
    shift_make(event_make(title="Hostile-proof canvass"))
    client = Client()
    names = ["zip", "miles", "type", "from", "to"]

    @WIDGET_SUITE
    @given(
        st.lists(
            st.tuples(st.sampled_from(names) | HOSTILE_TEXT, HOSTILE_TEXT | st.text(max_size=12)),
            max_size=6,
        )
    )
    def property_holds(params):
        query = "&".join(f"{_encode(k)}={_encode(v)}" for k, v in params)
        response = client.get(f"{WIDGET}?{query}")
        assert response.status_code == 200
        assert response["Content-Security-Policy"].startswith("frame-ancestors 'self'")

    property_holds()


def test_an_event_called_embed_gets_a_slug_the_widget_does_not_shadow(persona_client):
    from groundswell.events.tests.test_staff_views import _post_data  # noqa: PLC0415

    client = persona_client("organizer")
    assert client.post(reverse("events_staff:create"), _post_data(title="Embed")).status_code == 302
    from groundswell.events.models import Event  # noqa: PLC0415

    assert Event.objects.get().slug == "embed-event"
