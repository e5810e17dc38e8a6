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
3. **Deterministic passes**: the same e-mail, the same E.164 phone, the same full name at
   the same street and ZIP, at the same ZIP+4, or at the same ZIP with the same employer, or
   the names swapped in one ZIP, each only when the given names are compatible and no middle
   initial or generation (JR, SR) differs (households share e-mails, phones and addresses,
   never a first name).
4. **Splink** (Fellegi–Sunter) over the representatives: trained unsupervised (u by random
   sampling, m by EM) unless a saved model is given, then pairs scored above the review floor.
5. **Clustering**: connected components over the deterministic links, the Splink links at or
   above the auto-link threshold whose names agree (given name, surname, middle initial and
   generation: ``_AUTO_LINK_GUARD``) and staff-accepted pairs, less staff-rejected pairs; then
   a cluster holding two names that cannot be one person's, or a rejected pair, is split.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa

from groundswell.identity.normalize_sql import RAW_COLUMNS, from_arrow, normalise

logger = logging.getLogger(__name__)

MATCH_COLUMNS = (
    "first", "first_canon", "first_alts", "middle", "suffix", "last", "street", "city", "state",
    "zip5", "zip4", "employer", "occupation", "email", "phone",
)  # fmt: skip
# Shared values shared by too many records to be an identifier (a campaign's own placeholder
# e-mail, an office switchboard) link nobody deterministically; Splink still weighs them.
DETERMINISTIC_GROUP_MAX = 20


@dataclass
class EngineOptions:
    auto_link: float = 0.99
    # The same given name (or a nickname of it) and surname in the same ZIP5, or in the same
    # city when one of them has no ZIP (the analysts' key), links at this lower score: on real
    # FEC files five in six such pairs are one person, and the model's score (city, employer,
    # occupation) serves to veto the rest rather than to confirm.
    same_name_zip_link: float = 0.9
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


# 2. Collapse and 3. deterministic passes ------------------------------------------------------


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


# What tells two people of one name apart, and is never outweighed: a middle initial or a
# generation (JR, SR, II, III) that differs. Checked on every link, direct or through others.
_DISTINCT_MARKS_AGREE = """
    (a.middle IS NULL OR b.middle IS NULL OR a.middle = b.middle)
    AND (a.suffix IS NULL OR b.suffix IS NULL OR a.suffix = b.suffix)
"""
# One given name: the same canonical name, or a nickname of several names (HAL: Henry and
# Harold) of which the other is one.
_SAME_GIVEN_NAME = """
    (a.first_canon = b.first_canon
     OR instr(coalesce(a.first_alts, ''), '|' || b.first_canon || '|') > 0
     OR instr(coalesce(b.first_alts, ''), '|' || a.first_canon || '|') > 0)
"""
# Given names compatible: same canonical name, or one side only an initial that agrees, or one
# side missing; and middle initials and generations that do not disagree.
_COMPATIBLE = f"""
    ({_SAME_GIVEN_NAME} OR a.first IS NULL OR b.first IS NULL
     OR (length(a.first) = 1 AND a.first IN (b.first[1], b.first_canon[1]))
     OR (length(b.first) = 1 AND b.first IN (a.first[1], a.first_canon[1])))
    AND {_DISTINCT_MARKS_AGREE}
"""
# Given and family names written the other way round (JOHN SMITH as SMITH JOHN), one of them
# perhaps mistyped: compared crosswise.
_SWAPPED = """
    (length(a.first) > 1 AND length(b.first) > 1
     AND ((a.first = b.last AND jaro_winkler_similarity(a.last, b.first) >= 0.9)
          OR (a.last = b.first AND jaro_winkler_similarity(a.first, b.last) >= 0.9)))
"""


