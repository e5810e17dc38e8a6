"""The identity engine: normalise, collapse, link deterministically, then Splink, then cluster.

Django-free: it works on a DuckDB table of raw records and hands back Arrow tables, so the CRM
service, the FEC command and the benchmark share it. The input table ``records`` has
``unique_id`` (BIGINT) and any of: full_name ("LAST, FIRST M" or "First M Last"), given_name,
family_name, street, city, state, postal_code, employer, occupation, email, phone.

The steps, and why in this order:

1. **Normalise** each distinct value once (``normalize``), joined back in SQL: a national file
   repeats the same names, streets and employers many times.
2. **Collapse** records whose normalised fields are all equal into one representative: the same
   donor giving monthly is one record to compare, not twelve. Splink sees representatives only.
3. **Deterministic passes** (``engine_links``): the same e-mail, the same E.164 phone, the same
   full name at the same street and ZIP, at the same ZIP+4, at the same ZIP with the same
   employer, or in one city or ZIP3 with one employer written two ways; a typo of a rare name
   (surname or given name), a given name written short, or the names swapped, in one ZIP (or
   one mistyped) where no street says otherwise. Each only when the given names are compatible
   and no middle initial or generation (JR, SR) differs (households share e-mails, phones and
   addresses, never a first name).
4. **Splink** (Fellegi–Sunter) over the representatives: trained unsupervised (u by random
   sampling, m by EM) unless a saved model is given, then pairs scored above the review floor.
5. **Clustering**: connected components over the deterministic links, the Splink links at or
   above the auto-link threshold (lower for the same name in one ZIP, city or ZIP3) whose names
   agree (given name, surname, middle initial and generation:
   ``engine_guards.AUTO_LINK_GUARD``) and staff-accepted pairs, less staff-rejected pairs; then
   a cluster holding two names that cannot be one person's, or a rejected pair, is split.

Where each step lives: ``normalize_sql`` (1), ``engine_links`` (2, 3), ``splink_settings`` and
``splink_model`` (4), ``engine_cluster`` (5); the name guards every automatic link passes are in
``engine_guards``.
This module runs them in order (``resolve``).
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa

from groundswell.identity.engine_cluster import (
    cannot_link_split,
    connected_components,
    name_conflicts_split,
)
from groundswell.identity.engine_guards import (
    AUTO_LINK_GUARD,
    SAME_GENERATION,
    SAME_GIVEN_NAME,
    STREETS_DO_NOT_DIFFER,
)
from groundswell.identity.engine_links import (
    DETERMINISTIC_GROUP_MAX,
    MATCH_COLUMNS,
    collapse,
    deterministic_links,
)
from groundswell.identity.normalize_sql import RAW_COLUMNS, from_arrow, normalise
from groundswell.identity.zip_places import zips_near_sql

# The steps live in their own modules; these names are the engine's interface to its callers
# (the service, the FEC count, the benchmark and the Splink model's small-list background).
__all__ = [
    "DETERMINISTIC_GROUP_MAX", "MATCH_COLUMNS", "RAW_COLUMNS", "EngineOptions", "EngineResult",
    "collapse", "connected_components", "deterministic_links", "from_arrow", "normalise",
    "records_table", "resolve",
]  # fmt: skip

logger = logging.getLogger(__name__)


@dataclass
class EngineOptions:
    auto_link: float = 0.99
    # The same given name (or a nickname of it) and surname in the same ZIP5, or in the same
    # city when one of them has no ZIP (the analysts' key), links at this lower score: on real
    # FEC files five in six such pairs are one person, and the model's score (city, employer,
    # occupation) serves to veto the rest rather than to confirm.
    same_name_zip_link: float = 0.9
    # The same name in the same city or ZIP3, or at neighbouring ZIPs (another ZIP: home and
    # office, a move across town or to the next town) links at this score: the model's surname
    # term frequency keeps common names (JOHN SMITH in New York scores far below it) apart,
    # and a rare name in one city is one person far more often than two, whatever their
    # employers say (people change jobs). Not where both streets are known and differ: a
    # model trained on donors who mostly move within their town would otherwise join two
    # namesakes of one town at their two addresses.
    same_name_area_link: float = 0.93
    review_floor: float = 0.8
    backend: str = "duckdb"  # or "spark"
    model: dict | None = None  # a trained Splink model to reuse; None trains one
    # Each DuckDB connection (the engine's, Splink's) spills to disk beyond this; None: scaled
    # to the records and the machine (``memory_limit_for``).
    memory_limit_mb: int | None = None
    # Where both connections spill (None: groundswell-duckdb in the system's temporary folder).
    temp_directory: str | None = None
    u_max_pairs: float = 1e7
    em_max_pairs: float = 2e6
    keep_field_weights: bool = False  # per-field weights of review pairs (for the queue)
    seed: int = 42
    # (record a, record b) unique_ids staff linked or kept apart; applied at clustering.
    accepted: Iterable[tuple[int, int]] = ()
    rejected: Iterable[tuple[int, int]] = ()


@dataclass
class EngineResult:
    clusters: pa.Table  # unique_id, cluster_id (the smallest unique_id in the cluster)
    review_pairs: pa.Table  # unique_id_l, unique_id_r, match_probability, match_weight, weights
    model: dict
    records: int
    representatives: int
    deterministic_links: int
    comparisons: int
    trained: bool
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def cluster_count(self) -> int:
        return len(set(self.clusters.column("cluster_id").to_pylist()))


# What a connection may hold per input record before it spills. At 1,000,000 records (the
# floor below holds there) no statement of the engine needs more than ~0.8 GB; at 10,000,000 a
# fixed 1.5 GB made DuckDB spill the collapse, the deterministic joins and Splink's blocked pairs
# to disk, and each stage grew 30-50-fold on ten-fold data (docs/identity-evaluation.md,
# 10,000,000 gifts).
MEMORY_PER_RECORD = 800
MEMORY_FLOOR_MB = 1536
# The two connections together take at most half the machine's memory: the rest is the Arrow
# copies the engine hands between them, Python, and whoever else runs on the machine.
MEMORY_SHARE = 0.25


def memory_limit_for(records: int, physical: int | None = None) -> int:
    """Each DuckDB connection's memory limit in MB for ``records`` input records: grows with
    the input, at least ``MEMORY_FLOOR_MB``, at most a quarter of the machine's memory."""
    if physical is None:
        physical = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    ceiling = max(MEMORY_FLOOR_MB, int(physical * MEMORY_SHARE) >> 20)
    return min(ceiling, max(MEMORY_FLOOR_MB, (records * MEMORY_PER_RECORD) >> 20))


