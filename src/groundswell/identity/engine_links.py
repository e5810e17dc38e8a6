"""Collapse identical records and link records by deterministic rules (engine steps 2 and 3)."""

from __future__ import annotations

from collections.abc import Iterable

import duckdb
import pyarrow as pa

from groundswell.identity.engine_guards import (
    COMPATIBLE,
    DISTINCT_MARKS_AGREE,
    GENERIC_EMPLOYERS,
    SAME_GIVEN_NAME,
    SWAPPED,
)
from groundswell.identity.normalize_sql import from_arrow

MATCH_COLUMNS = (
    "first", "first_canon", "first_alts", "middle", "suffix", "last", "street", "city", "state",
    "zip5", "zip4", "employer", "occupation", "email", "phone",
)  # fmt: skip
# Shared values shared by too many records to be an identifier (a campaign's own placeholder
# e-mail, an office switchboard) link nobody deterministically; Splink still weighs them.
DETERMINISTIC_GROUP_MAX = 20


def collapse(con: duckdb.DuckDBPyConnection, keep_apart: Iterable[int] = ()) -> None:
    """``rep_map`` (unique_id → rep_id) and ``rep`` (one row per distinct normalised record).

    Records in ``keep_apart`` (those staff said are different people) keep a representative
    of their own even when identical to another record, so that the decision can hold.
    """
    cols = ", ".join(MATCH_COLUMNS)
    from_arrow(con, "keep_apart", pa.table({"unique_id": pa.array(list(keep_apart), pa.int64())}))
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE rep_map AS
        SELECT n.unique_id, min(n.unique_id) OVER (
            PARTITION BY {cols}, CASE WHEN k.unique_id IS NOT NULL THEN n.unique_id END
        ) AS rep_id
        FROM norm n LEFT JOIN (SELECT DISTINCT unique_id FROM keep_apart) k USING (unique_id)
        """  # noqa: S608
    )
    nulls = ", ".join(f"nullif({c}, '') AS {c}" for c in MATCH_COLUMNS)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE rep AS
        SELECT n.unique_id, {nulls} FROM norm n
        WHERE n.unique_id IN (SELECT DISTINCT rep_id FROM rep_map)
        """  # noqa: S608
    )


def deterministic_links(con: duckdb.DuckDBPyConnection) -> int:
    """``det_edges`` (l, r) between representatives that deterministic rules link."""
    rules = []
    for column in ("email", "phone"):
        rules.append(
            f"""
            SELECT a.unique_id AS l, b.unique_id AS r
            FROM rep a JOIN rep b ON a.{column} = b.{column} AND a.unique_id < b.unique_id
            WHERE a.{column} IN (
                SELECT {column} FROM rep WHERE {column} IS NOT NULL
                GROUP BY 1 HAVING count(*) <= {DETERMINISTIC_GROUP_MAX})
              AND {COMPATIBLE}
            """  # noqa: S608
        )
    rules.append(
        f"""
        SELECT a.unique_id AS l, b.unique_id AS r
        FROM rep a JOIN rep b ON a.first_canon = b.first_canon AND a.last = b.last
            AND a.street = b.street AND a.zip5 = b.zip5 AND a.unique_id < b.unique_id
        WHERE {COMPATIBLE}
        """  # noqa: S608
    )
    # The same name at the same ZIP+4 (FEC files have no street; a ZIP+4 is a building or a
    # block side) is one person whatever the employment text says: people retire, change
    # jobs and spell their employer differently from one filing to the next.
    rules.append(
        f"""
        SELECT a.unique_id AS l, b.unique_id AS r
        FROM rep a JOIN rep b ON a.last = b.last
            AND a.zip5 = b.zip5 AND a.zip4 = b.zip4 AND a.unique_id < b.unique_id
        WHERE {SAME_GIVEN_NAME} AND {COMPATIBLE} AND length(a.first) > 1
        """  # noqa: S608
    )
    # Given and family names swapped (one perhaps mistyped) in the same ZIP: the same two names
    # in one place, only the filer's order differs.
    rules.append(
        f"""
        SELECT least(a.unique_id, b.unique_id) AS l, greatest(a.unique_id, b.unique_id) AS r
        FROM rep a JOIN rep b ON a.first = b.last AND a.zip5 = b.zip5
            AND a.unique_id <> b.unique_id
        WHERE {SWAPPED} AND {DISTINCT_MARKS_AGREE}
        """  # noqa: S608
    )
    # The same name in the same ZIP with the same employer: namesakes who also work together
    # are rarer than anything else in a donor file (a JR and SR stay apart). Not a job title
    # or a status (RETIRED, SELF EMPLOYED): half of a ZIP's donors share those.
    rules.append(
        f"""
        SELECT a.unique_id AS l, b.unique_id AS r
        FROM rep a JOIN rep b ON a.first_canon = b.first_canon AND a.last = b.last
            AND a.zip5 = b.zip5 AND a.unique_id < b.unique_id
        WHERE {COMPATIBLE} AND length(a.first) > 1
          AND a.employer = b.employer AND a.employer NOT IN ({GENERIC_EMPLOYERS})
        """  # noqa: S608
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE det_edges AS SELECT DISTINCT l, r FROM ("
        + " UNION ALL ".join(rules)
        + ")"
    )
    return con.execute("SELECT count(*) FROM det_edges").fetchall()[0][0]
