"""List growth, churn and unsubscribe reasons against the hand-computed list of
``people_dataset.py``, on the DuckDB extract and on PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest

from groundswell.analytics import metrics_people as mp
from groundswell.analytics.engine import engine_open
from groundswell.analytics.tests.people_dataset import list_build

JAN1, FEB28 = date(2026, 1, 1), date(2026, 2, 28)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def engine_name(engine_name_with_spark):
    # The same hand-computed numbers on Spark as well.
    return engine_name_with_spark


def test_list_growth_by_month_week_and_day(engine_name):
    list_build()
    with engine_open(name=engine_name) as engine:
        months = mp.list_growth(engine, start=JAN1, end=FEB28, grain="month")
        weeks = mp.list_growth(engine, start=JAN1, end=FEB28, grain="week")
        days = mp.list_growth(engine, start=date(2026, 1, 31), end=date(2026, 2, 1), grain="day")
    # January: A and B (B is January 31 in New York); subscribers A and B.
    # February: C only (D merged, E erased); subscribers C (Feb 2) and A again (Feb 8).
    assert months == [
        mp.GrowthRow(date(2026, 1, 1), 2, 2),
        mp.GrowthRow(date(2026, 2, 1), 1, 2),
    ]
    # Weeks from Monday: Jan 5 (A, A), Jan 26 (B, B), Feb 2 (C, C), Feb 2–8 also holds A's
    # return on Sunday Feb 8: subscribers C and A.
    assert weeks == [
        mp.GrowthRow(date(2026, 1, 5), 1, 1),
        mp.GrowthRow(date(2026, 1, 26), 1, 1),
        mp.GrowthRow(date(2026, 2, 2), 1, 2),
    ]
    assert days == [mp.GrowthRow(date(2026, 1, 31), 1, 1)]


def test_churn_by_month(engine_name):
    list_build()
    with engine_open(name=engine_name) as engine:
        months = mp.churn(engine, start=JAN1, end=FEB28, grain="month")
        empty = mp.churn(engine, start=date(2023, 1, 1), end=date(2023, 12, 31), grain="month")
    # January: F's complaint. February: A (link) and C (staff) unsubscribed, C bounced; C's
    # SMS unsubscribe is not e-mail.
    assert months == [
        mp.ChurnRow(date(2026, 1, 1), 0, 0, 1),
        mp.ChurnRow(date(2026, 2, 1), 2, 1, 0),
    ]
    assert empty == []


def test_unsubscribe_reasons(engine_name):
    list_build()
    with engine_open(name=engine_name) as engine:
        reasons = mp.unsubscribe_reasons(engine, start=JAN1, end=FEB28)
        february_fifth = mp.unsubscribe_reasons(
            engine, start=date(2026, 2, 5), end=date(2026, 2, 5)
        )
    assert reasons == [
        mp.ReasonRow("staff", "Staff", 1),
        mp.ReasonRow("unsubscribe_link", "Unsubscribe link", 1),
    ]
    assert february_fifth == [mp.ReasonRow("unsubscribe_link", "Unsubscribe link", 1)]


def test_the_ranges_totals_count_each_person_once(engine_name):
    list_build()
    with engine_open(name=engine_name) as engine:
        grown = mp.list_growth(engine, start=JAN1, end=FEB28, grain="range")
        lost = mp.churn(engine, start=JAN1, end=FEB28, grain="range")
    # Subscribers A, B, C: A subscribed in January and again in February, once here.
    assert grown == [mp.GrowthRow(JAN1, 3, 3)]
    assert lost == [mp.ChurnRow(JAN1, 2, 1, 1)]
