import os

import pytest
from django.db import connection


@pytest.fixture
def extract_file(settings, tmp_path):
    """A fresh extract per test: the test database is rolled back, the extract file is not."""
    settings.GROUNDSWELL_ANALYTICS_EXTRACT = str(tmp_path / "extract.duckdb")
    return tmp_path / "extract.duckdb"


@pytest.fixture(params=["duckdb", "postgres"])
def engine_name(request, extract_file):
    """Each metric test runs on the DuckDB extract, and on PostgreSQL when that is the database."""
    if request.param == "postgres" and connection.vendor != "postgresql":
        pytest.skip("the postgres engine runs when DATABASE_URL is PostgreSQL")
    return request.param


@pytest.fixture(params=["duckdb", "postgres", "spark"])
def engine_name_with_spark(request, extract_file):
    """engine_name, and Spark (``local[2]``) too: for the tests that hold every engine to the
    same numbers. Skipped with the reason where pyspark or Java is missing; where
    GROUNDSWELL_REQUIRE_SPARK is set (CI) that fails instead."""
    if request.param == "postgres" and connection.vendor != "postgresql":
        pytest.skip("the postgres engine runs when DATABASE_URL is PostgreSQL")
    if request.param == "spark":
        from groundswell.identity.spark import spark_available

        problem = spark_available()
        if problem and os.environ.get("GROUNDSWELL_REQUIRE_SPARK"):
            pytest.fail(f"GROUNDSWELL_REQUIRE_SPARK is set but {problem}")
        if problem:
            pytest.skip(f"the spark engine cannot run here: {problem}")
    return request.param
