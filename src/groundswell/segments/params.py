"""Checking a condition's parameters as they come from the builder (outside input).

Each helper takes the raw parameters and the name of one, and returns the clean value or
raises ``DefinitionError`` saying what to fix, in the builder's words.
"""

from __future__ import annotations

import re
from datetime import date

from groundswell.core.untrusted import text_clean
from groundswell.segments.errors import DefinitionError

MAX_TEXT = 200
MAX_LIST = 100
ZIP = re.compile(r"^\d{5}$")
ZIP_PREFIX = re.compile(r"^\d{1,5}$")


def text(params: dict, name: str, label: str, *, max_length: int = MAX_TEXT) -> str:
    value = params.get(name)
    if not isinstance(value, str) or not text_clean(value).strip():
        raise DefinitionError(f"Fill in {label}.")
    value = text_clean(value).strip()
    if len(value) > max_length:
        raise DefinitionError(f"{label.capitalize()} may be at most {max_length} characters.")
    return value


def integer(params: dict, name: str, label: str, *, low: int = 0, high: int = 10**9) -> int:
    value = params.get(name)
    digits = value.strip().removeprefix("-") if isinstance(value, str) else ""
    # ASCII only: "²".isdigit() is true and int() refuses it.
    if digits.isascii() and digits.isdigit() and len(digits) < 12:
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise DefinitionError(f"{label.capitalize()} must be a whole number.")
    if not low <= value <= high:
        raise DefinitionError(f"{label.capitalize()} must be between {low:,} and {high:,}.")
    return value


def dollars(params: dict, name: str, label: str) -> int:
    """Whole dollars from the builder, as integer cents (the money rule)."""
    return integer(params, name, label, low=0, high=100_000_000) * 100


def day(params: dict, name: str, label: str, *, required: bool = True) -> str | None:
    """An ISO date (YYYY-MM-DD), kept as text in the definition."""
    value = params.get(name)
    if value in (None, "") and not required:
        return None
    if not isinstance(value, str) or len(value) != 10:
        raise DefinitionError(f"{label.capitalize()} must be a date such as 2026-05-01.")
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise DefinitionError(f"{label.capitalize()} must be a date such as 2026-05-01.") from None
    # Bounded so that "the day after" and the time zone's offset stay within datetime's range.
    if not 1900 <= parsed.year <= 2200:
        raise DefinitionError(f"{label.capitalize()} must be between 1900 and 2200.")
    return parsed.isoformat()


def choice(params: dict, name: str, label: str, allowed: set[str] | list[str]) -> str:
    value = params.get(name)
    if not isinstance(value, str) or value not in allowed:
        raise DefinitionError(f"Choose {label}.")
    return value


def strings(params: dict, name: str, label: str, *, max_length: int = MAX_TEXT) -> list[str]:
    """A non-empty list of short strings (a single string is taken as a list of one)."""
    value = params.get(name)
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise DefinitionError(f"Choose one or more {label}.")
    if len(value) > MAX_LIST:
        raise DefinitionError(f"Choose at most {MAX_LIST} {label}.")
    clean = []
    for item in value:
        if not isinstance(item, str) or not text_clean(item).strip():
            raise DefinitionError(f"Each of the {label} must be filled in.")
        item = text_clean(item).strip()
        if len(item) > max_length:
            raise DefinitionError(f"Each of the {label} may be at most {max_length} characters.")
        clean.append(item)
    return sorted(set(clean))


def words(params: dict, name: str, label: str) -> list[str]:
    """Several values typed in one box, separated by commas or spaces ("PA, OH MI")."""
    value = params.get(name)
    if isinstance(value, str):
        value = [v for v in re.split(r"[,\s]+", value) if v]
    return strings({name: value}, name, label)


def within_days(params: dict, name: str = "days", *, required: bool = False) -> int | None:
    """An optional "in the last N days" (blank: ever)."""
    if params.get(name) in (None, "") and not required:
        return None
    return integer(params, name, "the number of days", low=1, high=36_500)
