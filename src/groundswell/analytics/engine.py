"""Where the metrics run: one Ibis connection exposing the same two tables on every backend.

- ``duckdb`` (the default): the extract under the data folder (``analytics.extract``),
  refreshed before it is read. SQLite installs always use it.
The tables: ``contributions`` and ``memberships`` (money and donors), ``people`` and
``consents`` (list growth and churn).

- ``postgres``: the operational PostgreSQL database read directly (live, no copy), chosen with
  GROUNDSWELL_ANALYTICS_ENGINE=postgres when DATABASE_URL is PostgreSQL.
- ``spark``: not built yet. The metric definitions (``analytics.metrics``) only take Ibis tables
  named ``contributions`` and ``memberships`` with the columns of ``extract.CONTRIBUTION_COLUMNS``
  and ``extract.MEMBERSHIP_COLUMNS``, so a Spark backend is one more branch here that builds
  those two tables (``ibis.pyspark.connect``) — plus ``metrics.local_time``, which needs
  Spark's own ``from_utc_timestamp`` in place of ``timezone()``.

Every engine states its freshness: the moment the data it reads was taken.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import ibis
from django.conf import settings
from django.db import connection
from django.utils import timezone

from groundswell.analytics.extract import (
    CONSENT_COLUMNS,
    CONTRIBUTION_COLUMNS,
    MEMBERSHIP_COLUMNS,
    PEOPLE_COLUMNS,
    extract_open,
    extract_refresh,
)
from groundswell.identity.selectors import latest_run

ENGINES = ("duckdb", "postgres")


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
    with extract_open(path) as duck:
        fresh_at = extract_refresh(duck)
        con = ibis.duckdb.from_connection(duck)
        yield Engine(
            name,
            con.table("contributions"),
            con.table("memberships"),
            fresh_at,
            resolved,
            con.table("people"),
            con.table("consents"),
        )
