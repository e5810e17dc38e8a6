"""The Spark backend finds the same people as DuckDB, rules and staff decisions included.

Both backends score with one model (trained once on DuckDB for the session) over a synthetic
sample and hand-made FEC-shaped records for each of the model's rules: coworkers who share a
first name at the employer's ZIP+4, a JR and a SR, middle initials that differ, one name at one
ZIP+4 with different employment text, a nickname, swapped names, a household; and staff
decisions (a rejected pair that a third record matches, an accepted pair of strangers). The
clusters must be identical record for record, and the review queue pair for pair. Through the
service, a campaign's first run on each backend trains and saves a model (on DuckDB for both:
``splink_model._training_sdf``) and applies staff verdicts from the database.

Spark needs pyspark (the ``groundswell[spark]`` extra) and Java: without them these tests are
skipped with the reason, or fail where ``GROUNDSWELL_REQUIRE_SPARK`` is set (CI). They share one
local two-core Spark session (the ``spark`` fixture). Names are made up.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import duckdb
import pytest

from groundswell.demo.identity_synthetic import contributions
from groundswell.donations.models import Contribution, Processor
from groundswell.identity import engine
from groundswell.identity.models import ClusterMembership, MergeSuggestion, RecordKind
from groundswell.identity.services import identity_resolve, review_decide
from groundswell.identity.tests.conftest import CRAFTED_FROM, load

PAYROLL = {
    "city": "Brackenford", "state": "OH", "postal_code": "43215-4410",
    "employer": "Quillon Assurance Group", "occupation": "Vice President",
}  # fmt: skip
SENIORS_HOME = {"city": "Larkmoor", "state": "TX", "postal_code": "75001-2231"}
RETIREE_HOME = {"city": "Wendlebury", "state": "MN", "postal_code": "55401-7781"}
HOUSEHOLD = {
    "street": "4417 Quillon Ave", "city": "Zentropa", "state": "OH", "postal_code": "43215",
    "phone": "(614) 555-0142",
}  # fmt: skip
DECIDED_HOME = {"street": "9 Cobble Way", "city": "Tarnford", "state": "NM", "postal_code": "87501"}
CRAFTED = {
    **{
        f"david {surname}": {"full_name": f"{surname}, DAVID", **PAYROLL}
        for surname in ("FARROWDALE", "MISTLETHORN", "QUENBY", "ASHCOMBE")
    },
    **{
        f"michael j {surname}": {"full_name": f"{surname}, MICHAEL J", **PAYROLL}
        for surname in ("PELLWORTH", "OXENBRIDGE", "TINDALL")
    },
    "senior": {"full_name": "HOLLOWAY-BRIGG, THEODORE SR", **SENIORS_HOME, "employer": "RETIRED"},
    "senior again": {"full_name": "HOLLOWAY-BRIGG, THEODORE SR.", **SENIORS_HOME},
    "junior": {
        "full_name": "HOLLOWAY-BRIGG, THEODORE JR", **SENIORS_HOME,
        "employer": "Brigg Hardware", "occupation": "Owner",
    },
    "junior again": {"full_name": "Theodore Holloway-Brigg Jr.", **SENIORS_HOME},
    "brian j": {"full_name": "CALLOWAY, BRIAN J", **PAYROLL},
    "brian b": {"full_name": "CALLOWAY, BRIAN B", **PAYROLL},
    "brian": {"full_name": "CALLOWAY, BRIAN", **PAYROLL},
    "retired": {
        "full_name": "STAVELEY, PRUDENCE A", **RETIREE_HOME,
        "employer": "RETIRED", "occupation": "RETIRED",
    },
    "not employed": {
        "full_name": "STAVELEY, PRUDENCE A", **RETIREE_HOME,
        "employer": "NOT EMPLOYED", "occupation": "NOT EMPLOYED",
    },
    "abbreviated": {
        "full_name": "STAVELEY, PRUDENCE A.", **RETIREE_HOME,
        "employer": "MN DNR", "occupation": "Hydrologist II",
    },
    "harold": {"full_name": "WINTERBOURNE, HAROLD", **RETIREE_HOME, "employer": "RETIRED"},
    "hal": {"full_name": "WINTERBOURNE, HAL", **RETIREE_HOME, "employer": "NONE"},
    "filed": {
        "full_name": "MARCHBANKS, OPHELIA", "city": "Thistleton", "state": "WA",
        "postal_code": "98101",
    },
    "swapped": {
        "full_name": "OPHELIA, MARCHBANKES", "city": "Thistleton", "state": "WA",
        "postal_code": "98101",
    },
    "parent": {
        "given_name": "Marisol", "family_name": "Brightwater", **HOUSEHOLD,
        "employer": "Zentropa Schools", "occupation": "Teacher",
    },
    "parent again": {"full_name": "BRIGHTWATER, MARISOL", **HOUSEHOLD},
    "partner": {"given_name": "Teodoro", "family_name": "Brightwater", **HOUSEHOLD},
    # a and b: one name at one address; c has a's e-mail and b's phone, so links to both.
    "a": {
        "given_name": "Odalys", "family_name": "Fenwright", **DECIDED_HOME,
        "email": "odalys.f@example.org",
    },
    "b": {
        "given_name": "Odalys", "family_name": "Fenwright", **DECIDED_HOME,
        "phone": "(505) 555-0191",
    },
    "c": {
        "given_name": "Odalys", "family_name": "Fenwright", "city": "Tarnford", "state": "NM",
        "email": "odalys.f@example.org", "phone": "(505) 555-0191",
    },
    "stranger 1": {"given_name": "Prosper", "family_name": "Amberlin", "state": "NM"},
    "stranger 2": {"given_name": "Quincy", "family_name": "Bellweather", "state": "VT"},
}  # fmt: skip
UID = {name: CRAFTED_FROM + offset for offset, name in enumerate(CRAFTED)}
REJECTED = [(UID["a"], UID["b"])]
ACCEPTED = [(UID["stranger 2"], UID["stranger 1"])]


def _resolve(rows: list[dict], backend: str, model: dict) -> engine.EngineResult:
    con = duckdb.connect()
    load(con, rows)
    options = engine.EngineOptions(
        backend=backend, model=model, keep_field_weights=True,
        accepted=ACCEPTED, rejected=REJECTED,
    )  # fmt: skip
    result = engine.resolve(con, options)
    con.close()
    return result


def _clusters(result: engine.EngineResult) -> dict[int, int]:
    return dict(
        zip(
            result.clusters.column("unique_id").to_pylist(),
            result.clusters.column("cluster_id").to_pylist(),
            strict=True,
        )
    )


@pytest.fixture(scope="module")
def on_both(spark, trained_model) -> dict[str, engine.EngineResult]:
    """The sample and the hand-made records resolved once on each backend."""
    rows = [
        *contributions(300, seed=31),
        *({"unique_id": UID[name], **fields} for name, fields in CRAFTED.items()),
    ]
    return {backend: _resolve(rows, backend, trained_model) for backend in ("duckdb", "spark")}


@pytest.fixture(scope="module")
def spark_people(on_both) -> dict[str, int]:
    """{hand-made record: its cluster} on Spark."""
    clusters = _clusters(on_both["spark"])
    return {name: clusters[uid] for name, uid in UID.items()}


def test_spark_gives_the_same_clusters_as_duckdb(on_both):
    on_duckdb, on_spark = _clusters(on_both["duckdb"]), _clusters(on_both["spark"])
    assert on_spark == on_duckdb
    # Not trivially equal: the sample holds people with several gifts, and Splink linked some.
    assert len(set(on_duckdb.values())) < len(on_duckdb) * 0.9
    assert on_both["spark"].comparisons > 0


def test_spark_gives_the_same_review_pairs_and_field_weights_as_duckdb(on_both):
    on_duckdb = on_both["duckdb"].review_pairs.to_pylist()
    on_spark = on_both["spark"].review_pairs.to_pylist()
    assert [(p["unique_id_l"], p["unique_id_r"]) for p in on_spark] == [
        (p["unique_id_l"], p["unique_id_r"]) for p in on_duckdb
    ]
    assert on_duckdb, "the sample should leave pairs for review"
    for spark_pair, duckdb_pair in zip(on_spark, on_duckdb, strict=True):
        assert spark_pair["match_probability"] == pytest.approx(
            duckdb_pair["match_probability"], abs=1e-9
        )
        assert json.loads(spark_pair["weights"]) == json.loads(duckdb_pair["weights"])


def test_on_spark_coworkers_sharing_a_first_name_stay_apart(spark_people):
    davids = {spark_people[name] for name in spark_people if name.startswith("david ")}
    michaels = {spark_people[name] for name in spark_people if name.startswith("michael j ")}
    assert (len(davids), len(michaels)) == (4, 3)


def test_on_spark_a_jr_and_a_sr_and_two_middle_initials_stay_apart(spark_people):
    assert spark_people["senior"] == spark_people["senior again"]
    assert spark_people["junior"] == spark_people["junior again"]
    assert spark_people["senior"] != spark_people["junior"]
    assert spark_people["brian j"] != spark_people["brian b"]


def test_on_spark_the_deterministic_links_hold(spark_people):
    assert spark_people["retired"] == spark_people["not employed"] == spark_people["abbreviated"]
    assert spark_people["harold"] == spark_people["hal"]
    assert spark_people["filed"] == spark_people["swapped"]
    assert spark_people["parent"] == spark_people["parent again"] != spark_people["partner"]


def test_on_spark_staff_decisions_hold(spark_people):
    assert spark_people["a"] != spark_people["b"]
    assert spark_people["c"] in (spark_people["a"], spark_people["b"])
    assert spark_people["stranger 1"] == spark_people["stranger 2"]


def _gift(index: int, row: dict) -> Contribution:
    return Contribution(
        amount_cents=2700,
        received_at=datetime(2026, 3, 1, 17, tzinfo=UTC),
        processor=Processor.ACTBLUE,
        processor_id=f"SPARK-{index}",
        donor_given_name=row.get("given_name") or "",
        donor_family_name=row.get("family_name") or "",
        donor_address_line1=row.get("street") or "",
        donor_city=row.get("city") or "",
        donor_state=row.get("state") or "",
        donor_postal_code=row.get("postal_code") or "",
        donor_employer=row.get("employer") or "",
        donor_occupation=row.get("occupation") or "",
        donor_email=row.get("email") or "",
        donor_phone=(row.get("phone") or "")[:20],
    )


def _memberships() -> dict[tuple[str, int], str]:
    return {(m.record_kind, m.record_id): m.cluster_key for m in ClusterMembership.objects.all()}


def _trained_values(model: dict) -> list:
    """A model's trained numbers (its SQL is written for the backend it scores on)."""
    levels = [level for c in model["comparisons"] for level in c["comparison_levels"]]
    return [model["probability_two_random_records_match"]] + [
        (level.get("m_probability"), level.get("u_probability")) for level in levels
    ]


