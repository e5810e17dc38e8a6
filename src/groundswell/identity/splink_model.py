"""The Splink model: unsupervised training, the trained values' bounds, and scoring.

Its comparisons and blocking rules are in ``splink_settings``.

The same settings run on DuckDB and on Spark; only the database API differs. Splink gets its
own connection (or session): the engine's DuckDB connection is never shared with it.
"""

from __future__ import annotations

import logging
import math
import uuid
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from groundswell.identity.splink_settings import COMPARISON_NAMES, settings

if TYPE_CHECKING:
    from groundswell.identity.engine import EngineOptions, _Clock

logger = logging.getLogger(__name__)

# The smallest m probability a level may have (see m_floor).
M_FLOOR = 0.001


@dataclass
class Scored:
    pairs: pa.Table  # unique_id_l, unique_id_r, match_probability, match_weight, weights (JSON)
    model: dict
    comparisons: int
    trained: bool


def _db_api(backend: str, options: EngineOptions):
    if backend == "spark":
        from splink import SparkAPI

        from groundswell.identity.spark import spark_session

        return SparkAPI(spark_session=spark_session())
    import duckdb
    from splink import DuckDBAPI

    from groundswell.identity.engine import MEMORY_FLOOR_MB, temp_directory

    con = duckdb.connect()
    # Intermediate tables spill to a temporary folder, not to memory alone.
    con.execute(f"SET temp_directory = '{temp_directory(options)}'")
    con.execute(f"SET memory_limit = '{int(options.memory_limit_mb or MEMORY_FLOOR_MB)}MB'")
    return DuckDBAPI(connection=con)


def _register(db_api, table: pa.Table, backend: str):
    # A fresh name each run: the Spark session (one per process) keeps its temporary views.
    name = f"identity_records_{uuid.uuid4().hex[:12]}"
    if backend == "spark":
        return db_api.register(db_api.spark.createDataFrame(table), table_name=name)
    return db_api.register(table, table_name=name)


def _filled(table: pa.Table, column: str) -> float:
    if table.num_rows == 0:
        return 0.0
    return 1 - table.column(column).null_count / table.num_rows


def train(linker, sdf, table: pa.Table, options: EngineOptions):
    """Unsupervised: u from random pairs, m by EM on pairs blocked three ways; the trained linker.

    A session that fails (too few pairs on a small list, or an m value EM drives towards zero
    underflowing Splink's check) leaves the linker's settings half-updated, so the linker is
    rebuilt from the model as it was before that session.
    """
    import logging as _logging

    from splink import Linker, block_on

    # The prior (how likely two random records are one person) from pairs that are surely one
    # person; without streets (FEC files have none) the same name in the same ZIP stands in.
    if _filled(table, "street") > 0.3:
        deterministic = [block_on("first_canon", "last", "street", "zip5")]
        recall = 0.7
    else:
        deterministic = [block_on("first", "last", "zip5")]
        recall = 0.6
    if _filled(table, "email") > 0.05:
        deterministic.append(block_on("email"))
    try:
        linker.training.estimate_probability_two_random_records_match(deterministic, recall=recall)
    except Exception as exc:  # too few pairs on tiny samples: keep the prior
        logger.info("identity: prior kept (%s)", exc)
    # No deterministic pair at all (a list without a single duplicate) estimates 0, which no
    # match weight can express: assume one duplicate among the records instead.
    model_settings = linker._settings_obj
    prior = model_settings._probability_two_random_records_match
    floor = 1 / max(2, table.num_rows * (table.num_rows - 1) / 2)
    if not floor <= prior < 1:
        model_settings._probability_two_random_records_match = min(max(prior, floor), 0.5)
    linker.training.estimate_u_using_random_sampling(
        max_pairs=options.u_max_pairs, seed=options.seed
    )
    # Each session estimates the comparisons its blocking rule does not use: location and work
    # from same-name pairs, the given name and middle initial from same-surname-and-ZIP pairs.
    # No session lets the surname differ (the same first name at one ZIP): those pairs are
    # mostly coworkers, and the surname's m values are fixed instead (see ``settings``).
    for rule in (
        block_on("first_canon", "last"),
        block_on("last", "zip5"),
    ):
        before = m_floor(linker.misc.save_model_to_json())
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule,
                max_pairs=options.em_max_pairs,
                estimate_without_term_frequencies=True,
            )
        except Exception as exc:
            # Expected on small or duplicate-free lists (the demo's): the session keeps the
            # values it had. Debug only: a newcomer's `groundswell demo` is no place for it.
            logger.debug("identity: an EM session was left out (%s)", exc)
            linker = Linker(sdf, before, log_level=_logging.WARNING)
    return linker


