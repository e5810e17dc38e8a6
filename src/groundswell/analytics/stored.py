"""The counted gifts keyed by donor, kept in the extract so a donor metric does not rebuild them.

Every donor metric starts from ``metrics.donor_gifts``: the counted gifts, each with its donor
(the identity cluster, through a join of every gift with the cluster memberships), its local day
(a time-zone conversion per gift) and its net. At 10,000,000 gifts that preparation was most of
each view's 3–12 s (bench/analytics.py, 2026-12-05). Here the same expression — the definition
is not written twice — is run at refresh time into a table, ``donor_gifts``, that the DuckDB
engine reads in its place:

- whole, when it is missing, when the extract was copied whole, when a resolution run replaced
  the memberships (every key may change), or when the campaign's time zone or this module's
  columns changed (the stamp below);
- otherwise only for the gifts the refresh changed or deleted (``contributions_changed``, which
  ``extract`` fills and this empties), in the refresh's own transaction.

PostgreSQL and Spark compute the same expression on each query, as before.
"""

from __future__ import annotations

from dataclasses import replace

import duckdb
import ibis
from django.conf import settings

from groundswell.analytics import metrics
from groundswell.analytics.engine import Engine, extract_engine
from groundswell.analytics.extract import meta_get, meta_set

TABLE = "donor_gifts"
# Bumped when the stored columns or their definition change: the next refresh rebuilds.
VERSION = "1"


def _stamp(con: duckdb.DuckDBPyConnection) -> str:
    """What the stored table was built from; any change means a whole rebuild."""
    parts = (
        VERSION,
        settings.TIME_ZONE,
        meta_get(con, "full_at") or "-",
        meta_get(con, "memberships_run") or "-",
    )
    return "|".join(parts)


def _expression(engine: Engine) -> ibis.Table:
    gifts = metrics.donor_gifts(replace(engine, donor_gifts=None))
    # The contributions' own columns and the four derived ones; the join's helpers go.
    return gifts.select(*engine.contributions.columns, "day", "donor", "net", "donor_name")


def stored_refresh(con: duckdb.DuckDBPyConnection) -> None:
    """Bring ``donor_gifts`` up to date with the extract (inside the refresh's transaction)."""
    engine = extract_engine(con, fresh_at=None, resolved=True, stored=False)
    compile_sql = engine.backend.compile
    stamp = _stamp(con)
    if meta_get(con, "donor_gifts_of") != stamp or not _exists(con):
        sql = compile_sql(_expression(engine))
        con.execute(f"CREATE OR REPLACE TABLE {TABLE} AS {sql}")
        con.execute("DELETE FROM contributions_changed")
        meta_set(con, "donor_gifts_of", stamp)
        return
    ((changed,),) = con.execute("SELECT count(*) FROM contributions_changed").fetchall()
    if not changed:
        return
    ids = ibis.table({"id": "int64"}, name="contributions_changed")
    c = engine.contributions
    subset = replace(engine, contributions=c.filter(c.id.isin(ids.id)))
    sql = compile_sql(_expression(subset))
    con.execute(f"DELETE FROM {TABLE} WHERE id IN (SELECT id FROM contributions_changed)")  # noqa: S608
    con.execute(f"INSERT INTO {TABLE} BY NAME {sql}")
    con.execute("DELETE FROM contributions_changed")


def _exists(con: duckdb.DuckDBPyConnection) -> bool:
    found = con.execute(
        "SELECT count(*) FROM information_schema.tables"
        " WHERE table_name = ? AND table_schema = current_schema()",
        [TABLE],
    ).fetchall()
    return found[0][0] > 0


def stored_current(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether ``donor_gifts`` matches the extract as it stands (then the engine reads it)."""
    if meta_get(con, "donor_gifts_of") != _stamp(con) or not _exists(con):
        return False
    ((changed,),) = con.execute("SELECT count(*) FROM contributions_changed").fetchall()
    return changed == 0
