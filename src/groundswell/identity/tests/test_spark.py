"""The Spark backend scores with the same model and produces the same clusters as DuckDB.

Spark needs pyspark (the ``groundswell[spark]`` extra) and Java: without them the test is
skipped with the reason. It runs Spark locally on two cores.
"""

from __future__ import annotations

import duckdb
import pytest

from groundswell.demo.identity_synthetic import contributions
from groundswell.identity import engine
from groundswell.identity.spark import spark_available
from groundswell.identity.tests.conftest import load

pytestmark = pytest.mark.skipif(
    spark_available() is not None, reason=f"Spark backend unavailable: {spark_available()}"
)


def _clusters(rows: list[dict], backend: str, model: dict) -> dict[int, int]:
    con = duckdb.connect()
    load(con, rows)
    result = engine.resolve(con, engine.EngineOptions(backend=backend, model=model))
    con.close()
    return dict(
        zip(
            result.clusters.column("unique_id").to_pylist(),
            result.clusters.column("cluster_id").to_pylist(),
            strict=True,
        )
    )


def test_spark_gives_the_same_clusters_as_duckdb(trained_model):
    sample = contributions(300, seed=31)
    on_duckdb = _clusters(sample, "duckdb", trained_model)
    on_spark = _clusters(sample, "spark", trained_model)
    assert on_spark == on_duckdb
    # Not trivially equal: the sample does hold people with several gifts.
    assert len(set(on_duckdb.values())) < len(sample)
