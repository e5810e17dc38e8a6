"""The map on the public events list: the same events as the list, placed no more exactly than
the public may know, and never a server error whatever the search."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import quote

import pytest
import zipcodes
from django.test import Client
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from groundswell.core.geo import albers_usa, atlas
from groundswell.core.tests.hostile import EXAMPLES, HOSTILE_TEXT, SUITE
from groundswell.events.choices import EventType, Visibility
from groundswell.events.tests.conftest_public import event_make, shift_make

pytestmark = pytest.mark.django_db

LIST = "/events/"
DOT = re.compile(
    r'<a class="dot[^"]*" href="([^"]+)" tabindex="-1">\s*<title>([^<]*)</title>\s*'
    r'<circle cx="([-\d.]+)" cy="([-\d.]+)"'
)


def dots(html: str) -> dict[str, tuple[str, float, float]]:
    """title → (href, x, y) of each dot on the page's map."""
    return {m[2]: (m[1], float(m[3]), float(m[4])) for m in DOT.finditer(html)}


def titles(html: str) -> set[str]:
    """Every event title on the map, a dot of several counting each of them."""
    out = set()
    for label in dots(html):
        head, _, rest = label.partition(" events: ")
        out.update(rest.split("; ") if head.isdigit() and rest else [label])
    return out


def _state_at(x: float, y: float) -> list[str]:
    return [s.name for s in atlas().states if s.contains((x, y))]


def test_the_map_shows_public_events_in_their_states_and_links_each_to_its_page(client):
    dc = event_make(title="Capitol canvass", zip_code="20001")
    la = event_make(title="Echo Park phone bank", zip_code="90026", city="Los Angeles", state="CA")
    anchorage = event_make(title="Anchorage rally", zip_code="99501", city="Anchorage", state="AK")
    for e in (dc, la, anchorage):
        shift_make(e)
    found = dots(client.get(LIST).content.decode())
    assert set(found) == {dc.title, la.title, anchorage.title}
    assert found[dc.title][0] == f"/events/{dc.slug}/"
    assert _state_at(*found[dc.title][1:]) == ["District of Columbia"]
    assert _state_at(*found[la.title][1:]) == ["California"]
    assert _state_at(*found[anchorage.title][1:]) == ["Alaska"]


def test_unlisted_private_draft_past_and_online_events_are_not_on_the_map(client):
    shown = event_make(title="On the map")
    shift_make(shown)
    hidden = [
        event_make(title="Unlisted one", visibility=Visibility.UNLISTED),
        event_make(title="Private one", visibility=Visibility.PRIVATE),
        event_make(title="Draft one", status="draft"),
        event_make(title="Online one", is_virtual=True, zip_code=""),
    ]
    for e in hidden:
        shift_make(e)
    shift_make(event_make(title="Over already"), days=-1)
    html = client.get(LIST).content.decode()
    assert set(dots(html)) == {shown.title}
    assert "1 online or without a place is in the list only" in html


def test_an_event_that_keeps_its_address_private_is_placed_at_its_zip_centroid(client):
    # Its own coordinates are a house in Bethesda, MD; its ZIP is Washington, DC's 20001.
    house = event_make(
        title="House party",
        zip_code="20001",
        latitude=38.9847,
        longitude=-77.0947,
        address_private=True,
    )
    shift_make(house)
    _, x, y = dots(client.get(LIST).content.decode())[house.title]
    row = zipcodes.matching("20001")[0]
    expected = albers_usa(float(row["long"]), float(row["lat"]))
    assert (x, y) == pytest.approx(expected, abs=0.01)
    own = albers_usa(-77.0947, 38.9847)
    assert (x, y) != pytest.approx(own, abs=0.01)
    assert "38.9847" not in client.get(LIST).content.decode()


def test_a_public_address_uses_the_events_own_coordinates(client):
    hall = event_make(title="Union hall", zip_code="20001", latitude=38.9847, longitude=-77.0947)
    shift_make(hall)
    _, x, y = dots(client.get(LIST).content.decode())[hall.title]
    assert (x, y) == pytest.approx(albers_usa(-77.0947, 38.9847), abs=0.01)


def test_the_map_follows_the_lists_filters(client):
    near = event_make(title="Near canvass", zip_code="20001")
    far = event_make(title="Far canvass", zip_code="90026", city="Los Angeles", state="CA")
    training = event_make(title="Near training", zip_code="20002", event_type=EventType.TRAINING)
    for e in (near, far, training):
        shift_make(e)
    later = event_make(title="Next month", zip_code="20001")
    shift_make(later, days=40)
    search = {"zip": "20002", "miles": "10", "type": "canvass"}
    assert titles(client.get(LIST, search).content.decode()) == {near.title, later.title}
    soon = str((timezone.now() + timedelta(days=10)).date())
    found = titles(client.get(LIST, {"type": "canvass", "to": soon}).content.decode())
    assert found == {near.title, far.title}


def test_a_zip_search_zooms_onto_its_circle(client):
    shift_make(event_make(title="Near canvass", zip_code="20001"))
    whole = client.get(LIST).content.decode()
    zoomed = client.get(LIST, {"zip": "20002", "miles": "10"}).content.decode()
    assert 'viewBox="0.0 0.0 975.0 610.0"' in whole
    width = float(re.search(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+)', zoomed)[1])
    assert width < 100
    assert '<circle class="reach"' in zoomed


def test_events_in_one_place_become_one_dot_with_a_count_that_opens_the_list_there(client):
    for n in range(3):
        shift_make(event_make(title=f"Same hall {n}", zip_code="20001"))
    html = client.get(LIST).content.decode()
    found = dots(html)
    assert len(found) == 1
    [(title, (href, _, _))] = found.items()
    assert title.startswith("3 events: ")
    assert "zip=20001" in href and href.startswith("/events/?")


def test_no_events_no_map(client):
    assert "<svg" not in client.get(LIST).content.decode()


MAP_SUITE = hypothesis_settings(SUITE, max_examples=max(EXAMPLES // 20, 50))
ZIPS = st.sampled_from(["20001", "99501", "96813", "00901", "99950", "04101", "00000", "96799"])


def test_any_search_draws_a_map_or_none_and_never_fails(db):
    for zip_code in ("20001", "99501", "96813", "04101"):
        shift_make(event_make(zip_code=zip_code))
    shift_make(event_make(zip_code="00901", latitude=91.0, longitude=-500.0))  # staff typo
    client = Client()

    @MAP_SUITE
    @given(ZIPS | HOSTILE_TEXT, st.integers(-10, 10**6).map(str) | HOSTILE_TEXT, HOSTILE_TEXT)
    def property_holds(zip_code, miles, kind):
        values = {"zip": zip_code, "miles": miles, "type": kind}
        query = "&".join(f"{k}={quote(v.encode('utf-8', 'replace'))}" for k, v in values.items())
        response = client.get(f"{LIST}?{query}")
        assert response.status_code == 200
        html = response.content.decode()
        for match in re.finditer(r'viewBox="([^"]*)"', html):
            assert all(
                part.replace(".", "").replace("-", "").isdigit() for part in match[1].split()
            )

    property_holds()
