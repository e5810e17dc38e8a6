"""Generated query strings on the planning page: the page or a plain, logged 400, never a 500."""

from __future__ import annotations

import logging
from urllib.parse import quote

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from groundswell.analytics.planning.tests.world import issues_world
from groundswell.core.tests.hostile import EXAMPLES, HOSTILE_TEXT, SUITE

pytestmark = pytest.mark.django_db

# Each answered query reads the whole page (a few dozen queries): a twentieth of EXAMPLES.
STAFF_SUITE = hypothesis_settings(SUITE, max_examples=max(EXAMPLES // 20, 50))
DATES = st.one_of(
    st.dates().map(str),
    st.sampled_from(["2026-02-30", "0000-01-01", "9999-12-31", "2026-13-01", "-1", ""]),
)
VALUES = st.one_of(
    HOSTILE_TEXT,
    st.text(max_size=40),
    DATES,
    st.sampled_from(["rung", "state", "donor", "RUNG", "rung\x00"]),
)


def _encode(text: str) -> str:
    # Lone surrogates cannot be UTF-8: encoded as a browser would (replaced).
    return quote(text.encode("utf-8", errors="replace"))


class Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@pytest.mark.parametrize("role", ["finance", "organizer"])
def test_generated_queries_get_the_page_or_a_logged_refusal(make_user, role):
    issues_world()
    client = Client()
    client.force_login(make_user(role))
    records = Records()
    log = logging.getLogger("groundswell.analytics.planning.views")
    log.addHandler(records)
    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    seen = {200: 0, 400: 0}

    @STAFF_SUITE
    @given(
        fields=st.lists(
            st.tuples(st.sampled_from(["dimension", "start", "end", "zz"]), VALUES), max_size=4
        )
    )
    def property_holds(fields):
        query = "&".join(f"{_encode(k)}={_encode(v)}" for k, v in fields)
        before = len(records.messages)
        response = client.get(f"/analytics/planning/?{query}")
        assert response.status_code in (200, 400), response.status_code
        seen[response.status_code] += 1
        if response.status_code == 400:
            assert records.messages[before:], "a refusal must be logged"
            assert records.messages[-1].startswith("analytics: refused")

    try:
        property_holds()
    finally:
        log.removeHandler(records)
    assert seen[200] and seen[400], seen
