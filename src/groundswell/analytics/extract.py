"""The analytical copy of the operational database: a DuckDB file under the data folder.

Dashboards read this file, never the operational tables, so a heavy grouping never slows the
donation pages down, and SQLite installs get a column store they would otherwise lack.

Refreshed incrementally: contributions changed since the last refresh began (``modified_at``,
re-reading a short overlap because a row saved just before a refresh may commit just after
it) are replaced by id; rows deleted upstream are found by comparing counts. Cluster
memberships are replaced whole when a new resolution run finishes (a run rewrites them all).
A full rebuild runs once a day in the periodic task, for writes that bypass ``modified_at``
(``QuerySet.update``); page views only ever read what changed (after the first copy).

People follow by ``modified_at`` too; their consent changes (``people.ConsentEvent``, never
edited once written) by id. A merge that moves consent rows to the survivor with an
``update()`` is seen at the daily rebuild.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
from django.conf import settings
from django.utils import timezone

from groundswell.donations.models import Contribution
from groundswell.identity.models import ClusterMembership
from groundswell.identity.selectors import latest_run
from groundswell.people.models import ConsentEvent, Person

# The columns of the operational contribution table the metrics read, with their types.
CONTRIBUTION_COLUMNS: dict[str, pa.DataType] = {
    "id": pa.int64(),
    "person_id": pa.int64(),
    "received_at": pa.timestamp("us", tz="UTC"),
    "amount_cents": pa.int64(),
    "refunded_cents": pa.int64(),
    "status": pa.string(),
    "is_memo": pa.bool_(),
    "is_recurring": pa.bool_(),  # an installment of a recurring gift (every processor sets it)
    "transaction_type": pa.string(),
    "refcode": pa.string(),
    "page_id": pa.int64(),
    "form_name": pa.string(),  # ActBlue's form: the page of a gift with no page of ours
    "donor_state": pa.string(),
    "donor_given_name": pa.string(),
    "donor_family_name": pa.string(),
    "donor_postal_code": pa.string(),
    "modified_at": pa.timestamp("us", tz="UTC"),
}
MEMBERSHIP_COLUMNS: dict[str, pa.DataType] = {
    "record_kind": pa.string(),
    "record_id": pa.int64(),
    "cluster_key": pa.string(),
}
# People and their subscription changes, for list growth and churn (analytics.metrics_people).
PEOPLE_COLUMNS: dict[str, pa.DataType] = {
    "id": pa.int64(),
    "created_at": pa.timestamp("us", tz="UTC"),
    "merged_into_id": pa.int64(),
    "erased_at": pa.timestamp("us", tz="UTC"),
    "modified_at": pa.timestamp("us", tz="UTC"),
}
CONSENT_COLUMNS: dict[str, pa.DataType] = {
    "id": pa.int64(),
    "person_id": pa.int64(),
    "channel": pa.string(),
    "previous_status": pa.string(),
    "status": pa.string(),
    "method": pa.string(),
    "occurred_at": pa.timestamp("us", tz="UTC"),
}
_DUCK_TYPES = {
    pa.int64(): "BIGINT",
    pa.string(): "VARCHAR",
    pa.bool_(): "BOOLEAN",
    pa.timestamp("us", tz="UTC"): "TIMESTAMPTZ",
}
# Every table of the extract (what the Spark engine reads as Parquet).
EXTRACT_TABLES = ("contributions", "memberships", "people", "consents")
_CHUNK = 50_000
# A row saved just before the last refresh may have committed after it: read it again.
_OVERLAP = timedelta(minutes=5)
_FULL_EVERY = timedelta(days=1)


def extract_path() -> Path:
    """Where the extract lives: GROUNDSWELL_ANALYTICS_EXTRACT, else <data dir>/analytics/."""
    configured = getattr(settings, "GROUNDSWELL_ANALYTICS_EXTRACT", None)
    path = Path(configured) if configured else settings.DATA_DIR / "analytics" / "extract.duckdb"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


@contextmanager
def extract_open(path: Path | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """The extract, opened read-write under a file lock.

    DuckDB lets one process at a time open a file for writing; web workers take turns here
    (a dashboard's queries take milliseconds) rather than fail to open it.
    """
    path = path or extract_path()
    with open(f"{path}.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        con = duckdb.connect(str(path))
        try:
            _schema_ensure(con)
            yield con
        finally:
            con.close()
            fcntl.flock(lock, fcntl.LOCK_UN)


def _columns_sql(columns: dict[str, pa.DataType]) -> str:
    return ", ".join(f"{name} {_DUCK_TYPES[kind]}" for name, kind in columns.items())


def _schema_ensure(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE TABLE IF NOT EXISTS meta (name VARCHAR PRIMARY KEY, value VARCHAR)")
    _outdated_drop(con, "contributions", CONTRIBUTION_COLUMNS)
    _outdated_drop(con, "memberships", MEMBERSHIP_COLUMNS)
    con.execute(
        f"CREATE TABLE IF NOT EXISTS contributions ({_columns_sql(CONTRIBUTION_COLUMNS)},"
        " PRIMARY KEY (id))"
    )
    con.execute(f"CREATE TABLE IF NOT EXISTS memberships ({_columns_sql(MEMBERSHIP_COLUMNS)})")
    # The ids an incremental refresh upserted or deleted, for what is kept derived from the
    # contributions (``analytics.stored``) to follow them; emptied by that follower.
    con.execute("CREATE TABLE IF NOT EXISTS contributions_changed (id BIGINT)")
    _outdated_drop(con, "people", PEOPLE_COLUMNS)
    _outdated_drop(con, "consents", CONSENT_COLUMNS)
    # Added after the first extracts were made: an older file gains them here, empty, and the
    # next refresh fills them whole (they have no high-water mark yet), the rest incrementally.
    con.execute(
        f"CREATE TABLE IF NOT EXISTS people ({_columns_sql(PEOPLE_COLUMNS)}, PRIMARY KEY (id))"
    )
    con.execute(
        f"CREATE TABLE IF NOT EXISTS consents ({_columns_sql(CONSENT_COLUMNS)}, PRIMARY KEY (id))"
    )


# What the meta table remembers of each table's copy: forgotten, the next refresh copies it whole.
_HIGH_MARKS = {
    "contributions": ["full_at", "contributions_high"],
    "memberships": ["memberships_run"],
    "people": ["people_high"],
    "consents": ["consents_high"],
}


def _outdated_drop(con: duckdb.DuckDBPyConnection, table: str, columns: dict) -> None:
    """Drop a table an older release wrote with other columns, and forget what it held.

    A release that reads one more column would otherwise fail on the old file's
    ``INSERT … SELECT *``; dropped, the table is made anew and the next refresh copies
    everything (as the first one did), so an upgrade costs one full copy, never an error.
    """
    held = con.execute(
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_name = ? AND table_schema = current_schema() ORDER BY ordinal_position",
        [table],
    ).fetchall()
    if not held or [name for (name,) in held] == list(columns):
        return
    con.execute(f"DROP TABLE {table}")
    forgotten = _HIGH_MARKS[table]
    con.execute("DELETE FROM meta WHERE list_contains(?, name)", [forgotten])


def meta_get(con: duckdb.DuckDBPyConnection, name: str) -> str | None:
    # fetchall, not fetchone: DuckDB 2 refuses new work while a result is half read.
    rows = con.execute("SELECT value FROM meta WHERE name = ?", [name]).fetchall()
    return rows[0][0] if rows else None


def meta_set(con: duckdb.DuckDBPyConnection, name: str, value: str) -> None:
    con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [name, value])


def extract_freshness(con: duckdb.DuckDBPyConnection) -> datetime | None:
    """When the extract last finished reading the operational database."""
    value = meta_get(con, "refreshed_at")
    return datetime.fromisoformat(value) if value else None


def _table(batch: list[tuple], columns: dict[str, pa.DataType]) -> pa.Table:
    # Column by column: a dict per row would cost more than reading the rows.
    by_column = zip(*batch, strict=True)
    arrays = [
        pa.array(values, kind) for values, kind in zip(by_column, columns.values(), strict=True)
    ]
    return pa.Table.from_arrays(arrays, names=list(columns))


def _batches(rows: Iterator[tuple], columns: dict[str, pa.DataType]) -> Iterator[pa.Table]:
    batch: list[tuple] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= _CHUNK:
            yield _table(batch, columns)
            batch = []
    if batch:
        yield _table(batch, columns)


def _contributions_copy(con: duckdb.DuckDBPyConnection, since: datetime | None) -> None:
    """Upsert the contributions changed since ``since`` (all when None)."""
    queryset = Contribution.objects.all()
    if since is not None:
        queryset = queryset.filter(modified_at__gte=since - _OVERLAP)
    rows = queryset.values_list(*CONTRIBUTION_COLUMNS).iterator(chunk_size=_CHUNK)
    for table in _batches(rows, CONTRIBUTION_COLUMNS):
        con.register("incoming", table)
        con.execute("DELETE FROM contributions WHERE id IN (SELECT id FROM incoming)")
        con.execute("INSERT INTO contributions SELECT * FROM incoming")
        if since is not None:  # a whole copy rebuilds everything derived anyway
            con.execute("INSERT INTO contributions_changed SELECT id FROM incoming")
        con.unregister("incoming")


def _deletions_apply(con: duckdb.DuckDBPyConnection) -> None:
    """Drop rows deleted upstream (erasure, a test cleaning up), found by a count mismatch."""
    ((held,),) = con.execute("SELECT count(*) FROM contributions").fetchall()
    if held == Contribution.objects.count():
        return
    ids = pa.table({"id": pa.array(Contribution.objects.values_list("pk", flat=True), pa.int64())})
    con.register("alive", ids)
    con.execute(
        "INSERT INTO contributions_changed"
        " SELECT id FROM contributions WHERE id NOT IN (SELECT id FROM alive)"
    )
    con.execute("DELETE FROM contributions WHERE id NOT IN (SELECT id FROM alive)")
    con.unregister("alive")


# The tables the helpers below may name in their SQL (never a name from outside).
_OURS = frozenset({"people", "consents"})


def _upsert(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> None:
    assert name in _OURS
    con.register("incoming", table)
    con.execute(f"DELETE FROM {name} WHERE id IN (SELECT id FROM incoming)")  # noqa: S608
    con.execute(f"INSERT INTO {name} SELECT * FROM incoming")  # noqa: S608
    con.unregister("incoming")


def _people_copy(con: duckdb.DuckDBPyConnection, started: datetime) -> None:
    """People changed since the last refresh (by ``modified_at``, with the overlap), and
    consent changes newer than the last one read (append-only: found by id)."""
    high = meta_get(con, "people_high")
    queryset = Person.objects.all()
    if high:
        queryset = queryset.filter(modified_at__gte=datetime.fromisoformat(high) - _OVERLAP)
    rows = queryset.values_list(*PEOPLE_COLUMNS).iterator(chunk_size=_CHUNK)
    for table in _batches(rows, PEOPLE_COLUMNS):
        _upsert(con, "people", table)
    meta_set(con, "people_high", started.isoformat())
    consent_high = int(meta_get(con, "consents_high") or 0)
    rows = (
        ConsentEvent.objects.filter(pk__gt=consent_high)
        .order_by("pk")
        .values_list(*CONSENT_COLUMNS)
        .iterator(chunk_size=_CHUNK)
    )
    for table in _batches(rows, CONSENT_COLUMNS):
        _upsert(con, "consents", table)
        consent_high = max(consent_high, pa.compute.max(table["id"]).as_py())
    meta_set(con, "consents_high", str(consent_high))
    for name, model in (("people", Person), ("consents", ConsentEvent)):
        _gone_drop(con, name, model)


def _gone_drop(con: duckdb.DuckDBPyConnection, name: str, model) -> None:
    """Drop rows deleted upstream (a person deleted or merged away), found by a count mismatch."""
    assert name in _OURS
    ((held,),) = con.execute(f"SELECT count(*) FROM {name}").fetchall()  # noqa: S608
    if held == model.objects.count():
        return
    ids = pa.table({"id": pa.array(model.objects.values_list("pk", flat=True), pa.int64())})
    con.register("alive", ids)
    con.execute(f"DELETE FROM {name} WHERE id NOT IN (SELECT id FROM alive)")  # noqa: S608
    con.unregister("alive")


def _memberships_copy(con: duckdb.DuckDBPyConnection) -> None:
    run = latest_run()
    stamp = f"{run.pk}:{run.finished_at.isoformat()}" if run and run.finished_at else "-"
    if meta_get(con, "memberships_run") == stamp:
        return
    con.execute("DELETE FROM memberships")
    if run is not None:
        rows = ClusterMembership.objects.values_list(*MEMBERSHIP_COLUMNS).iterator(
            chunk_size=_CHUNK
        )
        for table in _batches(rows, MEMBERSHIP_COLUMNS):
            con.register("incoming", table)
            con.execute("INSERT INTO memberships SELECT * FROM incoming")
            con.unregister("incoming")
    meta_set(con, "memberships_run", stamp)


def extract_refresh(
    con: duckdb.DuckDBPyConnection,
    *,
    full: bool = False,
    rebuild_if_due: bool = False,
    follow: Callable[[duckdb.DuckDBPyConnection], None] | None = None,
) -> datetime:
    """Bring the extract up to date with the operational database; when it was read.

    Incremental, except the first time, with ``full``, and with ``rebuild_if_due`` (the
    periodic task) once a day: a page view never waits for a daily rebuild. ``follow`` brings
    what is derived from the copied tables up to date in the same transaction (``engine``
    passes ``analytics.stored``'s), so a reader never sees the one without the other.
    """
    started = timezone.now()
    con.execute("BEGIN TRANSACTION")
    try:
        full_at = meta_get(con, "full_at")
        due = full_at is not None and started - datetime.fromisoformat(full_at) > _FULL_EVERY
        if full or full_at is None or (rebuild_if_due and due):
            con.execute("DELETE FROM contributions")
            con.execute("DELETE FROM people")
            con.execute("DELETE FROM consents")
            con.execute("DELETE FROM contributions_changed")
            con.execute(
                "DELETE FROM meta WHERE name IN"
                " ('contributions_high', 'memberships_run', 'people_high', 'consents_high')"
            )
            meta_set(con, "full_at", started.isoformat())
        high = meta_get(con, "contributions_high")
        _contributions_copy(con, datetime.fromisoformat(high) if high else None)
        _deletions_apply(con)
        _memberships_copy(con)
        _people_copy(con, started)
        # The next refresh reads what changed since this one began (less the overlap): the
        # moment read, not the newest change seen, which would stay put while nothing changes
        # and have every refresh re-read a bulk import's rows, all stamped the same instant.
        meta_set(con, "contributions_high", started.isoformat())
        meta_set(con, "refreshed_at", started.isoformat())
        if follow is not None:
            follow(con)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return started


def extract_parquet_write(con: duckdb.DuckDBPyConnection, path: Path) -> Path:
    """The extract's tables as Parquet beside it (for the Spark engine); the folder.

    Rewritten only when the extract was refreshed since the last writing: each table goes to a
    new folder first and replaces the old one by a rename, so a reader never sees half a table.
    """
    folder = path.parent / f"{path.stem}.parquet"
    refreshed = meta_get(con, "refreshed_at") or "-"
    if meta_get(con, "parquet_written") == refreshed and all(
        (folder / table).exists() for table in EXTRACT_TABLES
    ):
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    for table in EXTRACT_TABLES:
        fresh = folder / f"{table}.new"
        shutil.rmtree(fresh, ignore_errors=True)
        fresh.mkdir()
        target = str(fresh / "part-0.parquet").replace("'", "''")
        con.execute(f"COPY {table} TO '{target}' (FORMAT parquet)")
        stale = folder / f"{table}.old"
        shutil.rmtree(stale, ignore_errors=True)
        if (folder / table).exists():
            (folder / table).rename(stale)
        fresh.rename(folder / table)
        shutil.rmtree(stale, ignore_errors=True)
    meta_set(con, "parquet_written", refreshed)
    return folder


def extract_size() -> int:
    """The extract's size on disk in bytes (0 before the first refresh)."""
    path = extract_path()
    return os.path.getsize(path) if path.exists() else 0