def m_floor(model: dict, floor: float = M_FLOOR, *, unseen_neutral: bool = False) -> dict:
    """No single field may veto a match on its own: m is at least ``floor`` on every level.

    EM on clean data learns m = 0 for "employer differs" when nobody in it changed jobs, and
    one new job would then outweigh a matching name, address and e-mail.

    With ``unseen_neutral`` (the trained model, not a session's starting values), a level no EM
    session saw a pair at (Splink leaves its m unset) gets m = u: it says nothing either way.
    Floored instead, a level rarer than the floor among random pairs became strong evidence
    from no evidence (two neighbouring towns in 3,000 synthetic gifts: m 0.001 against u
    0.00001, +6.6 bits, as strong as the same city).
    """
    for comparison in model.get("comparisons", []):
        for level in comparison.get("comparison_levels", []):
            if level.get("is_null_level"):
                continue
            m = level.get("m_probability")
            if unseen_neutral and m is None and level.get("u_probability"):
                level["m_probability"] = float(level["u_probability"])
                continue
            level["m_probability"] = max(float(m or 0.0), floor)
    return model


def u_unseen(model: dict, sampled_pairs: float) -> dict:
    """Levels no random pair reached get a u value instead of none.

    Splink leaves such a u unset. For a level whose m we fix (two names swapped), not seen in
    ``sampled_pairs`` random pairs means rarer than about one in that many, and ten in that
    many is a cautious bound: the rarest agreement is strong evidence. Any other unseen level
    (a column the data does not have) gets u = m: the data says nothing either way, and a
    saved model must not count it for or against a match when such a column turns up later.
    """
    bound = min(0.01, 10 / max(sampled_pairs, 1.0))
    for comparison in model.get("comparisons", []):
        for level in comparison.get("comparison_levels", []):
            if level.get("is_null_level") or level.get("u_probability"):
                continue
            if level.get("fix_m_probability"):
                level["u_probability"] = bound
            else:
                level["u_probability"] = level.get("m_probability") or bound
    return model


def rounded(model: dict, digits: int = 8) -> dict:
    """The trained values to ``digits`` significant digits, so that a run is repeatable.

    DuckDB (and Spark) add the EM sums in parallel, in whatever order the threads finish, so
    two runs on the same data can differ in the last bits of a probability; rounded, they give
    the same model, the same scores and the same clusters.
    """

    def cut(value):
        return float(f"{value:.{digits}g}") if isinstance(value, float) and value else value

    for comparison in model.get("comparisons", []):
        for level in comparison.get("comparison_levels", []):
            for key in ("m_probability", "u_probability"):
                if key in level:
                    level[key] = cut(level[key])
    key = "probability_two_random_records_match"
    if key in model:
        model[key] = cut(model[key])
    return model


def with_parameters(model: dict, backend: str, keep_field_weights: bool) -> dict:
    """Our settings written for ``backend``'s SQL, with the trained values of ``model``.

    A saved model's conditions are SQL text in the dialect it was trained in; rebuilding the
    settings for the backend at hand and copying the m and u values over lets a model trained
    on DuckDB score on Spark, and lets newer blocking rules apply without retraining.
    """
    fresh = settings(keep_field_weights=keep_field_weights).create_settings_dict(
        "spark" if backend == "spark" else "duckdb"
    )
    saved = {c.get("output_column_name"): c for c in model.get("comparisons", [])}
    for comparison in fresh["comparisons"]:
        old = saved.get(comparison.get("output_column_name"))
        levels = comparison["comparison_levels"]
        if old is None or len(old["comparison_levels"]) != len(levels):
            name = comparison.get("output_column_name")
            raise ModelMismatch(f"the saved model has no comparison {name!r} like ours")
        for level, trained in zip(levels, old["comparison_levels"], strict=True):
            for key in ("m_probability", "u_probability"):
                if key in trained:
                    level[key] = trained[key]
    fresh["probability_two_random_records_match"] = model.get(
        "probability_two_random_records_match", fresh.get("probability_two_random_records_match")
    )
    return fresh


class ModelMismatch(ValueError):
    """A saved model was trained with other comparisons than ours: train a new one."""


# A list smaller than this is trained and scored among synthetic donors (see ``_background``).
SMALL_LIST = 1500


