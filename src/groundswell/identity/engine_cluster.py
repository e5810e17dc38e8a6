"""Clustering (engine step 5): connected components, then the splits names and staff demand."""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

from groundswell.identity.engine_guards import (
    DISTINCT_MARKS_AGREE,
    FIRST_NAME_TYPO,
    GIVEN_PREFIX,
    SAME_GIVEN_NAME,
    SWAPPED,
)
from groundswell.identity.normalize_sql import from_arrow


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
        f"CREATE OR REPLACE TEMP TABLE {out} AS SELECT unique_id AS node, unique_id AS label "  # noqa: S608 (table names from our code, no outside text)
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


def _conflicted(con: duckdb.DuckDBPyConnection) -> int:
    """Table ``conflicted``: clusters holding two names that cannot be one person's; how many."""
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE conflicted AS
        SELECT x.label, bool_or(coalesce(a.middle <> b.middle, false)) AS by_middle,
            bool_or(coalesce(a.suffix <> b.suffix, false)) AS by_suffix
        FROM components x JOIN rep a ON a.unique_id = x.node
        JOIN components y ON y.label = x.label AND y.node > x.node
        JOIN rep b ON b.unique_id = y.node
        WHERE (length(a.first) > 1 AND length(b.first) > 1 AND NOT {SAME_GIVEN_NAME}
               AND NOT {FIRST_NAME_TYPO} AND NOT {SWAPPED} AND NOT {GIVEN_PREFIX})
           OR a.middle <> b.middle OR a.suffix <> b.suffix
        GROUP BY x.label
        """  # noqa: S608
    )
    return con.execute("SELECT count(*) FROM conflicted").fetchall()[0][0]


def name_conflicts_split(con: duckdb.DuckDBPyConnection) -> None:
    """Split clusters that hold two given or middle names that cannot be one person's.

    A record with only an initial ("J LE") or without a middle initial agrees with every name,
    so it can bridge a household (JOSE LE – J LE – JESSIE LE) or namesakes (MARK A HENRY –
    MARK HENRY – MARK J HENRY). In such a cluster the records with full given names and a
    middle initial are regrouped by their links among themselves, and each other record joins
    the group it is most strongly linked to.
    """
    if not _conflicted(con):
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
    # A link between two records whose generations differ holds no more when direct than
    # through a third record (only a staff acceptance, p = 2, keeps it). Nor does one whose
    # middle initials differ, unless the engine's middle-slip rule made it (the only
    # automatic link allowed to: engine_rare.MIDDLE_SLIP_AT_ZIP4), deliberately.
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE split_links AS
        SELECT k.l, k.r FROM links k
        JOIN split_nodes sa ON sa.unique_id = k.l AND sa.strong
        JOIN split_nodes sb ON sb.unique_id = k.r AND sb.strong
        JOIN rep a ON a.unique_id = k.l JOIN rep b ON b.unique_id = k.r
        WHERE k.p >= 2 OR ({DISTINCT_MARKS_AGREE})
           OR (k.slip AND coalesce(a.suffix = b.suffix, true))
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


@dataclass
class _CannotLink:
    """The clusters being rebuilt: union-find over their nodes, with the pairs kept apart."""

    parent: dict[int, int]
    apart: dict[int, set[int]]  # node → the nodes staff said are someone else
    # Per group root: its members that are in a rejected pair (few), to test a union cheaply.
    constrained: dict[int, set[int]] = field(default_factory=dict)

    def find(self, node: int) -> int:
        parent = self.parent
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    def union(self, left: int, right: int) -> None:
        """Join the groups of ``left`` and ``right`` unless a rejected pair would meet."""
        a, b = self.find(left), self.find(right)
        if a == b:
            return
        a_members, b_members = self.constrained.get(a, set()), self.constrained.get(b, set())
        if any(self.find(other) == b for member in a_members for other in self.apart[member]):
            return
        if len(a_members) < len(b_members):
            a, b, a_members, b_members = b, a, b_members, a_members
        self.parent[b] = a
        if b_members:
            self.constrained[a] = a_members | b_members
            self.constrained.pop(b, None)

    def labels(self) -> pa.Table:
        """node, label (the smallest node of its group)."""
        groups: dict[int, int] = {}
        for node in self.parent:
            root = self.find(node)
            groups[root] = min(groups.get(root, node), node)
        return pa.table(
            {
                "node": pa.array(list(self.parent), pa.int64()),
                "label": pa.array([groups[self.find(n)] for n in self.parent], pa.int64()),
            }
        )


def _broken_clusters(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Labels of the clusters that hold both records of a rejected pair."""
    rows = con.execute(
        """
        SELECT DISTINCT a.label FROM rejected j
        JOIN components a ON a.node = j.l JOIN components b ON b.node = j.r
        WHERE a.label = b.label ORDER BY 1
        """
    ).fetchall()
    return [row[0] for row in rows]


def _read_broken(con: duckdb.DuckDBPyConnection, labels: list[int]):
    """The broken clusters' nodes, their links strongest first, and their rejected pairs."""
    from_arrow(con, "broken", pa.table({"label": pa.array(labels, pa.int64())}))
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
    rejected = con.execute(
        """
        SELECT j.l, j.r FROM rejected j
        JOIN components a ON a.node = j.l JOIN broken USING (label)
        JOIN components b ON b.node = j.r AND b.label = a.label
        """
    ).fetchall()
    con.execute("DROP TABLE broken")
    return [node for (node,) in nodes], edges, rejected


def cannot_link_split(con: duckdb.DuckDBPyConnection) -> int:
    """Split every cluster that holds a staff-rejected pair; returns how many were split.

    Dropping the rejected edge is not enough: A and B still meet through A–C–B. A rejection is
    a cannot-link constraint, so such a cluster is rebuilt Kruskal-style from its own links,
    strongest first (staff-accepted, then deterministic, then by match probability), refusing
    any link that would put both records of a rejected pair in one group. Only clusters that
    hold a rejected pair are read back; every other cluster stays exactly as it was.
    """
    broken = _broken_clusters(con)
    if not broken:
        return 0
    nodes, edges, rejected = _read_broken(con, broken)
    apart: dict[int, set[int]] = {}
    for left, right in rejected:
        apart.setdefault(left, set()).add(right)
        apart.setdefault(right, set()).add(left)
    state = _CannotLink(
        parent={node: node for node in nodes},
        apart=apart,
        constrained={node: {node} for node in apart},
    )
    for left, right in edges:
        state.union(left, right)
    from_arrow(con, "cannot_link_labels", state.labels())
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE components AS
        SELECT c.node, coalesce(n.label, c.label) AS label
        FROM components c LEFT JOIN cannot_link_labels n USING (node)
        """
    )
    con.execute("DROP TABLE cannot_link_labels")
    return len(broken)
