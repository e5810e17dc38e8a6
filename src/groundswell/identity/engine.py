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
3. **Deterministic passes**: the same e-mail, the same E.164 phone, or the same full name at
   the same street and ZIP, each only when the given names are compatible (households share
   e-mails, phones and addresses, never a first name).
4. **Splink** (Fellegi–Sunter) over the representatives: trained unsupervised (u by random
   sampling, m by EM) unless a saved model is given, then pairs scored above the review floor.
5. **Clustering**: connected components over the deterministic links, the Splink links at or
   above the auto-link threshold and staff-accepted pairs, less staff-rejected pairs.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa

from groundswell.identity import normalize as nz

logger = logging.getLogger(__name__)

RAW_COLUMNS = (
    "full_name", "given_name", "family_name", "street", "city", "state", "postal_code",
    "employer", "occupation", "email", "phone",
)  # fmt: skip
MATCH_COLUMNS = (
    "first", "first_canon", "middle", "last", "street", "city", "state", "zip5", "employer",
    "occupation", "email", "phone",
)  # fmt: skip
# Shared values shared by too many records to be an identifier (a campaign's own placeholder
# e-mail, an office switchboard) link nobody deterministically; Splink still weighs them.
DETERMINISTIC_GROUP_MAX = 20


@dataclass
class EngineOptions:
    auto_link: float = 0.99
    review_floor: float = 0.8
    backend: str = "duckdb"  # or "spark"
    model: dict | None = None  # a trained Splink model to reuse; None trains one
    # Each DuckDB connection (the engine's, Splink's) spills to disk beyond this.
    memory_limit_mb: int = 1536
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


# 1. Normalisation -----------------------------------------------------------------------------


def _map_distinct(
    con: duckdb.DuckDBPyConnection,
    columns: list[str],
    out: list[str],
    fn: Callable,
    name: str,
    source: str = "records",
) -> None:
    """Create table ``name`` mapping each distinct tuple of ``columns`` through ``fn``."""
    cols = ", ".join(f"coalesce(CAST({c} AS VARCHAR), '') AS {c}" for c in columns)
    rows = con.sql(f"SELECT DISTINCT {cols} FROM {source}").to_arrow_table()  # noqa: S608
    inputs = [rows.column(c).to_pylist() for c in columns]
    results = [fn(*values) for values in zip(*inputs, strict=True)]
    data = {c: inputs[i] for i, c in enumerate(columns)}
    if len(out) == 1:
        data[out[0]] = results
    else:
        for i, c in enumerate(out):
            data[c] = [r[i] for r in results]
    schema = pa.schema([(c, pa.string()) for c in data])
    _from_arrow(con, name, pa.table(data, schema=schema))


