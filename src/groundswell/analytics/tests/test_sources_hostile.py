"""Generated input to the sources page and the ad-spend form: a page, a form error or a plain
400, never a 500; whatever the spend form accepts is stored in whole cents as entered."""

from __future__ import annotations

import logging
import re
from datetime import date, timedelta
from urllib.parse import quote

import pytest
from django.test import Client
from hypothesis import example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from groundswell.analytics.sources.forms import MAX_SPEND_CENTS, SpendForm
from groundswell.analytics.sources.models import AdSpend
from groundswell.analytics.tests.dataset import sources_tag, world_build
from groundswell.core.tests.hostile import EXAMPLES, HOSTILE_TEXT, SUITE

# Each answered query refreshes the extract and runs the metric: a twentieth of EXAMPLES.
STAFF_SUITE = hypothesis_settings(SUITE, max_examples=max(EXAMPLES // 20, 50))
DATES = st.one_of(
    st.dates(date(1990, 1, 1), date(2110, 12, 31)).map(date.isoformat),
    st.sampled_from(["2026-02-30", "2026-13-01", "99999-01-01", "-1-01-01", ""]),
)
NUMBERS = st.one_of(st.integers(-(10**20), 10**20).map(str), st.sampled_from(["1", "2"]))
VALUES = st.one_of(HOSTILE_TEXT, st.text(max_size=30), DATES, NUMBERS)
ECHOED = re.compile(rb'value="[^"]*"')
SORTS = st.sampled_from(["net", "-net", "key", "-donors", "signups", "-salary"])


def _encode(text: str) -> str:
    return quote(text.encode("utf-8", errors="replace"))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", ["finance", "organizer"])
def test_generated_queries_get_a_page_or_a_plain_refusal(make_user, extract_file, role):
    from groundswell.accounts.roles import FINANCE_VIEW
    from groundswell.analytics.tests.test_filters import snapshot

    logging.getLogger("groundswell.analytics.sources.views").setLevel(logging.ERROR)
    world = sources_tag(world_build())
    client = Client()
    client.force_login(make_user(role))
    seen = {200: 0, 400: 0}
    # A segment of Pia, and one only finance may see (refused to the organizer).
    segments = [snapshot("Pia", world["p1"]), snapshot("Givers", world["p2"], needs=FINANCE_VIEW)]
    filters = st.sampled_from([str(s.pk) for s in segments] + ["previous", "year", ""])

    @STAFF_SUITE
    @given(
        fields=st.lists(
            st.tuples(
                st.sampled_from(["start", "end", "by", "sort", "page", "segment", "compare", "zz"]),
                st.one_of(VALUES, SORTS, st.sampled_from(["refcode", "channel", "page"]), filters),
            ),
            max_size=5,
        )
    )
    @example(fields=[("start", "$"), ("end", "$5.00")])  # CI met it: an echoed "$"
    def property_holds(fields):
        query = "&".join(f"{_encode(k)}={_encode(v)}" for k, v in fields)
        response = client.get(f"/analytics/sources/?{query}")
        assert response.status_code in (200, 400), response.status_code
        seen[response.status_code] += 1
        if role == "organizer":
            # The form gives back what was typed (start=$ comes back as value="$"); an echoed
            # value is the visitor's own text, not a figure, so only the rest must hold no "$".
            shown = ECHOED.sub(b'value=""', response.content).replace(b'"$schema"', b"")
            assert b"$" not in shown

    property_holds()
    assert seen[200] and seen[400], seen


AMOUNTS = st.one_of(
    st.integers(-(10**14), 10**14).map(str),
    st.decimals(min_value=-10, max_value=10**9, places=2).map(str),
    st.builds(lambda d, c: f"${d:,}.{c:02d}", st.integers(0, 10**9), st.integers(0, 99)),
    HOSTILE_TEXT,
)
# Mostly a plausible period (a valid form must be reachable), sometimes two unrelated values.
PERIODS = st.one_of(
    st.tuples(DATES, DATES),
    st.builds(
        lambda day, days: (day.isoformat(), (day + timedelta(days=days)).isoformat()),
        st.dates(date(1999, 6, 1), date(2100, 6, 1)),
        st.integers(-3, 400),
    ),
)
REFCODES = st.one_of(st.from_regex(r"[A-Za-z0-9._~-]{1,100}", fullmatch=True), HOSTILE_TEXT)


@pytest.mark.django_db
def test_generated_spend_forms_are_stored_in_whole_cents_or_refused(make_user):
    actor = make_user("finance")

    @SUITE
    @given(
        refcode=REFCODES,
        match=st.one_of(*[st.sampled_from(["exact", "prefix"])] * 3, HOSTILE_TEXT),
        period=PERIODS,
        amount=AMOUNTS,
        note=st.one_of(st.text(max_size=250), HOSTILE_TEXT),
    )
    # A valid form is always among the examples: at a small example budget the generated ones
    # may all be refusals, and the storing half of the property would go unchecked.
    @example(
        refcode="fb-spring",
        match="exact",
        period=("2026-03-01", "2026-03-31"),
        amount="$1,250.50",
        note="",
    )
    def property_holds(refcode, match, period, amount, note):
        start, end = period
        data = {"refcode": refcode, "match": match, "start": start, "end": end}
        form = SpendForm({**data, "amount": amount, "note": note})
        if not form.is_valid():
            assert form.errors
            return
        cents = form.cleaned_data["amount_cents"]
        assert 0 < cents <= MAX_SPEND_CENTS
        typed = re.sub(r"[$,\s]", "", amount)
        whole, _, part = typed.partition(".")
        assert cents == int(whole) * 100 + int(part.ljust(2, "0") or 0)
        assert form.cleaned_data["start"] <= form.cleaned_data["end"]
        from groundswell.analytics.sources.services import adspend_add

        spend = adspend_add(data=form.cleaned_data, actor=actor)
        stored = AdSpend.objects.get(pk=spend.pk)
        assert (stored.amount_cents, stored.refcode) == (cents, form.cleaned_data["refcode"])
        stored.delete()
        saved[0] += 1

    saved = [0]
    property_holds()
    assert saved[0], "no generated form was valid: the property checked refusals only"