def temp_directory(options: EngineOptions) -> str:
    """The folder both connections spill to."""
    return options.temp_directory or os.path.join(tempfile.gettempdir(), "groundswell-duckdb")


def _spill_to(con: duckdb.DuckDBPyConnection, options: EngineOptions) -> None:
    """Both connections spill to ``options.temp_directory``, else to the folder the caller gave
    ``con`` (the FEC count's work folder), else to ``temp_directory``'s default: never to
    DuckDB's own default for a database in memory, ``.tmp`` in whatever folder the process
    runs in."""
    current = con.execute("SELECT current_setting('temp_directory')").fetchall()[0][0]
    if options.temp_directory is None and current and current != ".tmp":
        options.temp_directory = current
    # Set once: DuckDB refuses another folder once one has been used (a second run on the
    # connection, as the benchmark's run with the saved model).
    if current != temp_directory(options):
        con.execute(f"SET temp_directory = '{temp_directory(options)}'")


class _Clock:
    def __init__(self, progress: Callable[[str], None] | None):
        self.timings: dict[str, float] = {}
        self.progress = progress
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = round(now - self._last, 3)
        self._last = now
        logger.debug("identity: %s in %.2f s", name, self.timings[name])
        if self.progress:
            self.progress(name)


# The whole run --------------------------------------------------------------------------------


def resolve(
    con: duckdb.DuckDBPyConnection,
    options: EngineOptions | None = None,
    *,
    progress: Callable[[str], None] | None = None,
) -> EngineResult:
    """Resolve the ``records`` table of ``con`` into clusters of people."""
    from groundswell.identity import splink_model

    options = options or EngineOptions()
    records = con.execute("SELECT count(*) FROM records").fetchall()[0][0]
    if options.memory_limit_mb is None:
        options.memory_limit_mb = memory_limit_for(records)
    con.execute(f"SET memory_limit = '{int(options.memory_limit_mb)}MB'")
    _spill_to(con, options)
    clock = _Clock(progress)
    normalise(con)
    clock.lap("normalise")
    rejected = list(options.rejected)
    options.rejected = rejected
    collapse(con, [uid for pair in rejected for uid in pair])
    # Every later step reads the representatives: the normalised records (gigabytes at
    # 10,000,000, which DuckDB otherwise keeps in memory or spills) are not needed again.
    con.execute("DROP TABLE norm")
    representatives = con.execute("SELECT count(*) FROM rep").fetchall()[0][0]
    clock.lap("collapse")
    det_count = deterministic_links(con)
    clock.lap("deterministic")

    rep_table = con.sql("SELECT * FROM rep").to_arrow_table()
    scored = splink_model.score(rep_table, options, clock)
    from_arrow(con, "splink_pairs", scored.pairs)

    _pairs_map(con, "accepted", options.accepted)
    _pairs_map(con, "rejected", options.rejected)
    _links(con, options)
    connected_components(con, "rep", "links")
    name_conflicts_split(con)
    cannot_link_split(con)
    clusters = con.sql(
        "SELECT m.unique_id, c.label AS cluster_id FROM rep_map m "
        "JOIN components c ON c.node = m.rep_id ORDER BY m.unique_id"
    ).to_arrow_table()
    clock.lap("cluster")

    # Pairs for the review queue: scored above the floor and still in two clusters (below the
    # auto-link threshold, or above it with names that do not agree).
    review = con.sql(
        """
        SELECT p.* FROM splink_pairs p
        JOIN components a ON a.node = p.unique_id_l JOIN components b ON b.node = p.unique_id_r
        WHERE a.label <> b.label
        ORDER BY p.match_probability DESC, p.unique_id_l, p.unique_id_r
        """  # noqa: S608
    ).to_arrow_table()
    return EngineResult(
        clusters=clusters,
        review_pairs=review,
        model=scored.model,
        records=records,
        representatives=representatives,
        deterministic_links=det_count,
        comparisons=scored.comparisons,
        trained=scored.trained,
        timings=clock.timings,
    )


