"""A model trained once on synthetic contributions, shared by the engine tests."""

from __future__ import annotations

import os

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
def spark():
    """The local Spark session (two cores, two shuffle partitions), started once per test run.

    Without pyspark or Java the test is skipped with the reason; where the environment sets
    ``GROUNDSWELL_REQUIRE_SPARK`` (CI installs the ``spark`` extra) it fails instead, so that a
    broken install cannot pass as a skip.
    """
    from groundswell.identity.spark import spark_available, spark_session

    problem = spark_available()
    if problem:
        if os.environ.get("GROUNDSWELL_REQUIRE_SPARK"):
            pytest.fail(f"GROUNDSWELL_REQUIRE_SPARK is set but {problem}")
        pytest.skip(f"Spark backend unavailable: {problem}")
    session = spark_session()
    # A test's tables hold a few thousand rows: one shuffle partition per core is plenty.
    session.conf.set("spark.sql.shuffle.partitions", "2")
    return session


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
