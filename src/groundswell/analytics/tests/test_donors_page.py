"""The Donors page and its upgraded/downgraded lists: the hand-computed figures of
``dataset_giving.py`` as the page shows them, who may see them, empty states, refused input."""

from __future__ import annotations

import logging
import re
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from groundswell.analytics import selectors
from groundswell.analytics.tests.dataset_giving import giving_world_build
from groundswell.core.tests.hostile import EXAMPLES, HOSTILE_TEXT, SUITE

pytestmark = pytest.mark.django_db

PERIOD = {"start": "2026-03-01", "end": "2026-04-30"}


def _figure(content: bytes, name: str) -> str:
    found = re.search(rf'data-figure="{name}">(?:<a [^>]*>)?([^<]*)<'.encode(), content)
    return found.group(1).decode() if found else ""


def _row(content: bytes, table: str, label: str) -> list[str]:
    """The cells of the row of ``table`` that starts with ``label``, as text."""
    body = content.decode().split(f'id="{table}"')[1].split("</table>")[0]
    for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S):
        cells = [
            re.sub(r"<[^>]+>", "", c).strip()
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)
        ]
        if cells and cells[0] == label:
            return cells
    return []


def test_the_page_shows_the_hand_computed_figures(persona_client, extract_file):
    giving_world_build()
    page = persona_client("finance").get(reverse("analytics:donors"), PERIOD)
    assert page.status_code == 200
    content = page.content
    # March–April (61 days) against the 61 days before: Dec 30 – Feb 28 (no gift Dec 30–31).
    assert [_figure(content, f) for f in ("upgraded", "downgraded", "unchanged")] == ["1", "2", "1"]
    assert [_figure(content, f) for f in ("only-current", "only-previous")] == ["1", "1"]
    # The twelve months ending with April 2026: the cohorts of dataset_giving.
    assert _row(content, "cohorts", "Dec 2025")[:6] == [
        "Dec 2025",
        "1",
        "1 (100%)",
        "0 (0%)",
        "1 (100%)",
        "1 (100%)",
    ]
    assert _row(content, "cohorts", "Jan 2026")[:6] == [
        "Jan 2026",
        "2",
        "1 (50%)",
        "1 (50%)",
        "1 (50%)",
        "·",
    ]
    assert _row(content, "cohorts", "Mar 2026")[:3] == ["Mar 2026", "0", "—"]
    assert _row(content, "recurring", "March 2026") == ["March 2026", "1", "2", "$8.00"]
    assert _row(content, "recurring", "April 2026") == ["April 2026", "2", "2", "$50.00"]
    assert b'id="cohorts-spec"' in content and b'id="recurring-spec"' in content
    for kind in ("lybunt", "sybunt"):
        assert reverse("analytics:lapsed", args=[kind]).encode() in content


def test_the_lists_link_to_people_and_page(persona_client, extract_file, monkeypatch):
    world = giving_world_build()
    client = persona_client("finance")
    url = reverse("analytics:donor_changes", args=["downgraded"])
    down = client.get(url, PERIOD)
    assert down.status_code == 200 and b"2 in all" in down.content
    person = reverse("people:detail", args=[world["ann"].pk]).encode()
    assert person in down.content
    assert _row(down.content, "changed", "Ann Lark") == ["Ann Lark", "$70.00", "$10.00", "-$60.00"]
    assert _row(down.content, "changed", "Cleo Voss") == ["Cleo Voss", "$25.00", "$8.00", "-$17.00"]
    up = client.get(reverse("analytics:donor_changes", args=["upgraded"]), PERIOD)
    assert _row(up.content, "changed", "B. Ray") == ["B. Ray", "$30.00", "$45.00", "+$15.00"]
    monkeypatch.setattr(selectors, "PER_PAGE", 1)
    second = client.get(url, {**PERIOD, "page": "2"})
    assert b"Page 2 of 2" in second.content and b"Cleo Voss" in second.content
    assert b"Ann Lark" not in second.content
    back = f'href="?start={PERIOD["start"]}&amp;end={PERIOD["end"]}&amp;page=1"'  # keeps the period
    assert back.encode() in second.content
    beyond = client.get(url, {**PERIOD, "page": "7"})
    assert beyond.status_code == 200 and b"go back to the first page" in beyond.content


