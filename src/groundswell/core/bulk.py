"""A lean multi-row INSERT for the hot path of imports, and long id lists as one parameter.

Django's bulk_create prepares every value of every row through the full field machinery, which
costs more than the database write itself when an import adds several rows per person. Here
each column's conversion is chosen once per model, and rows go out as one INSERT per chunk.
Only for plain inserts that need no primary keys back; everything else uses the ORM.
"""

from __future__ import annotations

import json

from django.db import connection, models
from django.db.models.expressions import RawSQL


def _converter(field: models.Field):
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DecimalField):
        return lambda v: ops.adapt_decimalfield_value(v, field.max_digits, field.decimal_places)
    if isinstance(field, (models.JSONField, models.GenericIPAddressField)):
        return lambda v: field.get_db_prep_save(v, connection)
    return None


def bulk_insert(
    model: type[models.Model], objs: list[models.Model], *, ignore_conflicts: bool = False
) -> None:
    """INSERT the given unsaved instances (defaults already applied by their constructors).

    With ignore_conflicts, rows that break a unique constraint are skipped (both SQLite and
    PostgreSQL understand ON CONFLICT DO NOTHING).
    """
    if not objs:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for obj in objs:
                field.pre_save(obj, add=True)
    converters = [(field.attname, _converter(field)) for field in fields]
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    # One prepared single-row statement for all rows: both sqlite3 and psycopg run
    # executemany in a tight loop (psycopg in pipeline mode), without re-parsing the SQL.
    sql = f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES ({placeholders})" + (  # noqa: S608 (quoted identifiers; values are parameters)
        " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    )
    rows = []
    for obj in objs:
        rows.append(
            [
                convert(value) if convert and value is not None else value
                for attname, convert in converters
                for value in (getattr(obj, attname),)
            ]
        )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def bulk_update_fields(
    model: type[models.Model], objs: list[models.Model], field_names: list[str]
) -> None:
    """UPDATE the named fields of saved instances, one prepared statement for all rows.

    Django's bulk_update builds a CASE expression per field over the whole batch, which is
    slower than the writes themselves on an import; executemany reuses one simple statement.
    """
    if not objs:
        return
    fields = [model._meta.get_field(name) for name in field_names]
    for field in fields:
        if getattr(field, "auto_now", False):
            for obj in objs:
                field.pre_save(obj, add=False)
    converters = [(field.attname, _converter(field)) for field in fields]
    qn = connection.ops.quote_name
    assignments = ", ".join(f"{qn(f.column)} = %s" for f in fields)
    pk = model._meta.pk
    sql = f"UPDATE {qn(model._meta.db_table)} SET {assignments} WHERE {qn(pk.column)} = %s"  # noqa: S608 (quoted identifiers; values are parameters)
    rows = []
    for obj in objs:
        row = []
        for attname, convert in converters:
            value = getattr(obj, attname)
            row.append(convert(value) if convert and value is not None else value)
        row.append(obj.pk)
        rows.append(row)
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def planner_statistics_refresh() -> None:
    """After a large write, let SQLite's query planner learn the tables' new sizes.

    SQLite keeps no statistics until asked; a bounded analysis takes well under a second even
    at a million rows. PostgreSQL's autovacuum analyses by itself.
    """
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA analysis_limit=1000")
            cursor.execute("PRAGMA optimize=0x10002")


# Past this many ids a list goes to the database as one parameter, not one each: SQLite (as
# Debian builds it) refuses a statement of more than 250,000 parameters, and a long IN list
# costs both databases more to parse than the JSON costs to read.
INLINE_IDS = 20_000


def ids_in(ids) -> list[int] | RawSQL:
    """What ``pk__in=`` (or any ``<field>__in=``) should get for a list of integer ids of any
    length: the list itself when short, else a subquery unpacking it from one JSON parameter."""
    ids = [int(i) for i in ids]
    if len(ids) <= INLINE_IDS:
        return ids
    if connection.vendor == "postgresql":
        sql = "SELECT (value)::bigint FROM json_array_elements_text(%s::json)"
    else:
        sql = "SELECT value FROM json_each(%s)"
    return RawSQL(sql, (json.dumps(ids),))  # noqa: S611 (our SQL; the ids are a parameter)
