"""Donors by state, the debate-threshold view and ZIP3 bins against the hand-computed campaign of
``places_dataset.py``, on each engine; the per-state figures against the donor-goal page's."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from groundswell.analytics import metrics
from groundswell.analytics.engine import engine_open
from groundswell.analytics.places import metrics as places
from groundswell.analytics.places.metrics import StateRow, Zip3Bin
from groundswell.analytics.tests.places_dataset import places_world_build
from groundswell.identity.models import ThresholdRuleSet
from groundswell.identity.thresholds import progress

JAN1, MAR31 = date(2026, 1, 1), date(2026, 3, 31)
MAR1 = date(2026, 3, 1)

pytestmark = pytest.mark.django_db(transaction=True)


def test_donors_and_net_by_state(engine_name_with_spark):
    engine_name = engine_name_with_spark  # the same numbers on Spark too
    places_world_build()
    with engine_open(name=engine_name) as engine:
        rows = places.donors_by_state(engine, start=JAN1, end=MAR31)
        totals = metrics.money_totals(engine, start=JAN1, end=MAR31)
        donors = metrics.donors(engine, start=JAN1, end=MAR31).donors
        empty = places.donors_by_state(engine, start=date(2023, 1, 1), end=date(2023, 12, 31))
    # Pia gave from VT, then NH (her latest): she counts in NH, her VT gifts' dollars stay in VT.
    # Rafe's CA gift was refunded in full: no donor and no dollar in California.
    assert rows == [
        StateRow("NH", "New Hampshire", 1, 3000),
        StateRow("NY", "New York", 2, 2000),
        StateRow("VT", "Vermont", 2, 10800),
        StateRow("", "No state given", 2, 1500),
    ]
    # Every donor counted once; the states' net is the range's net.
    assert sum(r.donors for r in rows) == donors == 7
    assert sum(r.net_cents for r in rows) == totals.net_cents == 17300
    assert empty == []


def test_a_donor_without_a_state_on_the_latest_gift_keeps_the_last_one_named(
    engine_name_with_spark,
):
    engine_name = engine_name_with_spark  # the same numbers on Spark too
    world = places_world_build()
    assert world["h3"].received_at > world["h2"].received_at  # Sam's later gift names no state
    with engine_open(name=engine_name) as engine:
        march = places.donors_by_state(engine, start=MAR1, end=MAR31)
        february = places.donors_by_state(engine, start=date(2026, 2, 1), end=date(2026, 2, 28))
    # March alone: Pia (NH), Sam and Tia (NY), Rafe (VT), Uma and Val (none); Carol gave in Jan.
    assert [(r.code, r.donors, r.net_cents) for r in march] == [
        ("NH", 1, 3000),
        ("NY", 2, 2000),
        ("VT", 1, 100),
        ("", 2, 1500),
    ]
    # February: Pia (g2) and Rafe (g4), both still in Vermont then.
    assert [(r.code, r.donors, r.net_cents) for r in february] == [("VT", 2, 4000)]


def test_the_threshold_view_is_the_goal_pages_per_state_figure(engine_name):
    """One figure, one definition: each state's donors here are the goal page's."""
    places_world_build()
    rule_set = ThresholdRuleSet.objects.create(
        name="Spring debate",
        slug="spring-debate",
        total_donors=100,
        per_state_minimum=2,
        states_required=3,
        window_start=JAN1,
        window_end=MAR31,
        deadline=MAR31,
        active=True,
    )
    with engine_open(name=engine_name) as engine:
        rows = places.donors_by_state(engine, start=JAN1, end=MAR31)
    view = places.threshold_view(rows, start=JAN1, end=MAR31, minimum=2, states_required=3)
    goal_page = progress(rule_set=rule_set, today=date(2026, 4, 2))
    assert {s.code: s.donors for s in view.states} == {s.code: s.donors for s in goal_page.states}
    assert view.qualifying == goal_page.states_met == 2
    assert view.states_to_go == goal_page.states_to_go == 1
    # NY and VT reach 2; NH needs one more; every other state two.
    assert [(s.code, s.donors, s.met, s.shortfall) for s in view.states[:3]] == [
        ("NY", 2, True, 0),
        ("VT", 2, True, 0),
        ("NH", 1, False, 1),
    ]
    assert len(view.states) == 56 and view.states[3].shortfall == 2


def test_threshold_view_without_a_goal_counts_states_only():
    rows = [StateRow("VT", "Vermont", 5, 0), StateRow("", "No state given", 9, 0)]
    view = places.threshold_view(rows, start=JAN1, end=MAR31, minimum=5, states_required=None)
    assert (view.qualifying, view.states_to_go) == (1, None)
    with pytest.raises(ValueError):
        places.threshold_view(rows, start=JAN1, end=MAR31, minimum=0, states_required=None)


def test_zip3_bins_never_hold_fewer_than_the_minimum(engine_name_with_spark):
    engine_name = engine_name_with_spark  # the same numbers on Spark too
    places_world_build()
    with engine_open(name=engine_name) as engine:
        two = places.donors_by_zip3(engine, start=JAN1, end=MAR31, minimum=2)
        three = places.donors_by_zip3(engine, start=JAN1, end=MAR31, minimum=3)
        early_march = places.donors_by_zip3(engine, start=MAR1, end=date(2026, 3, 3), minimum=3)
        with pytest.raises(ValueError):
            places.donors_by_zip3(engine, start=JAN1, end=MAR31, minimum=1)
    # 054: Rafe and Carol; 100: Sam and Tia; 033: Pia alone, folded with Uma and Val (no ZIP).
    assert (two.bins, two.other, two.folded) == ([Zip3Bin("054", 2), Zip3Bin("100", 2)], 3, 1)
    # At three, every area is folded: 2 + 2 + 1 + 2 no-ZIP donors = 7 in "other".
    assert (three.bins, three.other, three.folded) == ([], 7, 3)
    # March 1–3: Sam and Tia (100) only — two, under three, and "other" withheld too.
    assert (early_march.bins, early_march.other, early_march.folded) == ([], None, 1)


def test_state_names_are_read_as_identity_reads_them():
    """The SQL reading of a state is identity.selectors.state_code's, spelling by spelling."""
    import ibis

    from groundswell.identity.selectors import state_code

    typed = ["Vermont", "vt.", " n.y. ", "Washington, D.C.", "District of Columbia", "new  york"]
    typed += ["ZZ", "", None, "Calif", "US Virgin Islands", "pr", "Ohio!", "Northern Mariana"]
    table = ibis.memtable({"state": typed}, schema={"state": "string"})
    read = table.select(code=places._state_code(table.state))
    ours = ibis.duckdb.connect().execute(read)["code"].tolist()
    assert ours == [state_code(value) for value in typed]
    assert ours[:6] == ["VT", "VT", "", "DC", "DC", "NY"]


