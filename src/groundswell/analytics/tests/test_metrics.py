"""Every metric against the hand-computed campaign of ``dataset.py``, on each engine.

The expected numbers were worked out by hand from the gifts listed in dataset.py's docstring.
The tests use transactional databases: the PostgreSQL engine reads through its own connection,
which cannot see a test's uncommitted rows.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from groundswell.analytics import metrics
from groundswell.analytics.engine import engine_open
from groundswell.analytics.tests.dataset import gift, world_build
from groundswell.identity.selectors import unique_donors

JAN1, FEB28 = date(2026, 1, 1), date(2026, 2, 28)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def engine_name(engine_name_with_spark):
    # Every metric here is held to the same hand-computed numbers on Spark as well.
    return engine_name_with_spark


def test_money_by_month_in_the_campaigns_time_zone(engine_name):
    world_build()
    with engine_open(name=engine_name) as engine:
        rows = metrics.money_by(engine, start=JAN1, end=FEB28, grain="month")
    # January: g1 and g5 (both January 31 in New York, February 1 in UTC) and g3.
    # February: g2 ($25 gross, $20 net), g4 ($20), g6 (refunded: gross only); g7 is a memo.
    assert rows == [
        metrics.MoneyRow(date(2026, 1, 1), 3, 6700, 6700),
        metrics.MoneyRow(date(2026, 2, 1), 2, 7500, 4000),
    ]


def test_money_by_week_and_day(engine_name):
    world_build()
    with engine_open(name=engine_name) as engine:
        weeks = metrics.money_by(engine, start=JAN1, end=FEB28, grain="week")
        days = metrics.money_by(engine, start=date(2026, 1, 31), end=date(2026, 2, 1), grain="day")
    assert weeks == [
        metrics.MoneyRow(date(2026, 1, 5), 1, 5000, 5000),
        metrics.MoneyRow(date(2026, 1, 26), 2, 1700, 1700),
        metrics.MoneyRow(date(2026, 2, 2), 1, 5500, 2000),
        metrics.MoneyRow(date(2026, 2, 9), 1, 2000, 2000),
    ]
    assert days == [metrics.MoneyRow(date(2026, 1, 31), 2, 1700, 1700)]


def test_money_totals_average_and_median(engine_name):
    world_build()
    with engine_open(name=engine_name) as engine:
        totals = metrics.money_totals(engine, start=JAN1, end=FEB28)
        empty = metrics.money_totals(engine, start=date(2023, 1, 1), end=date(2023, 12, 31))
    # Net gifts 1000, 2000, 5000, 2000, 700: average 10700 / 5, median 2000.
    assert totals == metrics.MoneyTotals(5, 14200, 10700, 2140, 2000)
    assert empty == metrics.MoneyTotals(0, 0, 0, None, None)


def test_unique_donors_new_and_returning(engine_name):
    world_build()
    with engine_open(name=engine_name) as engine:
        both = metrics.donors(engine, start=JAN1, end=FEB28)
        february = metrics.donors(engine, start=date(2026, 2, 1), end=FEB28)
        by_month = metrics.donors_by(engine, start=JAN1, end=FEB28, grain="month")
    # Pia (P1: g1, g2; first gave in 2025), Rafe (P2: g3 by cluster, g4 by person), Carol (by
    # name and ZIP). Dave's only gift was refunded; Eve's is a memo.
    assert (both.donors, both.new, both.returning, both.resolved) == (3, 2, 1, True)
    assert (february.donors, february.new) == (2, 0)
    assert by_month == [
        metrics.DonorRow(date(2026, 1, 1), 3, 2),
        metrics.DonorRow(date(2026, 2, 1), 2, 0),
    ]


def test_unique_donors_is_the_donor_goal_figure(engine_name):
    """One figure, one definition: the goal pages' count (identity) and the metric agree."""
    world_build()
    with engine_open(name=engine_name) as engine:
        ours = metrics.donors(engine, start=JAN1, end=FEB28).donors
        theirs_jan = metrics.donors(engine, start=JAN1, end=date(2026, 1, 31)).donors
    assert ours == unique_donors(start=JAN1, end=FEB28).unique == 3
    assert theirs_jan == unique_donors(start=JAN1, end=date(2026, 1, 31)).unique == 3


