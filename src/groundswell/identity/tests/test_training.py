"""What the model learns from: no single name may outweigh the file.

EM pairs a name's records with each other, so a name on hundreds of records (a staff
member's test sign-ups at made-up addresses) brings more pairs than every other name together.
"""

from __future__ import annotations

import math

import duckdb
import pyarrow as pa

from groundswell.demo.identity_synthetic import contributions
from groundswell.identity import engine, splink_model
from groundswell.identity.tests.conftest import load

_CROWDED = 400


def _fec_shaped(rows: list[dict]) -> list[dict]:
    """The generator's donors as an FEC file has them: no street, e-mail or phone."""
    return [{**row, "street": None, "email": None, "phone": None} for row in rows]


def _one_name_everywhere(start: int) -> list[dict]:
    """One made-up name at _CROWDED ZIPs of one town, one employer: a test account's sign-ups."""
    return [
        {
            "unique_id": start + i,
            "full_name": "Quarrington, Abner",
            "city": "Testville",
            "state": "ME",
            "postal_code": f"{4100 + i:05d}",
            "employer": "Testing Inc",
            "occupation": "Tester",
        }  # fmt: skip
        for i in range(_CROWDED)
    ]


def _location_weights(model: dict) -> dict[str, float]:
    (location,) = [c for c in model["comparisons"] if c["output_column_name"] == "location"]
    return {
        level["label_for_charts"]: math.log2(level["m_probability"] / level["u_probability"])
        for level in location["comparison_levels"]
        if not level.get("is_null_level")
    }


def _trained_weights(rows: list[dict]) -> dict[str, float]:
    con = duckdb.connect()
    load(con, rows)
    result = engine.resolve(con, engine.EngineOptions(u_max_pairs=1e6, em_max_pairs=2e5))
    con.close()
    return _location_weights(result.model)


def test_one_name_on_hundreds_of_records_does_not_teach_the_model_where_people_live():
    rows = _fec_shaped(contributions(3000, seed=31))
    weights = _trained_weights(rows + _one_name_everywhere(len(rows)))
    # One person's records share a ZIP far more often than they share only a town: without
    # the cap the crowded name's 80,000 same-town pairs taught the reverse (same ZIP+4 5.0
    # bits, same ZIP 2.8, same town 5.2; without the crowd 9.5, 7.2 and 2.9).
    assert weights["Same ZIP+4"] > weights["Same city"] + 2
    assert weights["Same ZIP and city (or a city left out)"] > weights["Same city"]


def test_the_cap_keeps_the_lowest_ids_of_a_crowded_name_and_leaves_others_whole():
    rows = _one_name_everywhere(0) + [
        {"unique_id": 10_000 + i, "first_canon": "EDITH", "last": f"NAME{i}"} for i in range(30)
    ]
    table = pa.Table.from_pylist(
        [
            {
                "unique_id": r["unique_id"],
                "first_canon": r.get("first_canon", "ABNER"),
                "last": r.get("last", "QUARRINGTON"),
            }
            for r in rows
        ]
    )
    capped = splink_model.name_capped(table)
    kept = capped.column("unique_id").to_pylist()
    limit = splink_model.training_records_per_name(table.num_rows)
    assert kept == list(range(limit)) + [10_000 + i for i in range(30)]
    # A file with no crowded name trains as it is.
    assert splink_model.name_capped(table.slice(_CROWDED - limit)) is None


def test_a_level_no_em_session_saw_says_nothing_and_a_seen_one_keeps_its_floor():
    # Splink leaves m unset where EM saw no pair at a level. Floored to 0.001 beside a u of
    # 0.00001 (random pairs in neighbouring towns of a small file), it weighed +6.6 bits.
    def model(m: float | None) -> dict:
        level = {"sql_condition": "x", "u_probability": 0.00001}
        if m is not None:
            level["m_probability"] = m
        return {"comparisons": [{"comparison_levels": [level]}]}

    def weight(trained: dict) -> float:
        level = trained["comparisons"][0]["comparison_levels"][0]
        return math.log2(level["m_probability"] / level["u_probability"])

    assert weight(splink_model.m_floor(model(None), unseen_neutral=True)) == 0
    # A session's starting values and a level EM did see keep the floor (no veto).
    assert weight(splink_model.m_floor(model(None))) > 6
    assert (
        splink_model.m_floor(model(0.0), unseen_neutral=True)["comparisons"][0][
            "comparison_levels"
        ][0]["m_probability"]
        == splink_model.M_FLOOR
    )
