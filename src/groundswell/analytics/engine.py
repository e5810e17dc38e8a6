"""Where the metrics run: one Ibis connection exposing the same two tables on every backend.

- ``duckdb`` (the default): the extract under the data folder (``analytics.extract``),
  refreshed before it is read. SQLite installs always use it.
The tables: ``contributions`` and ``memberships`` (money and donors), ``people`` and
``consents`` (list growth and churn).

- ``postgres``: the operational PostgreSQL database read directly (live, no copy), chosen with
  GROUNDSWELL_ANALYTICS_ENGINE=postgres when DATABASE_URL is PostgreSQL.
- ``spark`` (``groundswell[spark]`` and Java 17): the same tables as Parquet read by Spark, for
  data beyond one machine. By default the extract is written out as Parquet under the data folder
  (refreshed as above, rewritten only when it changed); GROUNDSWELL_ANALYTICS_PARQUET names a
  folder or URI a warehouse fills instead (``contributions/`` and ``memberships/`` datasets with
  the extract's columns), read as it stands. The metric definitions are not rewritten for it:
  they only take Ibis tables with the columns of ``extract.CONTRIBUTION_COLUMNS`` and
  ``extract.MEMBERSHIP_COLUMNS``; the one function Spark spells differently (a UTC moment's
  local wall-clock time) is ``metrics.local_time``.

Every engine states its freshness: the moment the data it reads was taken.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import ibis
import ibis.expr.operations as ops
from django.conf import settings
from django.db import connection
from django.utils import timezone

from groundswell.analytics.extract import (
    CONSENT_COLUMNS,
    CONTRIBUTION_COLUMNS,
    EXTRACT_TABLES,
    MEMBERSHIP_COLUMNS,
    PEOPLE_COLUMNS,
    extract_open,
    extract_parquet_write,
    extract_path,
    extract_refresh,
)
from groundswell.identity.selectors import latest_run

ENGINES = ("duckdb", "postgres", "spark")
_ENGINE_TABLES = ("contributions", "memberships", "people", "consents")


class EngineUnavailable(Exception):
    """The configured engine cannot run here (e.g. postgres over a SQLite database)."""


@dataclass
class Engine:
    name: str
    contributions: ibis.Table
    memberships: ibis.Table
    fresh_at: datetime  # the data read was the operational database as of this moment
    resolved: bool  # a resolution run has finished: donors are counted by cluster
    # People and e-mail consent changes (extract.PEOPLE_COLUMNS, CONSENT_COLUMNS).
    people: ibis.Table | None = None
    consents: ibis.Table | None = None
    # The backend that runs this engine's queries when its tables are unbound (the extract's):
    # see ``arrow``. None where the tables carry their backend (PostgreSQL, Spark).
    backend: object | None = None
    # The counted gifts keyed by donor, kept in the extract (``analytics.stored``); None where
    # ``metrics.donor_gifts`` computes them on each query (PostgreSQL, Spark, a scoped engine).
    donor_gifts: ibis.Table | None = None

    def arrow(self, expr: ibis.Expr):
        """Run a metric's expression: a pyarrow Table (a Scalar for a scalar expression)."""
        if self.backend is None:
            return expr.to_pyarrow()
        return self.backend.to_pyarrow(expr)


# Compiling an Ibis expression to SQL costs far more than running it on a campaign's extract
# (0.3 s a query against 0.03 s, 2026-12-05: its rewrite passes walk the whole graph), and a
# dashboard asks the same questions view after view. The extract's tables are therefore unbound
# (named, not tied to one request's connection), so the same question is the same expression
# in every request, and its SQL is kept here. Bounded: a question with new dates is compiled
# afresh, and the oldest are dropped.
_COMPILED: OrderedDict = OrderedDict()
_COMPILED_MAX = 512
_COMPILED_LOCK = threading.Lock()


def _compile_cached(compile_sql):
    def cached(expr, /, *, limit=None, params=None, pretty=False):
        # An in-memory table (a segment's people) is named afresh in every request, so its
        # question can never come again, and keeping it would keep its rows: compiled, not kept.
        if params or pretty or expr.op().find(ops.InMemoryTable):
            return compile_sql(expr, limit=limit, params=params, pretty=pretty)
        key = (expr.op(), limit)
        with _COMPILED_LOCK:
            sql = _COMPILED.get(key)
            if sql is not None:
                _COMPILED.move_to_end(key)
                return sql
        sql = compile_sql(expr, limit=limit)
        with _COMPILED_LOCK:
            _COMPILED[key] = sql
            while len(_COMPILED) > _COMPILED_MAX:
                _COMPILED.popitem(last=False)
        return sql

    return cached


