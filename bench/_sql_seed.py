"""Seeding benchmark tables straight in SQL (generate_series: no Python per row), shared by
the benchmarks that fill PostgreSQL this way (segments, events)."""

from __future__ import annotations


def column_defaults(cursor, table: str) -> dict[str, str]:
    """A value for every NOT NULL column without a database default (Django keeps defaults in
    Python), by type; the caller overrides the ones that matter."""
    cursor.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s"
        " AND is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO'",
        [table],
    )
    by_type = {"jsonb": "'{}'::jsonb", "boolean": "false", "timestamp with time zone": "now()"}
    out = {}
    for name, kind in cursor.fetchall():
        numeric = kind in ("integer", "bigint", "smallint", "numeric")
        out[name] = by_type.get(kind, "0" if numeric else "''")
    return out


def rows_insert(cursor, table: str, rows_sql: str, values: dict[str, str]) -> None:
    """INSERT INTO table (…) SELECT … FROM rows_sql, with defaults for the unnamed columns."""
    columns = {**column_defaults(cursor, table), **values}
    names = ", ".join(f'"{c}"' for c in columns)
    cursor.execute(
        f'INSERT INTO "{table}" ({names}) SELECT {", ".join(columns.values())} FROM {rows_sql}'
    )
