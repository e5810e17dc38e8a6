"""Why records are linked: the evidence a run found for each link inside its clusters.

Read from the engine's DuckDB working tables once ``engine.resolve`` has finished and before the
connection closes (``links``: every link it kept, with 1.0 for a deterministic rule and 2.0 for
a staff or recorded link; ``det_rules``: which deterministic rule made a link; ``splink_pairs``;
``components``). The engine only tags its deterministic links with their rule; the tests in
``tests/test_evidence.py`` fail if those tables change shape. Written with the run's clusters,
in the same transaction, and shown to finance roles on the person page
(``person_link_evidence``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from groundswell.donations.models import Contribution
from groundswell.identity.models import (
    ClusterMembership,
    LinkEvidence,
    LinkRule,
    RecordKind,
    ResolutionRun,
)
from groundswell.identity.normalize_sql import from_arrow
from groundswell.people.models import Person

WRITE_BATCH = 5000
# Shown on the person page, strongest evidence first; a cluster of a thousand gifts from one
# monthly donor has few distinct records, so this is rarely reached.
PANEL_LIMIT = 50

# engine_links.deterministic_links numbers its rules in this order (det_rules.rule); a rule
# added there without a name here is shown as "an exact rule".
DETERMINISTIC_RULES = (
    LinkRule.EMAIL,
    LinkRule.PHONE,
    LinkRule.NAME_STREET,
    LinkRule.NAME_ZIP4,
    LinkRule.SWAPPED,
    LinkRule.NAME_EMPLOYER,
    LinkRule.NAME_AREA_EMPLOYER,
    LinkRule.NAME_AREA_EMPLOYER,  # a nickname of several names beside one of them
    LinkRule.INITIAL_EMPLOYER,
    LinkRule.NAMES_TYPO_EMPLOYER,
    LinkRule.SURNAME_TYPO,
    LinkRule.SURNAME_TYPO,  # its first letter, at one ZIP+4
    LinkRule.GIVEN_PREFIX,
    LinkRule.GIVEN_TYPO,
    LinkRule.RARE_NAME_PLACE,
    LinkRule.RARE_NAME_PLACE,  # in one ZIP3 or next town, the job titles sharing a work word
    LinkRule.RARE_NAME_EMPLOYER,
    LinkRule.GENERATION_NOT_WORKING,
    LinkRule.RETIRED_JUNIOR,
    LinkRule.MIDDLE_SLIP,
    LinkRule.MIDDLE_SLIP,  # at an employer's ZIP+4, employer and job the same
    LinkRule.HOUSEHOLD_AT_BOTH,
)
# (CITY_NOT_WORKING names a rule the engine no longer has; it stays a choice for evidence
# stored by earlier runs. Listed here, it put that name on the given-name typo's links.)
_DETERMINISTIC_RULE = (
    "CASE d.rule "
    + " ".join(f"WHEN {i} THEN '{rule.value}'" for i, rule in enumerate(DETERMINISTIC_RULES))
    + f" ELSE '{LinkRule.DETERMINISTIC.value}' END"
)


def link_evidence_collect(
    con: duckdb.DuckDBPyConnection, staff_accepted: list[tuple[int, int]]
) -> list[tuple]:
    """(uid a, uid b, rule, probability, match weight, weights JSON) for each kept link.

    ``staff_accepted`` are the unique-id pairs staff said are one person; the engine's other
    links of strength 2 are gifts recorded against a person.
    """
    from_arrow(
        con,
        "evidence_staff",
        pa.table(
            {
                "a": pa.array([int(a) for a, _ in staff_accepted], pa.int64()),
                "b": pa.array([int(b) for _, b in staff_accepted], pa.int64()),
            }
        ),
    )
    rows = con.execute(
        f"""
        WITH staff AS (
            SELECT DISTINCT least(ma.rep_id, mb.rep_id) AS l, greatest(ma.rep_id, mb.rep_id) AS r
            FROM evidence_staff s
            JOIN rep_map ma ON ma.unique_id = s.a JOIN rep_map mb ON mb.unique_id = s.b
        )
        SELECT k.l, k.r,
            CASE
                WHEN k.p >= 2 AND st.l IS NOT NULL THEN 'staff'
                WHEN k.p >= 2 THEN 'recorded'
                WHEN d.l IS NOT NULL THEN {_DETERMINISTIC_RULE}
                ELSE 'model'
            END AS rule,
            s.match_probability, s.match_weight, s.weights
        FROM links k
        JOIN components ca ON ca.node = k.l JOIN components cb ON cb.node = k.r
        LEFT JOIN det_rules d ON d.l = k.l AND d.r = k.r
        LEFT JOIN staff st ON st.l = k.l AND st.r = k.r
        LEFT JOIN splink_pairs s ON s.unique_id_l = k.l AND s.unique_id_r = k.r
        WHERE ca.label = cb.label
        ORDER BY k.l, k.r
        """  # noqa: S608
    ).fetchall()
    con.execute("DROP TABLE evidence_staff")
    return rows


def link_evidence_write(
    *, run: ResolutionRun, rows: list[tuple], keys: dict[tuple[str, int], str], record_for
) -> int:
    """Replace the evidence with this run's (inside the run's write transaction)."""
    LinkEvidence.objects.all().delete()
    batch: list[LinkEvidence] = []
    written = 0
    for left, right, rule, probability, weight, weights in rows:
        a, b = record_for(left), record_for(right)
        kind_a, id_a, kind_b, id_b = LinkEvidence.ordered(a, b)
        batch.append(
            LinkEvidence(
                run=run,
                cluster_key=keys[a],
                kind_a=kind_a,
                id_a=id_a,
                kind_b=kind_b,
                id_b=id_b,
                rule=rule,
                probability=probability,
                match_weight=weight,
                field_weights=json.loads(weights) if weights else {},
            )
        )
        if len(batch) >= WRITE_BATCH:
            LinkEvidence.objects.bulk_create(batch)
            written += len(batch)
            batch = []
    LinkEvidence.objects.bulk_create(batch)
    return written + len(batch)


@dataclass
class EvidenceRow:
    """One link as the panel shows it: both records named, the rule, the model's figures."""

    a: str
    b: str
    rule: str
    rule_label: str
    probability: float | None
    match_weight: float | None
    weights: list[tuple[str, float | None]]


