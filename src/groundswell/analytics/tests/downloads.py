"""Checks for the downloads under a hand-drawn chart (``analytics/_downloads.html``) in
Chromium: the CSV holds the table beside the chart cell for cell, the PNG is a real image."""

from __future__ import annotations

import csv
import io
from pathlib import Path


def downloads_check(page, *, chart: str, table: str, name: str) -> list[list[str]]:
    """Download the table and the chart; the CSV's rows (checked against the page's table)."""
    with page.expect_download() as info:
        page.locator(f'[data-csv-for="{table}"]').click()
    assert info.value.suggested_filename == f"{name}.csv"
    text = Path(info.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    shown = [
        [" ".join(cell.split()) for cell in row.locator("th, td").all_inner_texts()]
        for row in page.locator(f"#{table} tr").all()
    ]
    # What a spreadsheet would run as a formula is written with an apostrophe first.
    unquoted = [[c[1:] if c.startswith("'") else c for c in row] for row in rows]
    assert unquoted == shown, (unquoted[:3], shown[:3])
    assert len(rows) > 1, rows  # a header and at least one row: the test has data to check
    page.wait_for_selector(f"#{chart}[data-drawn]")
    with page.expect_download() as info:
        page.locator(f'[data-png-for="{chart}"]').click()
    assert info.value.suggested_filename == f"{name}.png"
    data = Path(info.value.path()).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 1000
    return rows
