"""Cleaning of CSV rows into PersonInputs: pure CPU work, run in a helper process.

This module must not import Django models: import helpers are spawned without a configured
Django, and importing it there must stay cheap.
"""

from __future__ import annotations

from dataclasses import dataclass

from groundswell.people.intake import FIELDS, person_input_clean


@dataclass
class CleanedBatch:
    rows: int
    items: list
    keys: list[str]
    errors: list[tuple[int, str, str, str, list[str]]]  # line, column, value, reason, row


# What the error report keeps of a refused row: enough to fix it and import it again, bounded so
# a file of huge cells cannot fill the database through its errors.
ROW_MAX_COLUMNS = 200
ROW_MAX_CELL = 1000


def row_kept(fields: list[str]) -> list[str]:
    """The row's cells as the file had them, bounded in count and length."""
    return [cell[:ROW_MAX_CELL] for cell in fields[:ROW_MAX_COLUMNS]]


def batch_clean(headers, mapping, batch, options) -> CleanedBatch:
    errors: list[tuple[int, str, str, str, list[str]]] = []
    items, keys = [], []
    for line, fields, problem in batch:
        if fields is None:
            errors.append((line, "", "", problem, []))
            continue
        if len(fields) > len(headers) and any(f.strip() for f in fields[len(headers) :]):
            errors.append(
                (
                    line,
                    "",
                    "",
                    f"has {len(fields)} fields but the header has {len(headers)} columns",
                    row_kept(fields),
                )
            )
            continue
        raw: dict[str, str] = {}
        columns: dict[str, str] = {}
        for index, field_name in mapping.items():
            value = fields[index] if index < len(fields) else ""
            if value.strip() and not raw.get(field_name, "").strip():
                raw[field_name] = value
                columns[field_name] = headers[index] if index < len(headers) else ""
        if options["default_email_status"] and "email_status" not in raw and raw.get("email"):
            raw["email_status"] = options["default_email_status"]
        data, field_errors = person_input_clean(raw, from_file=True)
        if field_errors:
            for err in field_errors:
                reason = (
                    f"{FIELDS.get(err.field, err.field)} {err.reason}"
                    if err.field
                    else f"Row {err.reason}"
                )
                errors.append(
                    (line, columns.get(err.field, ""), err.value, reason, row_kept(fields))
                )
            continue
        if options["tags"]:
            data.tags = list(dict.fromkeys([*data.tags, *options["tags"]]))
        if options["source"] and not data.source:
            data.source = options["source"]
        items.append(data)
        keys.append(str(line))
    return CleanedBatch(len(batch), items, keys, errors)