# A typo of a given name: one letter off (or nearly the same), as written or in canonical form
# (KENNY and KENETH), both at least three letters, and not both real names (MARK and MARY are
# two people, RYAN and RTAN one) unless they are long names one letter apart (RACHAEL and
# RACHEL, KRISTEN and KIRSTEN) or the same e-mail address says they are one person.
_FIRST_NAME_TYPO = """
    (length(a.first) >= 3 AND length(b.first) >= 3
     AND (damerau_levenshtein(a.first, b.first) <= 1
          OR damerau_levenshtein(a.first_canon, b.first_canon) <= 1
          OR jaro_winkler_similarity(a.first, b.first) >= 0.92)
     AND (NOT (a.first IN (SELECT name FROM known_first)
               AND b.first IN (SELECT name FROM known_first))
          OR (least(length(a.first), length(b.first)) >= 6
              AND damerau_levenshtein(a.first, b.first) <= 1)
          OR coalesce(a.email = b.email, false)))
"""
# The household guard on Splink's links: a surname, address, phone and even e-mail shared
# by a household add up to a high score, but two different given names (not a nickname, not a
# typo, not an initial) are two people; such a pair goes to review instead.
_FIRST_NAMES_AGREE = f"""
    (a.first IS NULL OR b.first IS NULL OR {_SAME_GIVEN_NAME}
     OR {_FIRST_NAME_TYPO}
     OR (length(a.first) = 1 AND a.first IN (b.first[1], b.first_canon[1]))
     OR (length(b.first) = 1 AND b.first IN (a.first[1], a.first_canon[1]))
     OR {_SWAPPED})
"""
# The coworker guard on Splink's links: payroll donors at the employer's ZIP+4 share a ZIP,
# an employer, a job title and often a first name, which together outscore any surname
# disagreement. Two surnames that are not variants of one another (one inside the other, as
# in a double or hyphenated name; a typo; the names swapped) are two people, unless a shared
# e-mail, phone or street says one person changed surname; such a pair goes to review.
_SURNAMES_AGREE = f"""
    (a.last IS NULL OR b.last IS NULL OR a.last = b.last
     OR (least(length(a.last), length(b.last)) >= 3
         AND (contains(a.last, b.last) OR contains(b.last, a.last)))
     OR (least(length(a.last), length(b.last)) >= 4
         AND damerau_levenshtein(a.last, b.last)
             <= CASE WHEN least(length(a.last), length(b.last)) >= 8 THEN 2 ELSE 1 END)
     OR jaro_winkler_similarity(a.last, b.last) >= 0.94
     OR {_SWAPPED}
     OR coalesce(a.email = b.email, false) OR coalesce(a.phone = b.phone, false)
     OR coalesce(a.street = b.street AND a.zip5 = b.zip5, false))
"""
# Every automatic link (not a staff decision) must pass all three.
_AUTO_LINK_GUARD = f"{_FIRST_NAMES_AGREE} AND {_SURNAMES_AGREE} AND {_DISTINCT_MARKS_AGREE}"


_GENERIC_EMPLOYERS = ", ".join(
    f"'{v}'" for v in ("RETIRED", "SELF EMPLOYED", "HOMEMAKER", "STUDENT", "DISABLED", "SELF")
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
    # The same name at the same ZIP+4 (FEC files have no street; a ZIP+4 is a building or a
    # block side) is one person whatever the employment text says: people retire, change
    # jobs and spell their employer differently from one filing to the next.
    rules.append(
        f"""
        SELECT a.unique_id AS l, b.unique_id AS r
        FROM rep a JOIN rep b ON a.last = b.last
            AND a.zip5 = b.zip5 AND a.zip4 = b.zip4 AND a.unique_id < b.unique_id
        WHERE {_SAME_GIVEN_NAME} AND {_COMPATIBLE} AND length(a.first) > 1
        """  # noqa: S608
    )
    # Given and family names swapped (one perhaps mistyped) in the same ZIP: the same two names
    # in one place, only the filer's order differs.
    rules.append(
        f"""
        SELECT least(a.unique_id, b.unique_id) AS l, greatest(a.unique_id, b.unique_id) AS r
        FROM rep a JOIN rep b ON a.first = b.last AND a.zip5 = b.zip5
            AND a.unique_id <> b.unique_id
        WHERE {_SWAPPED} AND {_DISTINCT_MARKS_AGREE}
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
        WHERE {_COMPATIBLE} AND length(a.first) > 1
          AND a.employer = b.employer AND a.employer NOT IN ({_GENERIC_EMPLOYERS})
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
        SELECT x.label, bool_or(coalesce(a.middle <> b.middle, false)) AS by_middle,
            bool_or(coalesce(a.suffix <> b.suffix, false)) AS by_suffix
        FROM components x JOIN rep a ON a.unique_id = x.node
        JOIN components y ON y.label = x.label AND y.node > x.node
        JOIN rep b ON b.unique_id = y.node
        WHERE (length(a.first) > 1 AND length(b.first) > 1 AND NOT {_SAME_GIVEN_NAME}
               AND NOT {_FIRST_NAME_TYPO} AND NOT {_SWAPPED})
           OR a.middle <> b.middle OR a.suffix <> b.suffix
        GROUP BY x.label
        """  # noqa: S608
    )
    if not con.execute("SELECT count(*) FROM conflicted").fetchall()[0][0]:
        return
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE split_nodes AS
        SELECT c.node AS unique_id,
            coalesce(length(r.first) > 1 AND (r.middle IS NOT NULL OR NOT by_middle)
                     AND (r.suffix IS NOT NULL OR NOT by_suffix), false) AS strong
        FROM components c JOIN conflicted USING (label) JOIN rep r ON r.unique_id = c.node
        """
    )
    # A link between two records whose middle initials or generations differ holds no more
    # when direct than through a third record (only a staff acceptance, p = 2, keeps it).
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE split_links AS
        SELECT k.l, k.r FROM links k
        JOIN split_nodes sa ON sa.unique_id = k.l AND sa.strong
        JOIN split_nodes sb ON sb.unique_id = k.r AND sb.strong
        JOIN rep a ON a.unique_id = k.l JOIN rep b ON b.unique_id = k.r
        WHERE k.p >= 2 OR ({_DISTINCT_MARKS_AGREE})
        """  # noqa: S608
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE split_strong AS SELECT unique_id FROM split_nodes "
        "WHERE strong"
    )
    connected_components(con, "split_strong", "split_links", out="split_groups")
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE split_weak AS
        SELECT w.unique_id AS node, first(g.label ORDER BY k.p DESC, g.label) AS label
        FROM split_nodes w
        JOIN (SELECT l AS a, r AS b, p FROM links UNION ALL SELECT r, l, p FROM links) k
            ON k.a = w.unique_id
        JOIN split_groups g ON g.node = k.b
        JOIN rep a ON a.unique_id = w.unique_id JOIN rep b ON b.unique_id = k.b
        WHERE NOT w.strong AND coalesce(a.middle = b.middle, true)
            AND coalesce(a.suffix = b.suffix, true)
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


