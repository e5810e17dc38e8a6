"""Cohorts, upgraded/downgraded donors and recurring gifts against ``dataset_giving.py``.

The expected numbers were worked out by hand from the gifts in that module's docstring; each
test runs on the DuckDB extract and, with DATABASE_URL on PostgreSQL, on PostgreSQL.
"""

from __future__ import annotations

from datetime import date

import pytest

from groundswell.analytics import metrics
from groundswell.analytics.engine import engine_open
from groundswell.analytics.metrics import ChangedDonor, CohortRow, DonorChanges, RecurringRow
from groundswell.analytics.tests.dataset_giving import giving_world_build

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def engine_name(engine_name_with_spark):
    # The same hand-computed numbers on Spark as well.
    return engine_name_with_spark


DEC1, APR30 = date(2025, 12, 1), date(2026, 4, 30)
PREVIOUS, CURRENT = (date(2026, 1, 1), date(2026, 2, 28)), (date(2026, 3, 1), APR30)


def test_retention_cohorts_by_first_gift_month(engine_name):
    giving_world_build()
    with engine_open(name=engine_name) as engine:
        rows = metrics.cohorts(engine, start=DEC1, end=APR30, months=4)
    # Ben's Jan 31 gift is January's in New York (February's in UTC); Dov's January gift was
    # refunded, so he first gave in February; Ivy's April 30 gift is May 1 in UTC.
    assert rows == [
        CohortRow(date(2025, 12, 1), 1, (1, 0, 1, 1)),  # Ben
        CohortRow(date(2026, 1, 1), 2, (1, 1, 1, None)),  # Ann, Cleo
        CohortRow(date(2026, 2, 1), 2, (0, 1, None, None)),  # Dov, Hal
        CohortRow(date(2026, 3, 1), 0, (0, None, None, None)),
        CohortRow(date(2026, 4, 1), 1, (None, None, None, None)),  # Ivy
    ]
    assert rows[1].cells == [(1, 50), (1, 50), (1, 50), (None, None)]
    assert rows[3].cells[0] == (0, None)


def test_a_cohorts_size_is_the_months_new_donors(engine_name):
    """One figure, one definition: the cohort's size is donors_by's "new" for its month."""
    giving_world_build()
    with engine_open(name=engine_name) as engine:
        rows = metrics.cohorts(engine, start=DEC1, end=APR30, months=2)
        by_month = metrics.donors_by(engine, start=DEC1, end=APR30, grain="month")
    new = {row.bucket: row.new for row in by_month}
    assert [row.size for row in rows] == [new.get(row.month, 0) for row in rows] == [1, 2, 2, 0, 1]


def test_upgraded_and_downgraded_donors(engine_name):
    world = giving_world_build()
    with engine_open(name=engine_name) as engine:
        changes = metrics.donor_changes(engine, current=CURRENT, previous=PREVIOUS)
        up = metrics.donor_changes_list(engine, kind="upgraded", current=CURRENT, previous=PREVIOUS)
        down = metrics.donor_changes_list(
            engine, kind="downgraded", current=CURRENT, previous=PREVIOUS
        )
    # Ann $70 → $10 (March's gift refunded), Ben $30 → $45 (with "B. Ray"), Cleo $25 → $8
    # ($5 + $3), Hal $20 → $20 (a tie: neither), Dov $40 → nothing (stopped), Ivy new.
    assert changes == DonorChanges(
        upgraded=1, downgraded=2, unchanged=1, only_current=1, only_previous=1
    )
    ben, ann = world["ben"], world["ann"]
    assert (up.total, up.rows) == (1, [ChangedDonor(f"p:{ben.pk}", "B. Ray", 3000, 4500)])
    assert down.total == 2
    assert [(r.name, r.previous_cents, r.current_cents, r.person_id) for r in down.rows] == [
        ("Ann Lark", 7000, 1000, ann.pk),
        ("Cleo Voss", 2500, 800, None),
    ]
    assert down.rows[0].change_cents == -6000


def test_changes_page_past_the_end_keeps_the_total(engine_name):
    giving_world_build()
    with engine_open(name=engine_name) as engine:
        second = metrics.donor_changes_list(
            engine, kind="downgraded", current=CURRENT, previous=PREVIOUS, limit=1, offset=1
        )
        beyond = metrics.donor_changes_list(
            engine, kind="downgraded", current=CURRENT, previous=PREVIOUS, limit=1, offset=9
        )
    assert (second.total, [r.name for r in second.rows]) == (2, ["Cleo Voss"])
    assert (beyond.total, beyond.rows) == (2, [])


def test_recurring_donors_and_monthly_recurring_revenue(engine_name):
    giving_world_build()
    with engine_open(name=engine_name) as engine:
        rows = metrics.recurring_by(engine, start=DEC1, end=APR30)
    # Eve's recurring memo row never counts; Ann's March installment was refunded in full;
    # Cleo's two March installments net $5 + $3; April: Ann and Ben (as "B. Ray").
    assert rows == [
        RecurringRow(date(2025, 12, 1), 0, 0, 0),
        RecurringRow(date(2026, 1, 1), 1, 1, 1000),
        RecurringRow(date(2026, 2, 1), 1, 1, 1000),
        RecurringRow(date(2026, 3, 1), 1, 2, 800),
        RecurringRow(date(2026, 4, 1), 2, 2, 5000),
    ]


def test_bad_arguments_are_refused(engine_name):
    with engine_open(name=engine_name) as engine:
        with pytest.raises(ValueError, match="previous period"):
            metrics.donor_changes(engine, current=PREVIOUS, previous=CURRENT)
        with pytest.raises(ValueError, match="unknown list"):
            metrics.donor_changes_list(
                engine, kind="sidegraded", current=CURRENT, previous=PREVIOUS
            )
        with pytest.raises(ValueError, match="months"):
            metrics.cohorts(engine, start=DEC1, end=APR30, months=0)


def test_an_empty_campaign_has_empty_figures(engine_name):
    with engine_open(name=engine_name) as engine:
        rows = metrics.cohorts(engine, start=DEC1, end=date(2026, 1, 31), months=1)
        changes = metrics.donor_changes(engine, current=CURRENT, previous=PREVIOUS)
        recurring = metrics.recurring_by(engine, start=DEC1, end=date(2025, 12, 31))
    assert rows == [CohortRow(date(2025, 12, 1), 0, (0,)), CohortRow(date(2026, 1, 1), 0, (None,))]
    assert changes == DonorChanges(0, 0, 0, 0, 0)
    assert recurring == [RecurringRow(date(2025, 12, 1), 0, 0, 0)]
