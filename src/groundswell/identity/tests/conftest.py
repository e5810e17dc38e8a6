"""A model trained once on synthetic contributions, shared by the engine tests."""

from __future__ import annotations

import duckdb
import pytest

from groundswell.demo.identity_synthetic import contributions
from groundswell.identity import engine

BACKGROUND = 1500
CRAFTED_FROM = 10_000_000  # unique ids of hand-made records, clear of the background's


def load(con: duckdb.DuckDBPyConnection, rows: list[dict]) -> None:
    table = engine.records_table(rows)
    con.register("_rows", table)
    con.execute("CREATE OR REPLACE TEMP TABLE records AS SELECT * FROM _rows")
    con.unregister("_rows")


@pytest.fixture(scope="session")
def background() -> list[dict]:
    """Synthetic donors the hand-made records are resolved among (as in a real file)."""
    return contributions(BACKGROUND, seed=11)


@pytest.fixture(scope="session")
def trained_model(background) -> dict:
    con = duckdb.connect()
    load(con, contributions(3000, seed=12))
    result = engine.resolve(con, engine.EngineOptions(u_max_pairs=1e6, em_max_pairs=2e5))
    con.close()
    assert result.trained
    return result.model


@pytest.fixture
def resolve(background, trained_model):
    """Resolve hand-made records (among the background) with the trained model.

    Returns {name of a record: cluster id}; records are given as {name: fields}.
    """

    def run(records: dict[str, dict], **options) -> dict[str, int]:
        crafted = []
        names = {}
        for offset, (name, fields) in enumerate(records.items()):
            uid = CRAFTED_FROM + offset
            names[uid] = name
            crafted.append({"unique_id": uid, **fields})
        con = duckdb.connect()
        load(con, [*background, *crafted])
        result = engine.resolve(con, engine.EngineOptions(model=trained_model, **options))
        con.close()
        clusters = dict(
            zip(
                result.clusters.column("unique_id").to_pylist(),
                result.clusters.column("cluster_id").to_pylist(),
                strict=True,
            )
        )
        return {name: clusters[uid] for uid, name in names.items()}

    return run