def _cannot_link_split(con: duckdb.DuckDBPyConnection) -> int:
    """Split every cluster that holds a staff-rejected pair; returns how many were split.

    Dropping the rejected edge is not enough: A and B still meet through A–C–B. A rejection is
    a cannot-link constraint, so such a cluster is rebuilt Kruskal-style from its own links,
    strongest first (staff-accepted, then deterministic, then by match probability), refusing
    any link that would put both records of a rejected pair in one group. Only clusters that
    hold a rejected pair are read back; every other cluster stays exactly as it was.
    """
    broken = con.execute(
        """
        SELECT DISTINCT a.label FROM rejected j
        JOIN components a ON a.node = j.l JOIN components b ON b.node = j.r
        WHERE a.label = b.label
        """
    ).fetchall()
    if not broken:
        return 0
    from_arrow(con, "broken", pa.table({"label": pa.array([row[0] for row in broken], pa.int64())}))
    nodes = con.execute(
        "SELECT c.node FROM components c JOIN broken USING (label) ORDER BY c.node"
    ).fetchall()
    edges = con.execute(
        """
        SELECT k.l, k.r FROM links k
        JOIN components a ON a.node = k.l JOIN broken USING (label)
        JOIN components b ON b.node = k.r AND b.label = a.label
        ORDER BY k.p DESC, k.l, k.r
        """
    ).fetchall()
    apart: dict[int, set[int]] = {}
    for left, right in con.execute(
        """
        SELECT j.l, j.r FROM rejected j
        JOIN components a ON a.node = j.l JOIN broken USING (label)
        JOIN components b ON b.node = j.r AND b.label = a.label
        """
    ).fetchall():
        apart.setdefault(left, set()).add(right)
        apart.setdefault(right, set()).add(left)
    con.execute("DROP TABLE broken")

    parent = {node: node for (node,) in nodes}
    # Per group root: its members that are in a rejected pair (few), to test a union cheaply.
    constrained = {node: {node} for node in apart}

    def find(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for left, right in edges:
        a, b = find(left), find(right)
        if a == b:
            continue
        a_members, b_members = constrained.get(a, set()), constrained.get(b, set())
        if any(find(other) == b for member in a_members for other in apart[member]):
            continue
        if len(a_members) < len(b_members):
            a, b, a_members, b_members = b, a, b_members, a_members
        parent[b] = a
        if b_members:
            constrained[a] = a_members | b_members
            constrained.pop(b, None)

    groups: dict[int, int] = {}
    for node in parent:
        root = find(node)
        groups[root] = min(groups.get(root, node), node)
    from_arrow(
        con,
        "cannot_link_labels",
        pa.table(
            {
                "node": pa.array(list(parent), pa.int64()),
                "label": pa.array([groups[find(node)] for node in parent], pa.int64()),
            }
        ),
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE components AS
        SELECT c.node, coalesce(n.label, c.label) AS label
        FROM components c LEFT JOIN cannot_link_labels n USING (node)
        """
    )
    con.execute("DROP TABLE cannot_link_labels")
    return len(broken)


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
    from_arrow(con, "splink_pairs", scored.pairs)

    _pairs_map(con, "accepted", options.accepted)
    _pairs_map(con, "rejected", options.rejected)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE links AS
        SELECT l, r, max(p) AS p FROM (
            SELECT l, r, 1.0 AS p FROM det_edges
            UNION ALL SELECT p.unique_id_l, p.unique_id_r, p.match_probability FROM splink_pairs p
                JOIN rep a ON a.unique_id = p.unique_id_l JOIN rep b ON b.unique_id = p.unique_id_r
                WHERE (p.match_probability >= {float(options.auto_link)}
                       OR (p.match_probability >= {float(options.same_name_zip_link)}
                           AND {_SAME_GIVEN_NAME} AND length(a.first) > 1
                           AND length(b.first) > 1 AND a.last = b.last
                           AND (a.zip5 = b.zip5
                                OR (a.city = b.city AND a.state = b.state
                                    AND (a.zip5 IS NULL OR b.zip5 IS NULL)))))
                  AND {_AUTO_LINK_GUARD}
            UNION ALL SELECT l, r, 2.0 AS p FROM accepted
        ) x WHERE NOT EXISTS (SELECT 1 FROM rejected j WHERE j.l = x.l AND j.r = x.r)
        GROUP BY l, r
        """  # noqa: S608
    )
    connected_components(con, "rep", "links")
    _name_conflicts_split(con)
    _cannot_link_split(con)
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