# The shapes nearly every name comes in, parsed in SQL exactly as normalize.name_parse and
# given_family_parse would (a test holds them to it): plain ASCII letters, no title, suffix or
# particle, "LAST, FIRST [M]", "FIRST [M] LAST" or given "FIRST [M]" + family "LAST". Python
# takes the rest. A million names cost ~10 s in Python and well under one in DuckDB.
_NAME_FAST = """
CREATE OR REPLACE TEMP TABLE m_name_fast AS
WITH src AS (
    SELECT DISTINCT coalesce(full_name, '') AS full_name, coalesce(given_name, '') AS given_name,
        coalesce(family_name, '') AS family_name
    FROM records
), c AS (
    SELECT *,
        regexp_replace(upper(full_name), '[.''-]', '', 'g') AS f,
        regexp_replace(regexp_replace(upper(given_name), '[.''-]', '', 'g'), ',', ' ', 'g') AS g,
        regexp_replace(regexp_replace(upper(family_name), '[.''-]', '', 'g'), ',', ' ', 'g') AS h
    FROM src
    WHERE regexp_full_match(full_name || given_name || family_name, '[A-Za-z ,.''-]*')
), t AS (
    SELECT *,
        contains(f, ',') AS comma,
        regexp_matches(f || ' ' || g || ' ' || h, $special) AS special,
        list_filter(string_split(split_part(f, ',', 1), ' '), lambda x: x <> '') AS f_family,
        list_filter(string_split(replace(substr(f, strpos(f, ',') + 1), ',', ' '), ' '),
                    lambda x: x <> '') AS f_given,
        list_filter(string_split(f, ' '), lambda x: x <> '') AS f_tokens,
        list_filter(string_split(g, ' '), lambda x: x <> '') AS g_tokens,
        list_filter(string_split(h, ' '), lambda x: x <> '') AS h_tokens
    FROM c
)
SELECT full_name, given_name, family_name,
    CASE WHEN f = '' THEN g_tokens[1] WHEN comma THEN f_given[1] ELSE f_tokens[1] END AS first,
    CASE WHEN f = '' THEN coalesce(left(g_tokens[2], 1), '')
         WHEN comma THEN coalesce(left(f_given[2], 1), '')
         WHEN len(f_tokens) = 3 THEN left(f_tokens[2], 1) ELSE '' END AS middle,
    CASE WHEN f = '' THEN array_to_string(h_tokens, '') WHEN comma THEN f_family[1]
         ELSE f_tokens[-1] END AS last
FROM t
WHERE CASE
    WHEN f = '' THEN len(h_tokens) >= 1 AND len(g_tokens) BETWEEN 1 AND 2
        AND NOT special
    WHEN comma THEN len(f_family) = 1 AND len(f_given) BETWEEN 1 AND 2
        AND NOT special
    ELSE len(f_tokens) BETWEEN 2 AND 3 AND NOT special
END
"""


# Streets in SQL the way normalize._street_fast does them (a test holds them to it): house
# number first, unit cut off, directions and suffix abbreviated. Python takes the rest.
_STREET_FAST = r"""
CREATE OR REPLACE TEMP TABLE m_street_fast AS
WITH src AS (SELECT DISTINCT coalesce(street, '') AS street FROM records),
c AS (
    SELECT street, list_filter(string_split(regexp_replace(
        regexp_replace(upper(street), '[.]', '', 'g'), '[^A-Z0-9 #/-]+', ' ', 'g'), ' '),
        lambda x: x <> '') AS t
    FROM src WHERE regexp_full_match(street, '[ -~]*')
), cut AS (
    SELECT street, t, list_position(list_transform(t, lambda x, i: i > 1
        AND (list_contains($units, x) OR starts_with(x, '#'))), true) AS unit_at
    FROM c WHERE len(t) >= 2 AND regexp_full_match(t[1], '\d+[A-Z]?(-\d+[A-Z]?)?|\d+/\d+')
), body AS (
    SELECT street, CASE WHEN unit_at > 0 THEN t[1:unit_at - 1] ELSE t END AS t FROM cut
), pre AS (
    SELECT street, t[1] AS num,
        CASE WHEN len(t) > 2 THEN map_extract_value(MAP($dk, $dv), t[2]) END AS pre,
        CASE WHEN len(t) > 2 AND map_extract_value(MAP($dk, $dv), t[2]) IS NOT NULL
             THEN t[3:] ELSE t[2:] END AS rest
    FROM body WHERE len(t) >= 2
), post AS (
    SELECT street, num, pre,
        CASE WHEN len(rest) > 1 AND map_extract_value(MAP($dk, $dv), rest[-1]) IS NOT NULL
             THEN map_extract_value(MAP($dk, $dv), rest[-1]) END AS post,
        CASE WHEN len(rest) > 1 AND map_extract_value(MAP($dk, $dv), rest[-1]) IS NOT NULL
             THEN rest[1:-2] ELSE rest END AS rest
    FROM pre
), suffixed AS (
    SELECT street, num, pre, post,
        CASE WHEN len(rest) > 1 AND map_extract_value(MAP($sk, $sv), rest[-1]) IS NOT NULL
             THEN list_append(rest[1:-2], map_extract_value(MAP($sk, $sv), rest[-1]))
             ELSE rest END AS rest
    FROM post
)
SELECT street, concat_ws(' ', num, pre, array_to_string(rest, ' '), post) AS n_street
FROM suffixed WHERE regexp_full_match(array_to_string(rest, ' '), '[A-Z0-9 ]+')
"""