@cache
def _background_rows() -> pa.Table:
    """Normalised synthetic donors (negative ids), read once per process.

    The file is written by the development-only generator (``groundswell.demo``), never at run
    time: the running app carries the donors, not the generator.
    """
    import csv
    from pathlib import Path

    import duckdb

    from groundswell.identity import engine

    path = Path(__file__).parent / "data" / "background_donors.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["unique_id"] = -1 - int(row["unique_id"])
    con = duckdb.connect()
    engine.from_arrow(con, "records", engine.records_table(rows))
    engine.normalise(con)
    engine.collapse(con)
    table = con.sql("SELECT * FROM rep ORDER BY unique_id").to_arrow_table()
    con.close()
    return table


def _background(table: pa.Table) -> pa.Table:
    """``table`` with synthetic donors added, when it is too small to learn from.

    A campaign's first hundred donors say nothing about how often two strangers share a first
    name or a ZIP: from ten pairs, one shared surname looks like one pair in ten, and every
    match is scored as if the name were common. Among synthetic donors (the same fields only:
    an FEC file's have no street, e-mail or phone) u values and term frequencies are those of
    a population; the synthetic records' own pairs are dropped after scoring.
    """
    if table.num_rows >= SMALL_LIST:
        return table
    background = _background_rows().select(table.column_names).cast(table.schema)
    for index, name in enumerate(table.column_names):
        if name != "unique_id" and table.column(name).null_count == table.num_rows:
            background = background.set_column(
                index, name, pa.nulls(background.num_rows, table.schema.field(name).type)
            )
    return pa.concat_tables([table, background])


def _training_sdf(sdf, table: pa.Table, options: EngineOptions):
    """The model trains on DuckDB whatever the backend; Spark scores with it.

    Splink picks the pairs it learns from (u; EM on large lists) by each database's own hash
    function, so a model trained on Spark differs from DuckDB's in the last digits and the two
    could count different people; one model, scored on either, gives the same clusters
    (tests/test_spark.py). Training reads samples, and Spark's many small training queries
    took 146 s for 1,800 records where DuckDB took 2 s. It trains on at most
    ``training_records_per_name`` records of a name (``name_capped``).
    """
    capped = name_capped(table)
    if options.backend == "duckdb" and capped is None:
        return sdf
    return _register(_db_api("duckdb", options), table if capped is None else capped, "duckdb")


# The most records of one full name (given and family) the model trains on: one in two thousand of
# the file's records, and at least 50. EM's sessions pair a name's records with each other, so a
# name with n records brings n² / 2 pairs: one name written at hundreds of addresses (a staff
# member's test sign-ups, a public repository's test file of one donor at 938 ZIPs of one town,
# 0.9% of its file's records) outweighed every other name in the file, and the model learnt from
# it that one person's records lie at different ZIPs of one city rather than at one ZIP (same ZIP
# +4.3 bits, same city elsewhere +8.2; on the real rows without that file +10.2 and +4.8; with a
# cap of one in a thousand, 100 records there, +9.4 and +7.2). Real names stay below the share:
# the commonest full name of 100,000 distinct real FEC records has 36 of them, the generator's
# commonest 220 of 829,000 at 1,000,000 gifts (a fixed 50 there bound 241 names, 18,301 records,
# and changed what the model learnt). Which records are kept is fixed (the lowest ids), so
# training stays repeatable.
TRAINING_NAME_SHARE = 0.0005
TRAINING_RECORDS_PER_NAME_MIN = 50


def training_records_per_name(records: int) -> int:
    """The most records of one full name the model trains on, in a file of ``records``."""
    return max(TRAINING_RECORDS_PER_NAME_MIN, int(records * TRAINING_NAME_SHARE))


def name_capped(table: pa.Table) -> pa.Table | None:
    """``table`` with at most ``training_records_per_name`` records of each full name, or None
    when no name has more (the table trains as it is)."""
    import duckdb

    cap = training_records_per_name(table.num_rows)
    con = duckdb.connect()
    try:
        con.register("records_in", table)
        crowded = con.execute(
            f"""
            SELECT count(*) FROM (SELECT 1 FROM records_in WHERE last IS NOT NULL
                GROUP BY first_canon, last HAVING count(*) > {cap})
            """  # noqa: S608 (a constant of ours)
        ).fetchall()[0][0]
        if not crowded:
            return None
        return con.sql(
            f"""
            SELECT * EXCLUDE (nth) FROM (
                SELECT *, row_number() OVER (
                    PARTITION BY first_canon, last ORDER BY unique_id) AS nth
                FROM records_in
            ) WHERE nth <= {cap} OR last IS NULL
            ORDER BY unique_id
            """  # noqa: S608 (a constant of ours)
        ).to_arrow_table()
    finally:
        con.close()