def _record_labels(rows: list[LinkEvidence]) -> dict[tuple[str, int], str]:
    people: set[int] = set()
    gifts: set[int] = set()
    for row in rows:
        for kind, rid in ((row.kind_a, row.id_a), (row.kind_b, row.id_b)):
            (people if kind == RecordKind.PERSON else gifts).add(rid)
    labels: dict[tuple[str, int], str] = {}
    for pk, given, family in Person.objects.filter(pk__in=people).values_list(
        "pk", "given_name", "family_name"
    ):
        labels[(RecordKind.PERSON.value, pk)] = f"Person #{pk} {given} {family}".strip()
    for pk, given, family, postal in Contribution.objects.filter(pk__in=gifts).values_list(
        "pk", "donor_given_name", "donor_family_name", "donor_postal_code"
    ):
        labels[(RecordKind.CONTRIBUTION.value, pk)] = (
            f"Gift #{pk} from {given} {family} {postal}".strip()
        )
    return labels


def person_link_evidence(*, person_id: int, field_labels: dict[str, str]) -> dict:
    """The links that make this person's cluster, for finance roles (a few indexed reads)."""
    membership = ClusterMembership.objects.filter(
        record_kind=RecordKind.PERSON, record_id=person_id
    ).first()
    if membership is None:
        return {"resolved": False, "rows": [], "more": 0}
    found = LinkEvidence.objects.filter(cluster_key=membership.cluster_key).order_by(
        "-probability", "kind_a", "id_a", "kind_b", "id_b"
    )
    total = found.count()
    rows = list(found[:PANEL_LIMIT])
    labels = _record_labels(rows)
    rules = dict(LinkRule.choices)
    shown = [
        EvidenceRow(
            a=labels.get((r.kind_a, r.id_a), f"{r.kind_a} #{r.id_a}"),
            b=labels.get((r.kind_b, r.id_b), f"{r.kind_b} #{r.id_b}"),
            rule=r.rule,
            rule_label=rules.get(r.rule, r.rule),
            probability=r.probability,
            match_weight=r.match_weight,
            weights=[(field_labels.get(k, k), v) for k, v in (r.field_weights or {}).items()],
        )
        for r in rows
    ]
    return {
        "resolved": True,
        "cluster_key": membership.cluster_key,
        "run_id": membership.run_id,
        "rows": shown,
        "more": max(0, total - len(shown)),
    }
