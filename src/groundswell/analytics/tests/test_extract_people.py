"""People and consent changes in the extract: an extract made before they existed is upgraded in
place, and later refreshes follow new, changed and deleted people."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from groundswell.analytics import metrics, metrics_people
from groundswell.analytics.engine import engine_open
from groundswell.analytics.extract import extract_open, extract_refresh
from groundswell.analytics.tests.dataset import world_build
from groundswell.analytics.tests.people_dataset import list_build
from groundswell.people.models import ConsentEvent, Person

pytestmark = pytest.mark.django_db

JAN1, FEB28 = date(2026, 1, 1), date(2026, 2, 28)


def _tables(path) -> set[str]:
    con = duckdb.connect(str(path))
    try:
        return {row[0] for row in con.execute("SHOW TABLES").fetchall()}
    finally:
        con.close()


def test_an_extract_without_the_people_tables_is_upgraded_not_broken(extract_file):
    world_build()
    with extract_open() as con:
        extract_refresh(con)
    # The file as the first release left it: no people, no consents, no marks for them.
    con = duckdb.connect(str(extract_file))
    con.execute("DROP TABLE people")
    con.execute("DROP TABLE consents")
    con.execute("DELETE FROM meta WHERE name IN ('people_high', 'consents_high')")
    ((full_at,),) = con.execute("SELECT value FROM meta WHERE name = 'full_at'").fetchall()
    con.close()
    assert {"people", "consents"}.isdisjoint(_tables(extract_file))
    list_build()
    with engine_open(name="duckdb") as engine:
        growth = metrics_people.list_growth(engine, start=JAN1, end=FEB28, grain="month")
        money = metrics.money_totals(engine, start=JAN1, end=FEB28)
    assert growth == [
        metrics_people.GrowthRow(date(2026, 1, 1), 2, 2),
        metrics_people.GrowthRow(date(2026, 2, 1), 1, 2),
    ]
    assert (money.count, money.net_cents) == (5, 10700)  # the gifts kept, not lost
    con = duckdb.connect(str(extract_file))
    # Upgraded in place: no full rebuild was needed for it.
    assert con.execute("SELECT value FROM meta WHERE name = 'full_at'").fetchall() == [(full_at,)]
    con.close()


def test_refreshes_follow_new_merged_and_deleted_people(extract_file):
    people = list_build()
    with extract_open() as con:
        extract_refresh(con)
        # B is merged into A (a save: modified_at moves), C is deleted with its consent rows,
        # a new person G subscribes on February 20.
        people["B"].merged_into = people["A"]
        people["B"].save()
        people["C"].delete()
        g = Person.objects.create(given_name="Gus", created_at=people["A"].created_at)
        ConsentEvent.objects.create(
            person=g,
            channel="email",
            address="gus@example.org",
            previous_status="",
            status="subscribed",
            method="form",
            occurred_at=people["A"].created_at.replace(month=2, day=20),
        )
        extract_refresh(con)
        held = con.execute("SELECT count(*) FROM people").fetchall()[0][0]
    assert held == Person.objects.count()
    with engine_open(name="duckdb") as engine:
        growth = metrics_people.list_growth(engine, start=JAN1, end=FEB28, grain="month")
        churn = metrics_people.churn(engine, start=JAN1, end=FEB28, grain="month")
    # January: A and G (created Jan 10); B merged away. Subscribers A and B (B's consent row
    # stays with B's record). February: D, merged into C, is its own person again now that C
    # is gone (the merge link is set to null); subscribers A (Feb 8) and G (Feb 20).
    assert growth == [
        metrics_people.GrowthRow(date(2026, 1, 1), 2, 2),
        metrics_people.GrowthRow(date(2026, 2, 1), 1, 2),
    ]
    # C's bounce and unsubscribe left with C.
    assert churn == [
        metrics_people.ChurnRow(date(2026, 1, 1), 0, 0, 1),
        metrics_people.ChurnRow(date(2026, 2, 1), 1, 0, 0),
    ]