def engine_name() -> str:
    """The configured engine; postgres only when the operational database is PostgreSQL."""
    name = getattr(settings, "GROUNDSWELL_ANALYTICS_ENGINE", "") or "duckdb"
    if name not in ENGINES:
        raise EngineUnavailable(f"unknown analytics engine {name!r}; use one of {ENGINES}")
    if name == "postgres" and connection.vendor != "postgresql":
        raise EngineUnavailable("the postgres engine needs DATABASE_URL to be PostgreSQL")
    return name


def _postgres_connect():
    db = settings.DATABASES["default"]
    return ibis.postgres.connect(
        host=db.get("HOST") or "localhost",
        port=int(db.get("PORT") or 5432),
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        database=db["NAME"],
    )


@contextmanager
def engine_open(*, name: str | None = None, path: Path | None = None) -> Iterator[Engine]:
    """An engine ready to run metrics, refreshed first when it reads the extract."""
    name = name or engine_name()
    resolved = latest_run() is not None
    if name == "postgres":
        if connection.vendor != "postgresql":
            raise EngineUnavailable("the postgres engine needs DATABASE_URL to be PostgreSQL")
        con = _postgres_connect()
        try:
            contributions = con.table("donations_contribution").select(*CONTRIBUTION_COLUMNS)
            memberships = con.table("identity_clustermembership").select(*MEMBERSHIP_COLUMNS)
            people = con.table("people_person").select(*PEOPLE_COLUMNS)
            consents = con.table("people_consentevent").select(*CONSENT_COLUMNS)
            yield Engine(
                name, contributions, memberships, timezone.now(), resolved, people, consents
            )
        finally:
            con.disconnect()
        return
    if name == "spark":
        yield _spark_engine(path, resolved)
        return
    with extract_open(path) as duck:
        fresh_at = extract_update(duck)
        yield extract_engine(duck, fresh_at=fresh_at, resolved=resolved)


def extract_update(duck, *, full: bool = False, rebuild_if_due: bool = False) -> datetime:
    """Refresh the extract and what is kept derived from it, in one transaction; when it was
    read. Every refresh goes through here (page views, the periodic task, the command)."""
    # analytics.stored builds on the metrics, which build on this module: imported when used.
    from groundswell.analytics.stored import stored_refresh

    return extract_refresh(duck, full=full, rebuild_if_due=rebuild_if_due, follow=stored_refresh)


def extract_engine(duck, *, fresh_at: datetime | None, resolved: bool, stored=True) -> Engine:
    """The DuckDB engine over an open extract connection: unbound tables run through ``duck``,
    with the compiled SQL kept (see ``_compile_cached``), and the stored donor gifts when they
    are current (``analytics.stored``; not with ``stored=False``, which that module builds)."""
    from groundswell.analytics.stored import TABLE, stored_current

    con = ibis.duckdb.from_connection(duck)
    con.compile = _compile_cached(con.compile)
    tables = {name: ibis.table(con.get_schema(name), name=name) for name in _ENGINE_TABLES}
    if stored and stored_current(duck):
        tables["donor_gifts"] = ibis.table(con.get_schema(TABLE), name=TABLE)
    return Engine(
        "duckdb",
        tables["contributions"],
        tables["memberships"],
        fresh_at,
        resolved,
        tables["people"],
        tables["consents"],
        backend=con,
        donor_gifts=tables.get("donor_gifts"),
    )


def _spark_engine(path: Path | None, resolved: bool) -> Engine:
    from groundswell.identity.spark import SparkUnavailable, spark_available, spark_session

    problem = spark_available()
    if problem:
        raise EngineUnavailable(f"the spark engine cannot run here: {problem}")
    source = getattr(settings, "GROUNDSWELL_ANALYTICS_PARQUET", "") or ""
    if source:
        fresh_at = timezone.now()  # a warehouse's copy: read as it stands, now
    else:
        with extract_open(path) as duck:
            fresh_at = extract_update(duck)
            source = str(extract_parquet_write(duck, extract_path() if path is None else path))
    try:
        session = spark_session()
    except SparkUnavailable as exc:
        raise EngineUnavailable(str(exc)) from exc
    con = ibis.pyspark.connect(session)
    tables = {}
    for table in EXTRACT_TABLES:
        # A temporary view per source folder: two campaigns' engines in one session never mix.
        view = f"gs_{table}_{hashlib.sha256(source.encode()).hexdigest()[:12]}"
        session.read.parquet(f"{source.rstrip('/')}/{table}").createOrReplaceTempView(view)
        tables[table] = con.table(view)
    return Engine(
        "spark",
        tables["contributions"],
        tables["memberships"],
        fresh_at,
        resolved,
        tables["people"],
        tables["consents"],
    )