def test_only_finance_sees_giving(persona_client, extract_file):
    giving_world_build()
    overview = persona_client("finance").get(reverse("analytics:overview"))
    link = f'href="{reverse("analytics:donors")}"'.encode()  # not Donors by place's
    assert link in overview.content
    for role in ("organizer", "volunteer"):
        client = persona_client(role)
        assert client.get(reverse("analytics:donors")).status_code == 403
        changes = reverse("analytics:donor_changes", args=["upgraded"])
        assert client.get(changes).status_code == 403
        assert link not in client.get(reverse("analytics:overview")).content


def test_an_empty_campaign_says_so(persona_client, extract_file):
    client = persona_client("finance")
    page = client.get(reverse("analytics:donors"))
    assert page.status_code == 200
    assert b"No one gave for the first time" in page.content
    assert b"No recurring installment came in" in page.content
    assert _figure(page.content, "upgraded") == "0"
    listed = client.get(reverse("analytics:donor_changes", args=["upgraded"]))
    assert b"No upgraded donors" in listed.content


@pytest.mark.parametrize(
    ("kind", "query"),
    [
        ("", {"start": "2026-13-01"}),
        ("", {"start": "²⁰²⁶-01-01"}),
        ("", {"start": "20260101"}),
        ("", {"end": "2999-01-01"}),
        ("", {"start": "2026-04-01", "end": "2026-03-01"}),
        ("", {"start": "1999-12-31", "end": "2000-01-31"}),
        ("", {"start": "2000-01-01", "end": "2026-01-01"}),
        ("", {"end": "\x00"}),
        ("sidegraded", {}),
        ("upgraded", {"page": "0"}),
        ("upgraded", {"page": "99999999999"}),
        ("upgraded", {"start": "2026-02-30"}),
    ],
)
def test_bad_input_is_refused_plainly(persona_client, extract_file, kind, query, caplog):
    url = reverse("analytics:donor_changes", args=[kind]) if kind else reverse("analytics:donors")
    response = persona_client("finance").get(url, query)
    assert response.status_code == 400
    assert b"cannot be shown" in response.content
    assert "analytics: refused" in caplog.text


STAFF_SUITE = hypothesis_settings(SUITE, max_examples=max(EXAMPLES // 20, 30))
DAYS = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(["2026-03-01", "2026-04-30", "2026-02-29", "0000-00-00"]),
)
VALUES = st.one_of(HOSTILE_TEXT, st.text(max_size=30), DAYS)


def _encode(text: str) -> str:
    return quote(text.encode("utf-8", errors="replace"))


@pytest.mark.django_db(transaction=True)
def test_generated_periods_get_a_page_or_a_plain_refusal(make_user, extract_file):
    logging.getLogger("groundswell.analytics.views").setLevel(logging.ERROR)
    giving_world_build()
    client = Client()
    client.force_login(make_user("finance"))
    seen = {200: 0, 400: 0}

    @STAFF_SUITE
    @given(
        path=st.sampled_from(["", "upgraded/", "downgraded/"]),
        fields=st.lists(st.tuples(st.sampled_from(["start", "end", "page"]), VALUES), max_size=3),
    )
    def property_holds(path, fields):
        query = "&".join(f"{_encode(k)}={_encode(v)}" for k, v in fields)
        response = client.get(f"/analytics/donors/{path}?{query}")
        assert response.status_code in (200, 400), response.status_code
        seen[response.status_code] += 1

    property_holds()
    assert seen[200] and seen[400], seen
