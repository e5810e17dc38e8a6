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
