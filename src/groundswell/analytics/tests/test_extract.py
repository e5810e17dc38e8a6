"""The DuckDB extract follows the operational database: new, changed and deleted gifts, and a
new resolution run's clusters, without copying everything again."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from groundswell.analytics import metrics
from groundswell.analytics.engine import EngineUnavailable, engine_open
from groundswell.analytics.extract import extract_open, extract_refresh
from groundswell.analytics.tests.dataset import gift, run_linking_carol_to_pia, world_build
from groundswell.donations.models import Contribution, ContributionStatus
from groundswell.identity.models import ClusterMembership, ResolutionRun

pytestmark = pytest.mark.django_db

JAN1, FEB28 = date(2026, 1, 1), date(2026, 2, 28)


def _rows(path) -> int:
    with extract_open(path) as con:
        return con.execute("SELECT count(*) FROM contributions").fetchall()[0][0]


def test_incremental_refresh_follows_new_changed_and_deleted_gifts(extract_file):
    world = world_build()
    with engine_open(name="duckdb") as engine:
        before = metrics.money_totals(engine, start=JAN1, end=FEB28)
        first_fresh = engine.fresh_at
    assert (before.count, before.net_cents) == (5, 10700)
    gift(datetime(2026, 2, 20, 15, tzinfo=UTC), 1234, "Hal", "Moss")  # new
    g4 = world["g4"]  # refunded in full since: counts nothing now
    g4.status, g4.refunded_cents = ContributionStatus.REFUNDED, g4.amount_cents
    g4.save()
    world["g3"].delete()
    with engine_open(name="duckdb") as engine:
        after = metrics.money_totals(engine, start=JAN1, end=FEB28)
        assert engine.fresh_at >= first_fresh
    # 5 gifts − g4 − g3 + Hal's = 4; net 10700 − 2000 − 5000 + 1234 = 4934.
    assert (after.count, after.net_cents) == (4, 4934)
    assert _rows(extract_file) == Contribution.objects.count() == 10


def test_a_refresh_reads_only_what_changed(extract_file, django_assert_max_num_queries):
    world_build()
    with extract_open() as con:
        extract_refresh(con)
        # Nothing changed: the changed gifts (none), their count and the latest run; the
        # changed people and the new consent rows (none), and their two counts.
        with django_assert_max_num_queries(7):
            extract_refresh(con)
        ((high,),) = con.execute(
            "SELECT value FROM meta WHERE name = 'contributions_high'"
        ).fetchall()
    assert datetime.fromisoformat(high) <= timezone.now()


def test_writes_that_skip_modified_at_wait_for_the_full_rebuild(extract_file):
    world = world_build()
    with extract_open() as con:
        extract_refresh(con)
        # QuerySet.update() leaves modified_at as it was, older than the overlap re-read.
        Contribution.objects.filter(pk=world["g5"].pk).update(
            amount_cents=900, modified_at=timezone.now() - timedelta(hours=1)
        )
        extract_refresh(con)
        stale = con.execute(
            "SELECT amount_cents FROM contributions WHERE id = ?", [world["g5"].pk]
        ).fetchall()
        extract_refresh(con, full=True)
        rebuilt = con.execute(
            "SELECT amount_cents FROM contributions WHERE id = ?", [world["g5"].pk]
        ).fetchall()
    assert (stale, rebuilt) == ([(700,)], [(900,)])


def test_a_new_run_replaces_the_clusters(extract_file):
    world = world_build()
    with engine_open(name="duckdb") as engine:
        assert metrics.donors(engine, start=JAN1, end=FEB28).donors == 3
    # The next run finds that Carol is Pia: her gift joins Pia's cluster.
    run_linking_carol_to_pia(world)
    with engine_open(name="duckdb") as engine:
        assert metrics.donors(engine, start=JAN1, end=FEB28).donors == 2


def test_before_any_run_donors_go_by_name_and_zip(extract_file):
    world = world_build()
    ResolutionRun.objects.all().delete()  # takes the memberships with it
    assert not ClusterMembership.objects.exists()
    with engine_open(name="duckdb") as engine:
        figures = metrics.donors(engine, start=JAN1, end=FEB28)
    # By name+ZIP: Pia Lund, "R. Quill", Rafe Quill, Carol Jones are four.
    assert (figures.donors, figures.resolved) == (4, False)
    assert world["g3"].donor_given_name == "R."


def test_postgres_engine_refused_over_sqlite(extract_file):
    from django.db import connection

    if connection.vendor == "postgresql":
        pytest.skip("the refusal is for SQLite databases")
    with pytest.raises(EngineUnavailable), engine_open(name="postgres"):
        pass


def test_the_periodic_task_and_the_command_refresh_the_extract(extract_file, capsys):
    from django.core.management import call_command

    from groundswell.analytics.tasks import analytics_extract_refresh

    world_build()
    result = analytics_extract_refresh.enqueue()
    assert result.return_value["refreshed"] is True
    assert _rows(extract_file) == 10
    call_command("analytics_refresh", "--full")
    assert "10 contributions" in capsys.readouterr().out


def test_the_daily_rebuild_waits_for_the_periodic_task(extract_file):
    world = world_build()
    with extract_open() as con:
        extract_refresh(con)
        # A day and more since the last full copy; g5 changed without touching modified_at.
        con.execute(
            "UPDATE meta SET value = ? WHERE name = 'full_at'",
            [(timezone.now() - timedelta(days=2)).isoformat()],
        )
        Contribution.objects.filter(pk=world["g5"].pk).update(
            amount_cents=900, modified_at=timezone.now() - timedelta(hours=1)
        )
        extract_refresh(con)  # a page view: incremental only
        query = "SELECT amount_cents FROM contributions WHERE id = ?"
        assert con.execute(query, [world["g5"].pk]).fetchall() == [(700,)]
        extract_refresh(con, rebuild_if_due=True)  # the periodic task
        assert con.execute(query, [world["g5"].pk]).fetchall() == [(900,)]


def test_an_extract_written_with_older_columns_is_rebuilt(extract_file):
    """A release that reads one more column (is_recurring) finds the last release's file: it
    copies everything again instead of failing on the old table."""
    import duckdb

    from groundswell.analytics.extract import CONTRIBUTION_COLUMNS

    world_build()
    old_columns = [name for name in CONTRIBUTION_COLUMNS if name != "is_recurring"]
    con = duckdb.connect(str(extract_file))
    con.execute(f"CREATE TABLE contributions ({', '.join(f'{c} VARCHAR' for c in old_columns)})")
    con.execute(f"INSERT INTO contributions (id) VALUES ({Contribution.objects.first().pk})")
    con.execute("CREATE TABLE meta (name VARCHAR PRIMARY KEY, value VARCHAR)")
    for name in ("full_at", "contributions_high", "refreshed_at"):
        con.execute("INSERT INTO meta VALUES (?, ?)", [name, timezone.now().isoformat()])
    con.close()
    with engine_open(name="duckdb") as engine:
        totals = metrics.money_totals(engine, start=JAN1, end=FEB28)
        recurring = metrics.recurring_by(engine, start=JAN1, end=FEB28)
    assert (totals.count, totals.net_cents) == (5, 10700)
    assert [row.installments for row in recurring] == [0, 0]
    assert _rows(extract_file) == Contribution.objects.count() == 10
    with extract_open() as con:
        columns = con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'contributions'"
        ).fetchall()
    assert ("is_recurring",) in columns


def test_an_extract_with_older_columns_is_rebuilt(extract_file):
    """A file written before a column was added (form_name) is copied again, not misread."""
    import duckdb

    world_build()
    old = duckdb.connect(str(extract_file))
    old.execute(
        "CREATE TABLE contributions (id BIGINT PRIMARY KEY, person_id BIGINT,"
        " received_at TIMESTAMPTZ, amount_cents BIGINT, refunded_cents BIGINT, status VARCHAR,"
        " is_memo BOOLEAN, transaction_type VARCHAR, refcode VARCHAR, page_id BIGINT,"
        " donor_state VARCHAR, donor_given_name VARCHAR, donor_family_name VARCHAR,"
        " donor_postal_code VARCHAR, modified_at TIMESTAMPTZ)"
    )
    old.execute("CREATE TABLE meta (name VARCHAR PRIMARY KEY, value VARCHAR)")
    stamp = timezone.now().isoformat()
    old.execute("INSERT INTO meta VALUES ('full_at', ?), ('contributions_high', ?)", [stamp, stamp])
    old.close()
    with engine_open(name="duckdb") as engine:
        totals = metrics.money_totals(engine, start=JAN1, end=FEB28)
    assert (totals.count, totals.net_cents) == (5, 10700)
    assert _rows(extract_file) == Contribution.objects.count() == 10


def test_rows_changed_long_ago_are_not_read_again(extract_file, monkeypatch):
    """A bulk import stamps every row with one instant; once the overlap has passed, a refresh
    reads none of them again, though nothing newer has changed since (the high mark is the
    moment each refresh began, not the newest change it saw)."""
    from groundswell.analytics import extract

    world_build()
    read: list[int] = []
    real_batches = extract._batches

    def counted(rows, columns):
        for table in real_batches(rows, columns):
            read.append(table.num_rows)
            yield table

    monkeypatch.setattr(extract, "_batches", counted)
    with extract_open() as con:
        extract_refresh(con)
        assert sum(read) > 0
        # Every row was changed within the overlap of that refresh: read once more.
        read.clear()
        later = timezone.now() + 2 * extract._OVERLAP
        monkeypatch.setattr(extract.timezone, "now", lambda: later)
        extract_refresh(con)
        assert sum(read) > 0
        read.clear()
        monkeypatch.setattr(extract.timezone, "now", lambda: later + 2 * extract._OVERLAP)
        extract_refresh(con)
    assert read == []