def test_names_keep_their_letters_on_every_engine(engine_name):
    """Two gifts no cluster holds, from Fred and from Red at one ZIP: two donors by name+ZIP.
    (Spark once trimmed an "f" or a "v" off a name's ends, and counted them as one.)"""
    gift(datetime(2026, 1, 10, 15, tzinfo=UTC), 1500, " Fred ", "Vance")
    gift(datetime(2026, 1, 11, 15, tzinfo=UTC), 1500, "Red", "Vance")
    with engine_open(name=engine_name) as engine:
        figures = metrics.donors(engine, start=JAN1, end=FEB28)
    # No resolution run: each is counted by name and ZIP, as identity's naive count does.
    assert figures.donors == 2 == unique_donors(start=JAN1, end=FEB28).naive


def test_lybunt_and_sybunt(engine_name):
    world = world_build()
    with engine_open(name=engine_name) as engine:
        lybunt = metrics.lapsed(engine, kind="lybunt", year=2026)
        sybunt = metrics.lapsed(engine, kind="sybunt", year=2026)
        next_year = metrics.lapsed(engine, kind="lybunt", year=2027)
    assert (
        lybunt.total,
        [(r.name, r.last_gift, r.last_year_cents, r.lifetime_cents) for r in lybunt.rows],
    ) == (1, [("Frank Ito", date(2025, 3, 1), 4000, 4000)])
    assert sybunt.total == 2
    assert [(r.name, r.lifetime_cents) for r in sybunt.rows] == [
        ("Frank Ito", 4000),
        ("Gina Park", 1000),
    ]
    # In 2027, everyone who gave in 2026 lapsed: Rafe $70, Pia $45 ($30 of it in 2026), Carol $7.
    assert next_year.total == 3
    assert [(r.name, r.last_year_cents, r.lifetime_cents, r.person_id) for r in next_year.rows] == [
        ("Rafe Quill", 7000, 7000, world["p2"].pk),
        ("Pia Lund", 3000, 4500, world["p1"].pk),
        ("Carol JONES", 700, 700, None),
    ]


def test_bad_grain_and_list_are_refused(engine_name):
    with engine_open(name=engine_name) as engine:
        with pytest.raises(ValueError, match="unknown grain"):
            metrics.money_by(engine, start=JAN1, end=FEB28, grain="fortnight")
        with pytest.raises(ValueError, match="unknown list"):
            metrics.lapsed(engine, kind="nobunt", year=2026)


def test_donors_of_several_ranges_at_once_are_each_ranges_own(engine_name):
    world_build()
    ranges = [(JAN1, FEB28), (date(2026, 2, 1), FEB28), (date(2025, 1, 1), date(2025, 12, 31))]
    with engine_open(name=engine_name) as engine:
        many = metrics.donors_many(engine, ranges=ranges)
        one_by_one = [metrics.donors(engine, start=s, end=e) for s, e in ranges]
    # 2025: Pia (g8) and Frank (g9), both first gifts that year.
    assert [(f.donors, f.new) for f in many] == [(3, 2), (2, 0), (2, 2)]
    assert many == one_by_one


def test_lapsed_pages_keep_the_total(engine_name):
    world_build()
    with engine_open(name=engine_name) as engine:
        second = metrics.lapsed(engine, kind="sybunt", year=2026, limit=1, offset=1)
        past_the_end = metrics.lapsed(engine, kind="sybunt", year=2026, limit=1, offset=5)
    assert (second.total, [r.name for r in second.rows]) == (2, ["Gina Park"])
    assert (past_the_end.total, past_the_end.rows) == (2, [])