def _streets(con: duckdb.DuckDBPyConnection) -> None:
    """``m_street``: each distinct street line → its normalised form."""
    con.execute(
        _STREET_FAST,
        {
            "units": sorted(nz.UNITS),
            "dk": list(nz.DIRECTIONS),
            "dv": list(nz.DIRECTIONS.values()),
            "sk": list(nz.SUFFIX_ABBREVIATIONS),
            "sv": list(nz.SUFFIX_ABBREVIATIONS.values()),
        },
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE m_street_rest AS
        SELECT DISTINCT coalesce(street, '') AS street FROM records
        EXCEPT SELECT street FROM m_street_fast
        """
    )
    _map_distinct(
        con, ["street"], ["n_street"], nz.street_normalize, "m_street_slow", source="m_street_rest"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE m_street AS "
        "SELECT * FROM m_street_fast UNION ALL SELECT * FROM m_street_slow"
    )
    for table in ("m_street_fast", "m_street_rest", "m_street_slow"):
        con.execute(f"DROP TABLE {table}")


def _names(con: duckdb.DuckDBPyConnection) -> None:
    """``m_name``: each distinct name (full, given, family) → first, first_canon, middle, last."""
    special = "(^|[ ,])(" + "|".join(sorted(nz.SPECIAL_TOKENS)) + ")([ ,]|$)"
    con.execute(_NAME_FAST, {"special": special})
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE m_name_rest AS
        SELECT DISTINCT coalesce(full_name, '') AS full_name,
            coalesce(given_name, '') AS given_name, coalesce(family_name, '') AS family_name
        FROM records
        EXCEPT SELECT full_name, given_name, family_name FROM m_name_fast
        """
    )
    _map_distinct(
        con, ["full_name", "given_name", "family_name"], ["first", "middle", "last"],
        lambda full, given, family: tuple(
            nz.name_parse(full) if full else nz.given_family_parse(given, family)
        ),
        "m_name_slow", source="m_name_rest",
    )  # fmt: skip
    nick = nz.nicknames()
    _from_arrow(
        con,
        "m_nickname",
        pa.table({"nickname": list(nick), "name": list(nick.values())}),
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE m_name AS
        SELECT n.full_name, n.given_name, n.family_name, n.first,
            coalesce(k.name, n.first) AS first_canon, n.middle, n.last
        FROM (SELECT * FROM m_name_fast UNION ALL SELECT * FROM m_name_slow) n
        LEFT JOIN m_nickname k ON k.nickname = n.first
        """
    )
    _from_arrow(con, "known_first", pa.table({"name": sorted(nz.known_given_names())}))
    for table in ("m_name_fast", "m_name_rest", "m_name_slow", "m_nickname"):
        con.execute(f"DROP TABLE {table}")


def _from_arrow(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> None:
    con.register("_arrow_in", table)
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM _arrow_in")
    finally:
        con.unregister("_arrow_in")


def normalise(con: duckdb.DuckDBPyConnection) -> None:
    """Turn ``records`` into ``norm`` (unique_id + MATCH_COLUMNS, "" for missing)."""
    present = {r[0] for r in con.execute("DESCRIBE records").fetchall()}
    for column in RAW_COLUMNS:
        if column not in present:
            con.execute(f"ALTER TABLE records ADD COLUMN {column} VARCHAR")
    _names(con)
    _streets(con)
    _map_distinct(con, ["city"], ["n_city"], nz.city_normalize, "m_city")
    _map_distinct(con, ["employer"], ["n_employer"], nz.work_normalize, "m_employer")
    _map_distinct(con, ["occupation"], ["n_occupation"], nz.work_normalize, "m_occupation")
    _map_distinct(con, ["email"], ["n_email"], nz.email_normalize, "m_email")
    _map_distinct(con, ["phone"], ["n_phone"], nz.phone_e164, "m_phone")

    def c(col: str) -> str:
        return f"coalesce(CAST(r.{col} AS VARCHAR), '')"

    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE norm AS
        SELECT r.unique_id, m_name.first, m_name.first_canon, m_name.middle, m_name.last,
               m_street.n_street AS street, m_city.n_city AS city,
               upper(trim(coalesce(r.state, ''))) AS state,
               CASE WHEN regexp_full_match(left(trim(coalesce(r.postal_code, '')), 5), '[0-9]{{5}}')
                    THEN left(trim(r.postal_code), 5) ELSE '' END AS zip5,
               m_employer.n_employer AS employer, m_occupation.n_occupation AS occupation,
               m_email.n_email AS email, m_phone.n_phone AS phone
        FROM records r
        JOIN m_name ON m_name.full_name = {c("full_name")}
            AND m_name.given_name = {c("given_name")} AND m_name.family_name = {c("family_name")}
        JOIN m_street ON m_street.street = {c("street")}
        JOIN m_city ON m_city.city = {c("city")}
        JOIN m_employer ON m_employer.employer = {c("employer")}
        JOIN m_occupation ON m_occupation.occupation = {c("occupation")}
        JOIN m_email ON m_email.email = {c("email")}
        JOIN m_phone ON m_phone.phone = {c("phone")}
        """  # noqa: S608
    )
    for table in ("m_name", "m_street", "m_city", "m_employer", "m_occupation", "m_email"):
        con.execute(f"DROP TABLE {table}")
    con.execute("DROP TABLE m_phone")


