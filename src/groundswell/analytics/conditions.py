"""The segment condition "LYBUNT / SYBUNT donors", registered with segments from ``ready()``.

The people are the metric's own (``metrics.lapsed_people``: identity clusters, counted gifts,
the campaign's calendar years), worked out by the analytics engine when the segment is counted
or snapshotted, so the segment holds the people the lapsed list shows. Giving is finance data:
the condition needs FINANCE_VIEW, like segments' own giving conditions.

The people reach the operational database as a list of ids (the engine's answer is not a table
there); past a few tens of thousands the list goes as one JSON parameter (``core.bulk.ids_in``):
SQLite refuses a statement of more than 250,000 parameters.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from groundswell.accounts.roles import FINANCE_VIEW
from groundswell.analytics import metrics
from groundswell.analytics.engine import engine_open
from groundswell.core.bulk import ids_in
from groundswell.segments import params as p
from groundswell.segments.conditions import ConditionKind, Param, condition_register

KIND = "lapsed_donors"
FIRST_YEAR = 2000


def definition_for(*, kind: str, year: int) -> dict:
    """A segment definition holding exactly one lapsed list."""
    return {"op": "and", "negate": False, "items": [{"kind": KIND, "list": kind, "year": year}]}


def _clean(params: dict) -> dict:
    this_year = timezone.localdate().year
    return {
        "list": p.choice(params, "list", "LYBUNT or SYBUNT", set(metrics.LAPSED_KINDS)),
        "year": p.integer(params, "year", "the year", low=FIRST_YEAR, high=this_year + 1),
    }


def _q(params: dict) -> Q:
    with engine_open() as engine:
        people = metrics.lapsed_people(engine, kind=params["list"], year=params["year"])
    return Q(pk__in=ids_in(people))


def _describe(params: dict) -> str:
    kind, year = params["list"], params["year"]
    return f"{kind.upper()} {year}: {metrics.LAPSED_KINDS[kind]}"


def register() -> None:
    condition_register(
        ConditionKind(
            KIND,
            "Lapsed donors (LYBUNT / SYBUNT)",
            "Giving",
            _clean,
            _q,
            capability=FINANCE_VIEW,
            params=(
                Param(
                    "list",
                    "List",
                    "select",
                    choices=lambda: [
                        ("lybunt", "LYBUNT: gave last year, not this year"),
                        ("sybunt", "SYBUNT: gave some earlier year, not this year"),
                    ],
                ),
                Param("year", "This year is", "number"),
            ),
            describe=_describe,
        )
    )
