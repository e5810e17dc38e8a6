"""Generated query strings on the lapsed-donor lists: a list or a plain 400, never a 500."""

from __future__ import annotations

import logging
from datetime import date
from urllib.parse import quote

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from groundswell.analytics.tests.dataset import world_build
from groundswell.core.tests.hostile import EXAMPLES, HOSTILE_TEXT, SUITE

# Each answered query refreshes the extract (a few queries): a twentieth of EXAMPLES.
STAFF_SUITE = hypothesis_settings(SUITE, max_examples=max(EXAMPLES // 20, 50))
NUMBERS = st.one_of(st.integers(-(10**20), 10**20).map(str), st.sampled_from(["2025", "2026"]))
VALUES = st.one_of(HOSTILE_TEXT, st.text(max_size=40), NUMBERS)


def _encode(text: str) -> str:
    # Lone surrogates cannot be UTF-8: the test encodes them as a browser would (replaced).
    return quote(text.encode("utf-8", errors="replace"))


@pytest.mark.django_db(transaction=True)
def test_generated_queries_get_a_list_or_a_plain_refusal(make_user, extract_file):
    logging.getLogger("groundswell.analytics.views").setLevel(logging.ERROR)
    world_build()
    client = Client()
    client.force_login(make_user("finance"))
    seen = {200: 0, 400: 0}

    @STAFF_SUITE
    @given(
        kind=st.one_of(st.sampled_from(["lybunt", "sybunt"]), VALUES),
        fields=st.lists(st.tuples(st.sampled_from(["year", "page", "zz"]), VALUES), max_size=3),
    )
    def property_holds(kind, fields):
        query = "&".join(f"{_encode(k)}={_encode(v)}" for k, v in fields)
        response = client.get(f"/analytics/lapsed/{_encode(kind)}/?{query}")
        assert response.status_code in (200, 400, 404), response.status_code
        if response.status_code in seen:
            seen[response.status_code] += 1

    property_holds()
    assert seen[200] and seen[400], seen


DATES = st.one_of(
    st.dates().map(str), st.sampled_from(["2026-01-01", "2026-02-28", "1999-12-31", "2026-02-30"])
)
FILTER_VALUES = st.one_of(VALUES, DATES, st.sampled_from(["previous", "year", ""]))


@pytest.mark.django_db(transaction=True)
def test_generated_filters_get_a_page_or_a_plain_refusal(make_user, extract_file, caplog):
    """The overview and its CSV: any query string is answered or refused (400, logged)."""
    logging.getLogger("groundswell.analytics.views").setLevel(logging.WARNING)
    world_build()
    client = Client()
    client.force_login(make_user("organizer"))
    seen = {200: 0, 400: 0}

    @STAFF_SUITE
    @given(
        csv=st.booleans(),
        fields=st.lists(
            st.tuples(st.sampled_from(["start", "end", "segment", "compare", "zz"]), FILTER_VALUES),
            max_size=4,
        ),
    )
    def property_holds(csv, fields):
        query = "&".join(f"{_encode(k)}={_encode(v)}" for k, v in fields)
        path = "/analytics/csv/range/" if csv else "/analytics/"
        caplog.clear()
        response = client.get(f"{path}?{query}")
        assert response.status_code in (200, 400), response.status_code
        if response.status_code == 400:
            assert "analytics: refused" in caplog.text
        seen[response.status_code] += 1

    property_holds()
    assert seen[200] and seen[400], seen


PEOPLE_DATES = st.one_of(
    st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31)).map(date.isoformat),
    VALUES,
)


@pytest.mark.django_db(transaction=True)
def test_generated_people_ranges_get_the_dashboard_or_a_plain_refusal(make_user, extract_file):
    """Any start, end, grain, segment and comparison: the dashboard (200) or the form's error
    (400), never a 500; what is answered is exactly what the rules allow (a segment only one
    the viewer may see)."""
    from groundswell.accounts.roles import FINANCE_VIEW
    from groundswell.analytics.tests.test_filters import snapshot

    logging.getLogger("groundswell.analytics.views_people").setLevel(logging.ERROR)
    client = Client()
    client.force_login(make_user("organizer"))
    today = timezone.localdate()
    seen = {200: 0, 400: 0}
    plain = snapshot("Everyone we met")
    giving = snapshot("Big givers", needs=FINANCE_VIEW)  # not the organizer's to see
    segments = st.one_of(st.sampled_from([str(plain.pk), str(giving.pk), ""]), VALUES)

    @STAFF_SUITE
    @given(
        start=PEOPLE_DATES,
        end=PEOPLE_DATES,
        grain=st.one_of(st.sampled_from(["day", "week", "month", ""]), VALUES),
        segment=segments,
        compare=st.one_of(st.sampled_from(["previous", "year", ""]), VALUES),
    )
    def property_holds(start, end, grain, segment, compare):
        query = "&".join(
            f"{k}={_encode(v)}"
            for k, v in (
                ("start", start),
                ("end", end),
                ("grain", grain),
                ("segment", segment),
                ("compare", compare),
            )
        )
        response = client.get(f"/analytics/people/?{query}")
        assert response.status_code in (200, 400), response.status_code
        seen[response.status_code] += 1
        if response.status_code == 200:
            board = response.context["board"]
            assert date(2000, 1, 1) <= board.start <= board.end <= today
            assert board.grain in ("day", "week", "month")
            assert board.segment in (None, plain)
            assert (board.before is None) == (compare == "")

    property_holds()
    assert seen[200] and seen[400], seen
