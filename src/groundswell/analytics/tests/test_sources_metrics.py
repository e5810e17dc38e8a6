"""Money and donors by refcode, channel and page, and per ad-spend target, against the
hand-computed campaign of ``dataset.py`` (with ``sources_tag``), on each engine."""

from __future__ import annotations

from datetime import date

import pytest

from groundswell.analytics import metrics
from groundswell.analytics.engine import engine_open
from groundswell.analytics.metrics_sources import (
    SourceRow,
    SpendTarget,
    TargetFigures,
    channel_for,
    sources,
    spend_targets,
)
from groundswell.analytics.tests.dataset import sources_tag, world_build
from groundswell.donations.selectors import DateRange, money_totals

JAN1, FEB28 = date(2026, 1, 1), date(2026, 2, 28)

pytestmark = pytest.mark.django_db(transaction=True)


def test_by_refcode(engine_name_with_spark):
    engine_name = engine_name_with_spark  # the same numbers on Spark too
    sources_tag(world_build())
    with engine_open(name=engine_name) as engine:
        rows = sources(engine, start=JAN1, end=FEB28, dimension="refcode")
    # fb-spring: g2 ($25, $5 refunded) counts; g6 (refunded) only in gross; g7 is a memo.
    # New donors: Rafe (first gift g3, Jan 10) and Carol; Pia first gave in 2025.
    assert rows == [
        SourceRow("email-eoq", 1, 5000, 5000, 1, 1),
        SourceRow("fb-spring", 1, 5500, 2000, 1, 0),
        SourceRow("fb_ads", 1, 2000, 2000, 1, 1),
        SourceRow("email-0412", 1, 1000, 1000, 1, 0),
        SourceRow("", 1, 700, 700, 1, 1),
    ]


def test_by_channel_and_page(engine_name_with_spark):
    engine_name = engine_name_with_spark  # the same numbers on Spark too
    world = sources_tag(world_build())
    with engine_open(name=engine_name) as engine:
        channels = sources(engine, start=JAN1, end=FEB28, dimension="channel")
        pages = sources(engine, start=JAN1, end=FEB28, dimension="page")
    # email: g1 (Pia) and g3 (Rafe); fb: g2 (Pia), g4 (Rafe), g6 refunded (gross only).
    assert channels == [
        SourceRow("email", 2, 6000, 6000, 2, 1),
        SourceRow("fb", 2, 7500, 4000, 2, 1),
        SourceRow("", 1, 700, 700, 1, 1),
    ]
    assert pages == [
        SourceRow("", 2, 9000, 6000, 2, 1),
        SourceRow(f"page:{world['spring'].pk}", 2, 4500, 4000, 2, 1),
        SourceRow("form:ActBlue main", 1, 700, 700, 1, 1),
    ]


def test_refcode_rows_add_up_to_the_totals_and_match_the_finance_figures(engine_name):
    """One figure, one definition: each refcode's money is the donations app's for that
    refcode, and the rows add up to the overview's totals."""
    sources_tag(world_build())
    with engine_open(name=engine_name) as engine:
        rows = sources(engine, start=JAN1, end=FEB28, dimension="refcode")
        totals = metrics.money_totals(engine, start=JAN1, end=FEB28)
        donors = metrics.donors(engine, start=JAN1, end=FEB28)
    assert sum(r.net_cents for r in rows) == totals.net_cents == 10700
    assert sum(r.gross_cents for r in rows) == totals.gross_cents
    assert sum(r.count for r in rows) == totals.count
    # Rafe is new by two refcodes (g3, g4): new donors per refcode do not add up.
    assert (sum(r.new for r in rows), donors.new) == (3, 2)
    period = DateRange(JAN1, FEB28)
    for row in rows:
        theirs = money_totals(period=period, refcode=row.key)
        assert (row.count, row.gross_cents, row.net_cents) == (
            theirs.count,
            theirs.gross_cents,
            theirs.net_cents,
        ), row.key


def test_spend_targets(engine_name_with_spark):
    engine_name = engine_name_with_spark  # the same numbers on Spark too
    sources_tag(world_build())
    targets = [
        SpendTarget("fb", prefix=True),
        SpendTarget("email-0412", prefix=False),
        SpendTarget("email", prefix=False),  # no refcode is exactly "email"
    ]
    with engine_open(name=engine_name) as engine:
        figures = spend_targets(engine, start=JAN1, end=FEB28, targets=targets)
        none = spend_targets(engine, start=JAN1, end=FEB28, targets=[])
        before = spend_targets(
            engine, start=date(2023, 1, 1), end=date(2023, 12, 31), targets=targets
        )
    assert figures == [
        TargetFigures(net_cents=4000, count=2, new=1),
        TargetFigures(net_cents=1000, count=1, new=0),
        TargetFigures(net_cents=0, count=0, new=0),
    ]
    assert none == []
    assert before == [TargetFigures(0, 0, 0)] * 3


def test_empty_range_and_bad_dimension(engine_name):
    sources_tag(world_build())
    with engine_open(name=engine_name) as engine:
        assert sources(engine, start=date(2023, 1, 1), end=date(2023, 1, 2), dimension="page") == []
        with pytest.raises(ValueError, match="unknown dimension"):
            sources(engine, start=JAN1, end=FEB28, dimension="weather")


@pytest.mark.parametrize(
    ("refcode", "channel"),
    [
        ("email-0412", "email"),
        ("FB_spring", "fb"),
        ("sms", "sms"),
        ("", ""),
        ("-x", ""),
        (" Ads-yt ", "ads"),
    ],
)
def test_channel_in_python_is_the_engines_channel(engine_name, refcode, channel):
    """Sign-ups (counted by the actions app) get their channel in Python: the same rule."""
    from groundswell.analytics.tests.dataset import gift

    gift(date(2026, 1, 5).isoformat() + "T12:00Z", 500, "Ida", "Ray", refcode=refcode)
    with engine_open(name=engine_name) as engine:
        rows = sources(engine, start=JAN1, end=FEB28, dimension="channel")
    assert [r.key for r in rows] == [channel] == [channel_for(refcode)]
