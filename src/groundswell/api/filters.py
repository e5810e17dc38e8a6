"""The part of OData's ``$filter`` that Action Network's API takes: ``field op 'value'``
clauses joined by ``and``, e.g. ``modified_date gt '2026-11-01' and region eq 'CA'``.

Anything else is refused with what was not understood, never guessed at.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, time

from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from groundswell.core.untrusted import Refused

MAX_FILTER = 500
_CLAUSE = re.compile(r"\s*([a-z_]+)\s+(eq|gt|lt|ge|le)\s+'((?:[^']|'')*)'\s*", re.IGNORECASE)
_AND = re.compile(r"and\b", re.IGNORECASE)
_LOOKUPS = {"gt": "gt", "lt": "lt", "ge": "gte", "le": "lte"}


def filter_q(text: str, *, dates: dict[str, str], exact: dict[str, Callable[[str], Q]]) -> Q:
    """A Q for ``text``. ``dates`` maps a filterable date name to its column (compared with
    gt/lt/ge/le); ``exact`` maps a text name to what ``eq`` means for it (a Q over an indexed,
    normalised column, so a filter stays fast on a million people)."""
    if len(text) > MAX_FILTER:
        raise Refused("filter", f"is longer than {MAX_FILTER} characters")
    q = Q()
    position, first = 0, True
    while position < len(text) or first:
        if not first:
            joined = _AND.match(text, position)
            if joined is None:
                raise Refused("filter", f"expected “and” at “{text[position : position + 30]}”")
            position = joined.end()
        match = _CLAUSE.match(text, position)
        if match is None:
            raise Refused(
                "filter",
                f"expected a clause such as field eq 'value' at “{text[position : position + 30]}”",
            )
        name, op, value = match.group(1).lower(), match.group(2).lower(), match.group(3)
        q &= _clause_q(name, op, value.replace("''", "'"), dates=dates, exact=exact)
        position, first = match.end(), False
    return q


def _clause_q(name: str, op: str, value: str, *, dates: dict, exact: dict) -> Q:
    if name in dates:
        if op == "eq":
            raise Refused("filter", f"{name} is compared with gt, lt, ge or le")
        return Q(**{f"{dates[name]}__{_LOOKUPS[op]}": _moment(value)})
    if name in exact:
        if op != "eq":
            raise Refused("filter", f"{name} can only be compared with eq")
        return exact[name](value)
    known = ", ".join(sorted([*dates, *exact]))
    raise Refused("filter", f"cannot filter on {name} (use {known})")


def _moment(value: str) -> datetime:
    """A date (midnight UTC) or a date and time (UTC unless it names its offset)."""
    try:
        moment = parse_datetime(value)
        day = None if moment else parse_date(value)
    except ValueError:
        moment = day = None
    if moment is None and day is None:
        raise Refused(
            "filter", f"“{value[:40]}” is not a date (use 2026-11-01 or 2026-11-01T09:30:00Z)"
        )
    if moment is None:
        moment = datetime.combine(day, time(0))
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=UTC)
    return moment