# 2. Collapse and 3. deterministic passes ------------------------------------------------------


def collapse(con: duckdb.DuckDBPyConnection, keep_apart: Iterable[int] = ()) -> None:
    """``rep_map`` (unique_id → rep_id) and ``rep`` (one row per distinct normalised record).

    Records in ``keep_apart`` (those staff said are different people) keep a representative
    of their own even when identical to another record, so that the decision can hold.
    """
    cols = ", ".join(MATCH_COLUMNS)
    _from_arrow(con, "keep_apart", pa.table({"unique_id": pa.array(list(keep_apart), pa.int64())}))
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


# Given names compatible: same canonical name, or one side only an initial that agrees, or one
# side missing; and middle initials that do not disagree.
_COMPATIBLE = """
    (a.first_canon = b.first_canon OR a.first IS NULL OR b.first IS NULL
     OR ((length(a.first) = 1 OR length(b.first) = 1) AND a.first[1] = b.first[1]))
    AND (a.middle IS NULL OR b.middle IS NULL OR a.middle = b.middle)
"""


# A typo of a given name: one letter off (or nearly the same), as written or in canonical form
# (KENNY and KENETH), both at least three letters, and not both real names (MARK and MARY are
# two people, RYAN and RTAN one) unless the same e-mail address says they are one person.
_FIRST_NAME_TYPO = """
    (length(a.first) >= 3 AND length(b.first) >= 3
     AND (damerau_levenshtein(a.first, b.first) <= 1
          OR damerau_levenshtein(a.first_canon, b.first_canon) <= 1
          OR jaro_winkler_similarity(a.first, b.first) >= 0.92)
     AND (NOT (a.first IN (SELECT name FROM known_first)
               AND b.first IN (SELECT name FROM known_first))
          OR coalesce(a.email = b.email, false)))
"""
# The household guard on Splink's links: a surname, address, phone and even e-mail shared
# by a household add up to a high score, but two different given names (not a nickname, not a
# typo, not an initial) are two people; such a pair goes to review instead.
_FIRST_NAMES_AGREE = f"""
    (a.first IS NULL OR b.first IS NULL OR a.first_canon = b.first_canon
     OR {_FIRST_NAME_TYPO}
     OR ((length(a.first) = 1 OR length(b.first) = 1) AND a.first[1] = b.first[1]))
"""


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
              AND {_COMPATIBLE}
            """  # noqa: S608
        )
    rules.append(
        f"""
        SELECT a.unique_id AS l, b.unique_id AS r
        FROM rep a JOIN rep b ON a.first_canon = b.first_canon AND a.last = b.last
            AND a.street = b.street AND a.zip5 = b.zip5 AND a.unique_id < b.unique_id
        WHERE {_COMPATIBLE}
        """  # noqa: S608
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE det_edges AS SELECT DISTINCT l, r FROM ("
        + " UNION ALL ".join(rules)
        + ")"
    )
    return con.execute("SELECT count(*) FROM det_edges").fetchall()[0][0]


# 5. Clustering --------------------------------------------------------------------------------


def connected_components(
    con: duckdb.DuckDBPyConnection, nodes: str, edges: str, out: str = "components"
) -> None:
    """Table ``out`` (node, label = smallest node id in its component), by label propagation.

    Iterations follow the longest shortest path in a component: a handful for people, since a
    person's records are mostly linked to each other directly.
    """
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE cc_edges AS
        SELECT l AS a, r AS b FROM {edges} UNION ALL SELECT r AS a, l AS b FROM {edges}
        """  # noqa: S608
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {out} AS SELECT unique_id AS node, unique_id AS label "
        f"FROM {nodes}"  # noqa: S608
    )
    for _ in range(200):
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE cc_next AS
            SELECT c.node, least(c.label, coalesce(m.label, c.label)) AS label
            FROM {out} c LEFT JOIN (
                SELECT e.a AS node, min(n.label) AS label
                FROM cc_edges e JOIN {out} n ON n.node = e.b GROUP BY e.a
            ) m ON m.node = c.node
            """  # noqa: S608
        )
        changed = con.execute(
            f"SELECT count(*) FROM cc_next n JOIN {out} c USING (node) "  # noqa: S608
            "WHERE n.label <> c.label"
        ).fetchall()[0][0]
        con.execute(f"DROP TABLE {out}")
        con.execute(f"ALTER TABLE cc_next RENAME TO {out}")
        if not changed:
            break
    con.execute("DROP TABLE cc_edges")


def _name_conflicts_split(con: duckdb.DuckDBPyConnection) -> None:
    """Split clusters that hold two given or middle names that cannot be one person's.

    A record with only an initial ("J LE") or without a middle initial agrees with every name,
    so it can bridge a household (JOSE LE – J LE – JESSIE LE) or namesakes (MARK A HENRY –
    MARK HENRY – MARK J HENRY). In such a cluster the records with full given names and a
    middle initial are regrouped by their links among themselves, and each other record joins
    the group it is most strongly linked to.
    """
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE conflicted AS
        SELECT x.label, bool_or(coalesce(a.middle <> b.middle, false)) AS by_middle
        FROM components x JOIN rep a ON a.unique_id = x.node
        JOIN components y ON y.label = x.label AND y.node > x.node
        JOIN rep b ON b.unique_id = y.node
        WHERE (length(a.first) > 1 AND length(b.first) > 1 AND a.first_canon <> b.first_canon
               AND NOT {_FIRST_NAME_TYPO})
           OR a.middle <> b.middle
        GROUP BY x.label
        """  # noqa: S608
    )
    if not con.execute("SELECT count(*) FROM conflicted").fetchall()[0][0]:
        return
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE split_nodes AS
        SELECT c.node AS unique_id,
            coalesce(length(r.first) > 1 AND (r.middle IS NOT NULL OR NOT by_middle), false)
                AS strong
        FROM components c JOIN conflicted USING (label) JOIN rep r ON r.unique_id = c.node
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE split_links AS
        SELECT k.l, k.r FROM links k
        JOIN split_nodes a ON a.unique_id = k.l AND a.strong
        JOIN split_nodes b ON b.unique_id = k.r AND b.strong
        """
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE split_strong AS SELECT unique_id FROM split_nodes "
        "WHERE strong"
    )
    connected_components(con, "split_strong", "split_links", out="split_groups")
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE split_weak AS
        SELECT w.unique_id AS node, arg_max(g.label, k.p) AS label
        FROM split_nodes w
        JOIN (SELECT l AS a, r AS b, p FROM links UNION ALL SELECT r, l, p FROM links) k
            ON k.a = w.unique_id
        JOIN split_groups g ON g.node = k.b
        JOIN rep a ON a.unique_id = w.unique_id JOIN rep b ON b.unique_id = k.b
        WHERE NOT w.strong AND coalesce(a.middle = b.middle, true)
        GROUP BY w.unique_id
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE components AS
        SELECT c.node,
            CASE WHEN s.unique_id IS NULL THEN c.label
                 ELSE coalesce(g.label, w.label, c.node) END AS label
        FROM components c
        LEFT JOIN split_nodes s ON s.unique_id = c.node
        LEFT JOIN split_groups g ON g.node = c.node
        LEFT JOIN split_weak w ON w.node = c.node
        """
    )
    for table in ("conflicted", "split_nodes", "split_links", "split_strong", "split_groups"):
        con.execute(f"DROP TABLE {table}")
    con.execute("DROP TABLE split_weak")


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
    con.execute(f"SET memory_limit = '{int(options.memory_limit_mb)}MB'")
    clock = _Clock(progress)
    records = con.execute("SELECT count(*) FROM records").fetchall()[0][0]
    normalise(con)
    clock.lap("normalise")
    rejected = list(options.rejected)
    options.rejected = rejected
    collapse(con, [uid for pair in rejected for uid in pair])
    representatives = con.execute("SELECT count(*) FROM rep").fetchall()[0][0]
    clock.lap("collapse")
    det_count = deterministic_links(con)
    clock.lap("deterministic")

    rep_table = con.sql("SELECT * FROM rep").to_arrow_table()
    scored = splink_model.score(rep_table, options, clock)
    _from_arrow(con, "splink_pairs", scored.pairs)

    _pairs_map(con, "accepted", options.accepted)
    _pairs_map(con, "rejected", options.rejected)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE links AS
        SELECT l, r, max(p) AS p FROM (
            SELECT l, r, 1.0 AS p FROM det_edges
            UNION ALL SELECT p.unique_id_l, p.unique_id_r, p.match_probability FROM splink_pairs p
                JOIN rep a ON a.unique_id = p.unique_id_l JOIN rep b ON b.unique_id = p.unique_id_r
                WHERE p.match_probability >= {float(options.auto_link)} AND {_FIRST_NAMES_AGREE}
            UNION ALL SELECT l, r, 2.0 AS p FROM accepted
        ) x WHERE NOT EXISTS (SELECT 1 FROM rejected j WHERE j.l = x.l AND j.r = x.r)
        GROUP BY l, r
        """  # noqa: S608
    )
    connected_components(con, "rep", "links")
    _name_conflicts_split(con)
    clusters = con.sql(
        "SELECT m.unique_id, c.label AS cluster_id FROM rep_map m "
        "JOIN components c ON c.node = m.rep_id ORDER BY m.unique_id"
    ).to_arrow_table()
    clock.lap("cluster")

    # Pairs for the review queue: scored above the floor and still in two clusters (below the
    # auto-link threshold, or above it with given names that do not agree).
    review = con.sql(
        """
        SELECT p.* FROM splink_pairs p
        JOIN components a ON a.node = p.unique_id_l JOIN components b ON b.node = p.unique_id_r
        WHERE a.label <> b.label
        ORDER BY p.match_probability DESC
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


def _pairs_map(con: duckdb.DuckDBPyConnection, name: str, pairs: Iterable[tuple[int, int]]):
    """Table ``name`` (l, r): record pairs as pairs of their representatives, l < r."""
    left: list[int] = []
    right: list[int] = []
    for a, b in pairs:
        left.append(int(a))
        right.append(int(b))
    _from_arrow(
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
