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

from groundswell.accounts.roles import FINANCE_VIEW
from groundswell.analytics import selectors
from groundswell.analytics.tests.dataset_giving import giving_world_build
from groundswell.analytics.tests.test_filters import snapshot
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


def _totals(content: bytes) -> dict[str, str]:
    """The totals without a comparison: each figure's text by key."""
    found = re.findall(rb'data-total="([a-z_]+)">([^<]*)<', content)
    return {key.decode(): text.decode() for key, text in found}


def _compared(content: bytes, key: str) -> list[str]:
    """A figure of the compared totals: the period's, the comparison period's, the change."""
    body = content.decode().split(f'data-compared="{key}">')[1].split("</tr>")[0]
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", body)]


def test_the_totals_beside_the_previous_period(persona_client, extract_file):
    giving_world_build()
    page = persona_client("finance").get(reverse("analytics:donors"), {**PERIOD})
    # March–April: Ann $10 (her refunded March installment is no gift), Ben $5, B. Ray $40,
    # Cleo $5 + $3, Hal $20, Ivy $10; Ivy's is the one first gift ever.
    assert _totals(page.content) == {
        "net_cents": "$93.00",
        "count": "7",
        "donors": "5",
        "new": "1",
        "recurring_installments": "4",
        "recurring_cents": "$58.00",
    }
    compared = persona_client("finance").get(
        reverse("analytics:donors"), {**PERIOD, "compare": "previous"}
    )
    content = compared.content
    # Dec 30 – Feb 28: Ann $10 + $10 + $50, Ben $30 (Jan 31 local), Cleo $25, Dov $40 (his
    # January gift refunded in full), Hal $20; new: Ann, Cleo, Dov, Hal (Ben gave in December).
    assert "Compared with Dec 30, 2025 – Feb 28, 2026".encode() in content
    assert _compared(content, "net_cents") == ["$93.00", "$185.00", "-$92.00 (-50%)"]
    assert _compared(content, "count") == ["7", "7", "0 (0%)"]
    assert _compared(content, "donors") == ["5", "5", "0 (0%)"]
    assert _compared(content, "new") == ["1", "4", "-3 (-75%)"]
    assert _compared(content, "recurring_installments") == ["4", "2", "+2 (+100%)"]
    assert _compared(content, "recurring_cents") == ["$58.00", "$20.00", "+$38.00 (+190%)"]
    # The upgraded and downgraded keep their own previous period.
    assert [_figure(content, f) for f in ("upgraded", "downgraded", "unchanged")] == ["1", "2", "1"]
    year = persona_client("finance").get(reverse("analytics:donors"), {**PERIOD, "compare": "year"})
    assert _compared(year.content, "donors") == ["5", "0", "+5"]


def test_a_segment_narrows_every_figure_but_the_schedule(persona_client, extract_file):
    world = giving_world_build()
    ben = snapshot("Ben", world["ben"])
    client = persona_client("finance")
    query = {**PERIOD, "segment": str(ben.pk), "compare": "previous"}
    content = client.get(reverse("analytics:donors"), query).content
    assert b'id="scope"' in content and "“Ben”".encode() in content
    # Ben's cluster (B. Ray's April $40 installment joins it): $30 before, $5 + $40 now.
    assert [_figure(content, f) for f in ("upgraded", "downgraded", "unchanged")] == ["1", "0", "0"]
    assert [_figure(content, f) for f in ("only-current", "only-previous")] == ["0", "0"]
    assert _compared(content, "net_cents") == ["$45.00", "$30.00", "+$15.00 (+50%)"]
    assert _compared(content, "donors") == ["1", "1", "0 (0%)"]
    assert _compared(content, "new") == ["0", "0", "0"]
    assert _compared(content, "recurring_cents") == ["$40.00", "$0.00", "+$40.00"]
    assert _row(content, "cohorts", "Dec 2025")[:3] == ["Dec 2025", "1", "1 (100%)"]
    assert _row(content, "cohorts", "Jan 2026")[:3] == ["Jan 2026", "0", "—"]
    assert _row(content, "recurring", "March 2026") == ["March 2026", "0", "0", "$0.00"]
    assert _row(content, "recurring", "April 2026") == ["April 2026", "1", "1", "$40.00"]
    # The lists keep the segment, and hold its donors only.
    link = f"?start=2026-03-01&amp;end=2026-04-30&amp;segment={ben.pk}&amp;compare=previous"
    assert link.encode() in content
    up = client.get(reverse("analytics:donor_changes", args=["upgraded"]), query)
    assert _row(up.content, "changed", "B. Ray") == ["B. Ray", "$30.00", "$45.00", "+$15.00"]
    assert b"1 in all" in up.content
    down = client.get(reverse("analytics:donor_changes", args=["downgraded"]), query)
    assert b"No downgraded donors" in down.content and b"Ann Lark" not in down.content


def test_an_empty_segment_says_so_on_the_donors_page(persona_client, extract_file):
    giving_world_build()
    nobody = snapshot("Nobody yet")
    page = persona_client("finance").get(
        reverse("analytics:donors"), {**PERIOD, "segment": str(nobody.pk)}
    )
    assert page.status_code == 200
    assert b'id="scope-empty"' in page.content and "“Nobody yet”".encode() in page.content
    assert _totals(page.content)["donors"] == "0"
    assert _figure(page.content, "downgraded") == "0"
    assert b"No one gave for the first time" in page.content


def test_a_segment_that_is_gone_is_refused(persona_client, extract_file, caplog):
    # Finance roles may see every segment (giving ones included: the page is theirs alone), so
    # what they cannot see is a segment no longer there.
    gone = snapshot("Deleted since")
    number = gone.pk
    gone.delete()
    client = persona_client("finance")
    for url in (
        reverse("analytics:donors"),
        reverse("analytics:donor_changes", args=["upgraded"]),
    ):
        response = client.get(url, {"segment": str(number)})
        assert response.status_code == 400
        assert b"no such segment you can see" in response.content
    assert "analytics: refused" in caplog.text
    giving = snapshot("Givers", needs=FINANCE_VIEW)
    assert client.get(reverse("analytics:donors"), {"segment": str(giving.pk)}).status_code == 200


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
        ("", {"segment": "99999"}),
        ("", {"segment": "1 OR 1=1"}),
        ("", {"compare": "decade"}),
        ("downgraded", {"segment": "-1"}),
        ("downgraded", {"compare": "\x00"}),
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
    # A segment over giving, and the number of one deleted since (refused).
    gone = snapshot("Gone")
    numbers = [str(snapshot("Givers", needs=FINANCE_VIEW).pk), str(gone.pk)]
    gone.delete()
    chosen = st.sampled_from([*numbers, "previous", "year", ""])
    names = st.sampled_from(["start", "end", "page", "segment", "compare"])

    @STAFF_SUITE
    @given(
        path=st.sampled_from(["", "upgraded/", "downgraded/"]),
        fields=st.lists(st.tuples(names, st.one_of(VALUES, chosen)), max_size=4),
    )
    def property_holds(path, fields):
        query = "&".join(f"{_encode(k)}={_encode(v)}" for k, v in fields)
        response = client.get(f"/analytics/donors/{path}?{query}")
        assert response.status_code in (200, 400), response.status_code
        seen[response.status_code] += 1

    property_holds()
    assert seen[200] and seen[400], seen
