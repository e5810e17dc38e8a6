"""Generated query strings on Donors by place: the page or a plain 400, never a 500, and never
a ZIP3 bin (nor "Other") of fewer people than the floor, whatever the range asked for."""

from __future__ import annotations

import json
import logging
import re
from datetime import date
from urllib.parse import quote

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from groundswell.accounts.roles import FINANCE_VIEW
from groundswell.analytics.tests.places_dataset import places_world_build
from groundswell.analytics.tests.test_filters import snapshot
from groundswell.core.tests.hostile import EXAMPLES, HOSTILE_TEXT, SUITE

# Each answered query refreshes the extract and runs four grouped queries (about two seconds on
# a busy 2-core machine): a hundredth of EXAMPLES, fifty at the least.
STAFF_SUITE = hypothesis_settings(SUITE, max_examples=max(EXAMPLES // 100, 50))
DAYS = st.dates(min_value=date(1990, 1, 1)).map(lambda d: d.isoformat())
SPRING_DAYS = st.sampled_from(["2026-01-01", "2026-03-01", "2026-03-03", "2026-03-31", ""])
NUMBERS = st.one_of(st.integers(-(10**20), 10**20).map(str), st.sampled_from(["1", "2", "3"]))
VALUES = st.one_of(SPRING_DAYS, SPRING_DAYS, DAYS, HOSTILE_TEXT, st.text(max_size=30), NUMBERS)
FLOOR = 2


def _encode(text: str) -> str:
    # Lone surrogates cannot be UTF-8: the test encodes them as a browser would (replaced).
    return quote(text.encode("utf-8", errors="replace"))


def _bins(html: str) -> list[int]:
    """Every ZIP3 count on the page: the table's cells and the chart's values."""
    if 'id="zip3"' not in html:
        return []
    table = html.split('id="zip3"')[1].split("</table>")[0]
    cells = [int(n.replace(",", "")) for n in re.findall(r'<td class="num">([\d,]+)</td>', table)]
    spec = html.split('id="zip3-spec" type="application/json">')[1].split("</script>")[0]
    charted = [value["donors"] for value in json.loads(spec)["data"]["values"]]
    assert sorted(charted) == sorted(cells)
    return cells


@pytest.mark.django_db(transaction=True)
def test_generated_queries_never_show_a_small_bin(make_user, extract_file, settings):
    logging.getLogger("groundswell.analytics.places.views").setLevel(logging.ERROR)
    logging.getLogger("django.request").setLevel(logging.ERROR)
    settings.GROUNDSWELL_ANALYTICS_MIN_BIN = FLOOR
    world = places_world_build()  # 033 holds Pia alone: the bin that must never show
    # Pia's segment (her one-donor bin must stay hidden there too), and one finance may see.
    segments = [snapshot("Pia", world["p1"]), snapshot("Givers", world["p2"], needs=FINANCE_VIEW)]
    chosen = st.sampled_from([str(s.pk) for s in segments] + ["previous", "year", ""])
    names = st.sampled_from(["start", "end", "minimum", "page", "segment", "compare", "zz"])
    client = Client()
    client.force_login(make_user("finance"))
    seen = {200: 0, 400: 0, "bins": 0}

    @STAFF_SUITE
    @given(
        fields=st.lists(
            st.tuples(names, st.one_of(VALUES, chosen, chosen)),
            max_size=5,
        )
    )
    def property_holds(fields):
        query = "&".join(f"{_encode(k)}={_encode(v)}" for k, v in fields)
        response = client.get(f"/analytics/donors/places/?{query}")
        assert response.status_code in (200, 400), response.status_code
        seen[response.status_code] += 1
        html = response.content.decode()
        bins = _bins(html)
        assert all(n >= FLOOR for n in bins), bins
        assert "033xx" not in html
        seen["bins"] += bool(bins)

    property_holds()
    assert seen[200] and seen[400] and seen["bins"], seen
