"""The same records give the same people on every run: same clusters, same count, same model.

Trained from scratch each time (the first run of a campaign), on synthetic donors, once in the
order given and once in reverse: the model must not depend on the order rows arrive in, nor
on the order DuckDB's threads finish.
"""

from __future__ import annotations

import duckdb

from groundswell.demo.identity_synthetic import contributions
from groundswell.identity import engine
from groundswell.identity.tests.conftest import load


def _run(rows: list[dict]) -> tuple[dict[int, int], int, dict, int]:
    con = duckdb.connect()
    load(con, rows)
    result = engine.resolve(con, engine.EngineOptions(u_max_pairs=1e6, em_max_pairs=2e5))
    con.close()
    clusters = dict(
        zip(
            result.clusters.column("unique_id").to_pylist(),
            result.clusters.column("cluster_id").to_pylist(),
            strict=True,
        )
    )
    review = result.review_pairs.select(["unique_id_l", "unique_id_r"]).to_pylist()
    return clusters, result.cluster_count, result.model, len(review)


def test_two_runs_on_the_same_records_give_identical_clusters_and_counts():
    rows = contributions(2500, seed=23)
    clusters, count, model, review = _run(rows)
    again_clusters, again_count, again_model, again_review = _run(rows)
    reversed_clusters, reversed_count, reversed_model, _ = _run(list(reversed(rows)))

    assert count == again_count == reversed_count
    assert clusters == again_clusters == reversed_clusters
    assert review == again_review
    assert model["comparisons"] == again_model["comparisons"] == reversed_model["comparisons"]
    # Not a trivial pass: the run did link records into people.
    assert len(rows) * 0.3 < count < len(rows) * 0.9