@given(
    counts=st.dictionaries(
        st.one_of(st.just(places.NO_STATE), st.from_regex(r"[0-9]{3}", fullmatch=True)),
        st.integers(1, 40),
        max_size=12,
    ),
    minimum=st.integers(2, 15),
)
def test_no_bin_under_the_minimum_can_be_worked_out_from_the_total(counts, minimum):
    folded = places.zip3_fold(counts, minimum=minimum)
    total = sum(counts.values())
    shown = sum(b.donors for b in folded.bins)
    assert all(b.donors >= minimum for b in folded.bins)
    # What the page's total less the bins gives: nothing, or a sum of at least the minimum.
    assert total - shown == 0 or total - shown >= minimum or not folded.bins
    assert folded.other == (total - shown if total - shown >= minimum or total == shown else None)
    # Folding takes the smallest bins first, and only as many as it needs.
    small = [b.donors for b in folded.bins]
    assert small == sorted(small, reverse=True)


def test_one_small_area_beside_big_ones_takes_the_smallest_big_one_with_it():
    folded = places.zip3_fold({"100": 30, "054": 12, "059": 11, "999": 3}, minimum=10)
    assert folded.bins == [Zip3Bin("100", 30), Zip3Bin("054", 12)]
    assert (folded.other, folded.folded) == (14, 2)
