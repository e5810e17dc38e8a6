"""Background work: keep the DuckDB extract close to the operational database."""

from __future__ import annotations

from django_tasks import task

from groundswell.analytics.engine import engine_name, extract_update
from groundswell.analytics.extract import extract_open


@task()
def analytics_extract_refresh(full: bool = False) -> dict:
    """Refresh the extract (incremental; in full with ``full`` or once a day), so that a
    dashboard's own refresh finds little to read. Safe to run twice: a refresh is an upsert by
    id. Does nothing when the dashboards read PostgreSQL directly."""
    if engine_name() != "duckdb":
        return {"refreshed": False}
    with extract_open() as con:
        at = extract_update(con, full=full, rebuild_if_due=True)
    return {"refreshed": True, "at": at.isoformat()}