def score(table: pa.Table, options: EngineOptions, clock: _Clock) -> Scored:
    """Train (unless a model is given) and score pairs at or above the review floor."""
    import logging as _logging

    from splink import Linker

    backend = options.backend
    db_api = _db_api(backend, options)
    real_rows = table.num_rows
    table = _background(table)
    sdf = _register(db_api, table, backend)
    trained = options.model is None
    if not trained:
        try:
            model = with_parameters(options.model, backend, options.keep_field_weights)
        except ModelMismatch as exc:
            logger.warning("identity: %s; training a new model", exc)
            trained = True
    if trained:
        creator = settings(keep_field_weights=options.keep_field_weights)
        train_sdf = _training_sdf(sdf, table, options)
        linker = Linker(train_sdf, creator, log_level=_logging.WARNING)
        if real_rows > 1:
            linker = train(linker, train_sdf, table, options)
            floored = rounded(
                m_floor(
                    u_unseen(linker.misc.save_model_to_json(), options.u_max_pairs),
                    unseen_neutral=True,
                )
            )
            model = with_parameters(floored, backend, options.keep_field_weights)
            linker = Linker(sdf, model, log_level=_logging.WARNING)
        clock.lap("train")
    else:
        linker = Linker(sdf, model, log_level=_logging.WARNING)
    model = linker.misc.save_model_to_json()
    if real_rows < 2:
        empty = pa.table(
            {
                "unique_id_l": pa.array([], pa.int64()),
                "unique_id_r": pa.array([], pa.int64()),
                "match_probability": pa.array([], pa.float64()),
                "match_weight": pa.array([], pa.float64()),
                "weights": pa.array([], pa.string()),
            }
        )
        return Scored(empty, model, 0, trained)
    predictions = linker.inference.predict(
        threshold_match_probability=options.review_floor, warning_mode="never"
    )
    arrow = _to_arrow(predictions, backend)
    if table.num_rows > real_rows:  # the synthetic donors' pairs go (their ids are negative)
        arrow = arrow.filter(
            pc.and_(
                pc.greater_equal(arrow.column("unique_id_l"), 0),
                pc.greater_equal(arrow.column("unique_id_r"), 0),
            )
        )
    clock.lap("predict")
    comparisons = arrow.num_rows
    return Scored(_pairs(arrow, options.keep_field_weights), model, comparisons, trained)


def _finite(value: float | None) -> float | None:
    if value is None or math.isnan(value):
        return None
    if math.isinf(value):
        return -99.0 if value < 0 else 99.0
    return round(value, 2)


def _to_arrow(predictions, backend: str) -> pa.Table:
    if backend == "spark":
        return predictions.as_spark_dataframe().toArrow()
    return predictions.as_duckdbpyrelation().to_arrow_table()


def _pairs(arrow: pa.Table, keep_field_weights: bool) -> pa.Table:
    """Splink's output reduced to what the engine keeps, weights as a JSON object per pair."""
    import json

    left = arrow.column("unique_id_l").cast(pa.int64())
    right = arrow.column("unique_id_r").cast(pa.int64())
    weights: list[str | None] = [None] * arrow.num_rows
    if keep_field_weights and arrow.num_rows:
        # Splink gives each comparison's match weight (log2 Bayes factor) and, for the
        # term-frequency columns, the adjustment: the reviewer sees their sum per field.
        per_field: dict[str, list] = {}
        for name in COMPARISON_NAMES:
            if f"mw_{name}" not in arrow.column_names:
                continue
            values = arrow.column(f"mw_{name}").to_pylist()
            if f"mw_tf_adj_{name}" in arrow.column_names:
                adjust = arrow.column(f"mw_tf_adj_{name}").to_pylist()
                values = [
                    None if v is None else v + (t or 0.0)
                    for v, t in zip(values, adjust, strict=True)
                ]
            per_field[name] = values
        weights = [
            json.dumps({name: _finite(values[i]) for name, values in per_field.items()})
            for i in range(arrow.num_rows)
        ]
    return pa.table(
        {
            "unique_id_l": pc.min_element_wise(left, right),
            "unique_id_r": pc.max_element_wise(left, right),
            "match_probability": arrow.column("match_probability").cast(pa.float64()),
            "match_weight": arrow.column("match_weight").cast(pa.float64()),
            "weights": pa.array(weights, pa.string()),
        }
    )
