"""Cells a spreadsheet would run as a formula (CSV injection), and the two ways we keep them out.

Excel, LibreOffice and Google Sheets evaluate a cell that starts with ``=``, ``+``, ``-`` or
``@`` (and may run one that starts with a tab or a carriage return), so a hostile name such as
``=HYPERLINK(...)`` or a city ``-1+1`` becomes a formula when a file we wrote is opened.

- Files written *for spreadsheets* (the people and contributions exports, every import's error
  report) prefix such a cell with an apostrophe (``csv_safe``): the spreadsheet shows it as text.
- Files that must carry data *unaltered* (the FEC Schedule A export) cannot add a character, so
  the fields they carry are cleaned when the data arrives (``formula_strip``, called by the
  intake): no name, street, city, state, employer or occupation starts with those characters.

A plain number ("-5.00", "+15551234567") is a value, not a formula, in every spreadsheet, and is
left alone by both. Pure Python, no Django: the FEC parsers run it in a helper process.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

FORMULA_START = frozenset("=+-@\t\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


def formula_like(text: str) -> bool:
    """True if a spreadsheet would take this cell for a formula."""
    return bool(text) and text[0] in FORMULA_START and not _NUMBER.fullmatch(text)


def formula_strip(text: str) -> str:
    """The text without the leading characters that would make it a formula (intake cleaning)."""
    while formula_like(text):
        text = text[1:].lstrip()
    return text


def csv_safe(value) -> str:
    """A cell that a spreadsheet will show as text rather than run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if formula_like(text) else text


def csv_line(values: Iterable) -> str:
    """One CSV line for a spreadsheet, every cell through ``csv_safe``."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow([csv_safe(v) for v in values])
    return buffer.getvalue()


def csv_plain_line(values: Iterable) -> str:
    """One CSV line with every cell as it is (for data that must arrive unaltered)."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow(["" if v is None else str(v) for v in values])
    return buffer.getvalue()
