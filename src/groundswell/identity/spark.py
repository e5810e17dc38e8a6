"""The Spark session for the identity engine's Spark backend (``groundswell[spark]``).

Splink's Spark backend needs its similarity functions (Jaro-Winkler, Damerau-Levenshtein) from
the jar it ships, so the session is built with that jar. One session per process: starting Spark
takes seconds.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from functools import cache


class SparkUnavailable(RuntimeError):
    """pyspark is not installed or Java cannot be found."""


def spark_available() -> str | None:
    """None when the Spark backend can run here, else why not."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (pip install 'groundswell[spark]')"
    java_home = os.environ.get("JAVA_HOME")
    if not shutil.which("java") and not (java_home and os.path.exists(java_home)):
        return "Java is not installed (Spark needs a Java 17 or 21 runtime)"
    return None


# Our comparison levels and guards are written once, in DuckDB's SQL, and Splink passes a
# custom level's SQL to Spark as written. DuckDB's names for the similarity functions are
# therefore registered here for the same functions of Splink's jar, which give the same values
# as DuckDB's on every non-null pair (a null gives 0, not null: never at or above a threshold,
# as a null never is in DuckDB). ``contains`` and ``left`` are Spark built-ins already.
_DUCKDB_NAMES = (
    ("jaro_winkler_similarity", "uk.gov.moj.dash.linkage.JaroWinklerSimilarity"),
    ("damerau_levenshtein", "uk.gov.moj.dash.linkage.LevDamerauDistance"),
)


def _register_duckdb_names(session) -> None:
    from pyspark.sql.types import DoubleType

    for name, java_class in _DUCKDB_NAMES:
        session.udf.registerJavaFunction(name, java_class, DoubleType())


@cache
def spark_session(master: str = "local[2]"):
    """A local Spark session with Splink's similarity functions, quiet and self-contained."""
    problem = spark_available()
    if problem:
        raise SparkUnavailable(problem)
    from pyspark.sql import SparkSession
    from splink.internals.spark.jar_location import similarity_jar_location

    scratch = tempfile.mkdtemp(prefix="groundswell-spark-")
    session = (
        SparkSession.builder.master(os.environ.get("GROUNDSWELL_SPARK_MASTER", master))
        .appName("groundswell-identity")
        .config("spark.jars", similarity_jar_location())
        .config("spark.sql.warehouse.dir", os.path.join(scratch, "warehouse"))
        .config("spark.local.dir", os.path.join(scratch, "local"))
        .config("spark.ui.enabled", "false")
        # Timestamps are instants; dates cut from them (analytics' local days, after
        # from_utc_timestamp) must not shift again by the machine's own time zone.
        .config("spark.sql.session.timeZone", "UTC")
        # A local session's executors live in the driver's JVM, whose default heap (1 GB)
        # runs out blocking 100,000 records; the heap grows to this only as it is needed.
        .config("spark.driver.memory", os.environ.get("GROUNDSWELL_SPARK_DRIVER_MEMORY", "4g"))
        # A local session on a laptop or a CI runner: few partitions, no console progress bars.
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.default.parallelism", "4")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    _register_duckdb_names(session)
    session.sparkContext.setCheckpointDir(os.path.join(scratch, "checkpoints"))
    return session