def _links(con: duckdb.DuckDBPyConnection, options: EngineOptions) -> None:
    """Table ``links`` (l, r, p): deterministic links (p = 1), Splink's links that pass the name
    guards, and staff acceptances (p = 2), less staff rejections."""
    same_name = f"""
        {SAME_GIVEN_NAME} AND length(a.first) > 1 AND length(b.first) > 1 AND a.last = b.last
    """
    # In one ZIP a given name written as its initial counts as the same name when the middle
    # initials agree too (L D and LAWRENCE D): two people of one surname in one ZIP whose given
    # names begin alike and whose middle initials are the same are rarer than one man who signs
    # with his initials (a husband and wife share a surname and a ZIP, seldom both initials).
    initials_agree = """
        (a.last = b.last AND a.middle IS NOT NULL AND a.middle = b.middle
         AND ((length(a.first) = 1 AND length(b.first) > 1
               AND a.first IN (b.first[1], b.first_canon[1]))
              OR (length(b.first) = 1 AND length(a.first) > 1
                  AND b.first IN (a.first[1], a.first_canon[1]))))
    """
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE links AS
        SELECT l, r, max(p) AS p, bool_or(slip) AS slip FROM (
            SELECT l, r, 1.0 AS p, slip FROM det_edges
            UNION ALL SELECT p.unique_id_l, p.unique_id_r, p.match_probability, false
                FROM splink_pairs p
                JOIN rep a ON a.unique_id = p.unique_id_l JOIN rep b ON b.unique_id = p.unique_id_r
                WHERE (p.match_probability >= {float(options.auto_link)}
                       OR (p.match_probability >= {float(options.same_name_zip_link)}
                           AND ({same_name} OR {initials_agree})
                           AND (a.zip5 = b.zip5
                                OR (a.city = b.city AND a.state = b.state
                                    AND (a.zip5 IS NULL OR b.zip5 IS NULL))))
                       OR (p.match_probability >= {float(options.same_name_area_link)}
                           AND {same_name}
                           AND ((a.state = b.state
                                 AND (a.city = b.city OR left(a.zip5, 3) = left(b.zip5, 3)))
                                OR {zips_near_sql()})
                           AND {SAME_GENERATION} AND {STREETS_DO_NOT_DIFFER}))
                  AND {AUTO_LINK_GUARD}
            UNION ALL SELECT l, r, 2.0 AS p, false FROM accepted
        ) x WHERE NOT EXISTS (SELECT 1 FROM rejected j WHERE j.l = x.l AND j.r = x.r)
        GROUP BY l, r
        """  # noqa: S608
    )


def _pairs_map(con: duckdb.DuckDBPyConnection, name: str, pairs: Iterable[tuple[int, int]]):
    """Table ``name`` (l, r): record pairs as pairs of their representatives, l < r."""
    left: list[int] = []
    right: list[int] = []
    for a, b in pairs:
        left.append(int(a))
        right.append(int(b))
    from_arrow(
        con,
        f"{name}_records",
        pa.table({"a": pa.array(left, pa.int64()), "b": pa.array(right, pa.int64())}),
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {name} AS
        SELECT DISTINCT least(ma.rep_id, mb.rep_id) AS l, greatest(ma.rep_id, mb.rep_id) AS r
        FROM {name}_records p
        JOIN rep_map ma ON ma.unique_id = p.a JOIN rep_map mb ON mb.unique_id = p.b
        WHERE ma.rep_id <> mb.rep_id
        """  # noqa: S608
    )


def records_table(rows: Iterable[dict[str, Any]]) -> pa.Table:
    """An Arrow ``records`` table from dicts with ``unique_id`` and any RAW_COLUMNS."""
    data: dict[str, list] = {"unique_id": []}
    for column in RAW_COLUMNS:
        data[column] = []
    for row in rows:
        data["unique_id"].append(int(row["unique_id"]))
        for column in RAW_COLUMNS:
            value = row.get(column)
            data[column].append(str(value) if value not in (None, "") else None)
    schema = pa.schema([("unique_id", pa.int64())] + [(c, pa.string()) for c in RAW_COLUMNS])
    return pa.table(data, schema=schema)
