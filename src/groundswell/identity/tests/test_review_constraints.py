"""Staff rejections are cannot-link constraints: no third record can join a rejected pair.

Made-up names, resolved among the shared synthetic background with the shared trained model.
"""

from __future__ import annotations

import duckdb

from groundswell.identity import engine
from groundswell.identity.tests.conftest import CRAFTED_FROM, load

HOME = {"street": "9 Cobble Way", "city": "Tarnford", "state": "NM", "postal_code": "87501"}
# a and b: the same name at the same address (a deterministic link); c shares a's e-mail and
# b's phone, so it links to both even when the a–b link itself is dropped.
A = {"given_name": "Odalys", "family_name": "Fenwright", **HOME, "email": "odalys.f@example.org"}
B = {"given_name": "Odalys", "family_name": "Fenwright", **HOME, "phone": "(505) 555-0191"}
C = {**A, "street": "", "postal_code": "", "phone": "(505) 555-0191"}
IDS = {"a": CRAFTED_FROM, "b": CRAFTED_FROM + 1, "c": CRAFTED_FROM + 2}


def _clusters(background, model, crafted: dict[str, dict], **options) -> dict[int, int]:
    rows = [
        {"unique_id": CRAFTED_FROM + offset, **fields}
        for offset, fields in enumerate(crafted.values())
    ]
    con = duckdb.connect()
    load(con, [*background, *rows])
    result = engine.resolve(con, engine.EngineOptions(model=model, **options))
    con.close()
    return dict(
        zip(
            result.clusters.column("unique_id").to_pylist(),
            result.clusters.column("cluster_id").to_pylist(),
            strict=True,
        )
    )


def test_a_rejected_pair_stays_apart_when_a_third_record_matches_both(resolve):
    plain = resolve({"a": A, "b": B, "c": C})
    assert plain["a"] == plain["b"] == plain["c"]

    decided = resolve({"a": A, "b": B, "c": C}, rejected=[(IDS["a"], IDS["b"])])

    assert decided["a"] != decided["b"]
    # The third record stays with one of the two (whichever link was stronger), not alone.
    assert decided["c"] in (decided["a"], decided["b"])


def test_staff_acceptances_through_a_third_record_cannot_undo_a_rejection(resolve):
    a = {"given_name": "Prosper", "family_name": "Amberlin", "state": "NM"}
    b = {"given_name": "Quincy", "family_name": "Bellweather", "state": "VT"}
    c = {"given_name": "Rosalind", "family_name": "Calloway", "state": "OR"}

    decided = resolve(
        {"a": a, "b": b, "c": c},
        accepted=[(IDS["a"], IDS["c"]), (IDS["c"], IDS["b"])],
        rejected=[(IDS["b"], IDS["a"])],  # either order
    )

    assert decided["a"] != decided["b"]
    assert decided["c"] in (decided["a"], decided["b"])


def test_clusters_without_a_rejected_pair_are_left_exactly_as_they_were(background, trained_model):
    crafted = {"a": A, "b": B, "c": C}
    plain = _clusters(background, trained_model, crafted)
    decided = _clusters(background, trained_model, crafted, rejected=[(IDS["a"], IDS["b"])])

    touched = {plain[IDS["a"]]}
    assert {plain[uid] for uid in IDS.values()} == touched
    outside = {uid: label for uid, label in plain.items() if label not in touched}
    assert len(outside) > 1000
    assert {uid: decided[uid] for uid in outside} == outside
    assert decided[IDS["a"]] != decided[IDS["b"]]