@pytest.mark.django_db
def test_a_campaign_first_resolved_on_spark_matches_duckdb_with_review_decisions(spark):
    """Through the service, as a campaign's first run: each backend trains and saves its model,
    staff verdicts come from the database."""
    rows = [r for r in contributions(400, seed=37) if r["given_name"] and r["family_name"]]
    crafted = {name: fields for name, fields in CRAFTED.items() if "given_name" in fields}
    gifts = Contribution.objects.bulk_create(
        [_gift(i, row) for i, row in enumerate([*rows, *crafted.values()])]
    )
    pk = {name: gifts[len(rows) + i].pk for i, name in enumerate(crafted)}
    gift_kind = RecordKind.CONTRIBUTION
    review_decide(a=(gift_kind, pk["a"]), b=(gift_kind, pk["b"]), verdict="rejected")
    review_decide(
        a=(gift_kind, pk["stranger 1"]), b=(gift_kind, pk["stranger 2"]), verdict="accepted"
    )

    runs, memberships, suggestions = {}, {}, {}
    for backend in ("duckdb", "spark"):
        runs[backend] = identity_resolve(backend=backend)
        memberships[backend] = _memberships()
        suggestions[backend] = sorted(
            MergeSuggestion.objects.filter(run=runs[backend]).values_list(
                "kind_a", "id_a", "kind_b", "id_b", "field_weights"
            )
        )

    assert runs["spark"].trained and runs["spark"].model.backend == "spark"
    assert _trained_values(runs["spark"].model.settings_json) == _trained_values(
        runs["duckdb"].model.settings_json
    )
    assert memberships["spark"] == memberships["duckdb"]
    assert suggestions["spark"] == suggestions["duckdb"] != []
    assert runs["spark"].clusters == runs["duckdb"].clusters < len(gifts)
    cluster = {name: memberships["spark"][(gift_kind, pk[name])] for name in crafted}
    assert cluster["a"] != cluster["b"]
    assert cluster["c"] in (cluster["a"], cluster["b"])
    assert cluster["stranger 1"] == cluster["stranger 2"]
    assert cluster["parent"] != cluster["partner"]
