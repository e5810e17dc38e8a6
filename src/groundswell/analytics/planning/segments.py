"""The segments message planning splits people by: ladder rung, state, donor or not.

Each split is one SQL expression over ``people.Person`` grouped in the database, so a figure
per segment costs one query however many people it covers. The ladder is the ladder page's own
definition (``events.ladder.rungs.people_with_rung``) and "donor" is its donor step, so a
person is a donor here exactly when the ladder says so. Who gave is finance data: without
FINANCE_VIEW the donor split is not offered and the ladder has no donor rung (a donor stands
on the rung they would hold without the gift), exactly as on the ladder page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, QuerySet

from groundswell.events.ladder.rungs import Rung, people_with_rung, rung_steps, sees_gifts
from groundswell.people.models import Person

NO_STATE = "No state on file"


@dataclass(frozen=True)
class Dimension:
    key: str
    label: str
    finance: bool = False  # only for viewers who may learn who gave


DIMENSIONS = (
    Dimension("rung", "Ladder rung"),
    Dimension("state", "State"),
    Dimension("donor", "Donor or not", finance=True),
)


def dimensions_for(user) -> list[Dimension]:
    """The splits ``user`` may choose."""
    gifts = sees_gifts(user)
    return [d for d in DIMENSIONS if gifts or not d.finance]


def _annotated(people: QuerySet[Person], dimension: str, *, with_gifts: bool) -> QuerySet:
    """``people`` with a ``seg`` column: the person's segment under ``dimension``."""
    if dimension == "rung":
        return people_with_rung(people, with_gifts=with_gifts).annotate(seg=F("rung"))
    if dimension == "state":
        return people.annotate(seg=F("state"))
    if dimension == "donor":
        if not with_gifts:
            raise PermissionError("the donor split is finance data")
        return people.annotate(seg=rung_steps(with_gifts=True)[Rung.DONOR])
    raise ValueError(f"no such split: {dimension}")


def segment_counts(people: QuerySet[Person], dimension: str, *, with_gifts: bool) -> dict:
    """How many of ``people`` are in each segment (segment key -> count): one query."""
    rows = (
        _annotated(people, dimension, with_gifts=with_gifts)
        .order_by()
        .values("seg")
        .annotate(n=Count("pk"))
        .values_list("seg", "n")
    )
    counts: dict = {}
    for key, n in rows:
        key = _normal(dimension, key)
        counts[key] = counts.get(key, 0) + n
    return counts


def segment_of(people: QuerySet[Person], dimension: str, *, with_gifts: bool) -> dict[int, object]:
    """Each of ``people`` with their segment key (person id -> key): one query."""
    rows = _annotated(people, dimension, with_gifts=with_gifts).order_by().values_list("pk", "seg")
    return {pk: _normal(dimension, key) for pk, key in rows.iterator(chunk_size=5000)}


def _normal(dimension: str, key):
    # SQLite answers an EXISTS as 0/1, PostgreSQL as a boolean; a state may be blank or lower.
    if dimension == "donor":
        return bool(key)
    if dimension == "state":
        return (key or "").strip().upper()
    return int(key or 0)


def segment_label(dimension: str, key) -> str:
    """A segment as staff read it."""
    if dimension == "rung":
        return Rung(key).label
    if dimension == "donor":
        return "Donors" if key else "Not donors"
    return key or NO_STATE


def segment_order(dimension: str, keys) -> list:
    """Segments in reading order: rungs lowest first, donors first, states by code (none last)."""
    if dimension == "donor":
        return sorted(keys, reverse=True)
    if dimension == "state":
        return sorted(keys, key=lambda k: (k == "", k))
    return sorted(keys)
