"""Who is in a segment, and what a viewing user may see of segments and their members."""

from __future__ import annotations

import contextlib

from django.db import connection, transaction
from django.db.models import Count, F, Q, QuerySet, Sum

from groundswell.accounts.roles import FINANCE_VIEW, PEOPLE_VIEW
from groundswell.donations.models import cents_display
from groundswell.people.models import Person
from groundswell.segments.conditions import condition_kind, condition_kinds
from groundswell.segments.conditions_giving import gifts
from groundswell.segments.definition import (
    DefinitionError,
    definition_clean,
    definition_kinds,
    definition_q,
)
from groundswell.segments.models import Segment, SegmentMode


def segment_people(*, segment: Segment) -> QuerySet[Person]:
    """The segment's members (never merged-away records): its frozen members for a snapshot,
    its definition worked out now for a dynamic segment."""
    live = Person.objects.filter(merged_into__isnull=True)
    if segment.mode == SegmentMode.SNAPSHOT and segment.snapshot_taken_at is not None:
        return live.filter(pk__in=segment.members.values("person_id"))
    return live.filter(definition_q(definition_clean(segment.definition)))


def definition_people(*, definition: object) -> QuerySet[Person]:
    """The people an unsaved definition selects (the builder's live count and sample)."""
    return Person.objects.filter(merged_into__isnull=True).filter(
        definition_q(definition_clean(definition))
    )


def definition_capabilities(definition: dict) -> set[str]:
    """The capabilities a clean definition's conditions need (giving: FINANCE_VIEW)."""
    needed = set()
    for kind in definition_kinds(definition):
        registered = condition_kind(kind)
        if registered is not None and registered.capability:
            needed.add(registered.capability)
    return needed


def definition_check(*, definition: object, user) -> dict:
    """The definition, clean, if this user may use every condition in it.

    Raises DefinitionError naming the first condition they may not use: an organizer cannot
    select people by their giving, even without seeing the amounts.
    """
    clean = definition_clean(definition)
    _leaves_check(clean, user)
    return clean


def _leaves_check(group: dict, user) -> None:
    for item in group["items"]:
        if "op" in item:
            _leaves_check(item, user)
            continue
        kind = condition_kind(item["kind"])
        if kind.capability and not user.can(kind.capability):
            raise DefinitionError(
                f"“{kind.label}” is finance data: your role cannot use it in a segment."
                if kind.capability == FINANCE_VIEW
                else f"Your role cannot use “{kind.label}” in a segment."
            )
        if kind.permits and not kind.permits(item, user):
            raise DefinitionError(f"Your role cannot use “{kind.label}” with that value.")


def segment_visible(*, segment: Segment, user) -> bool:
    needs = segment.needs_capabilities.split()
    return user.can(PEOPLE_VIEW) and all(user.can(c) for c in needs)


def segments_for(*, user, query: str = "") -> QuerySet[Segment]:
    """The saved segments this user may see: those over giving only for finance roles."""
    segments = Segment.objects.all().order_by("name")
    if not user.can(PEOPLE_VIEW):
        return segments.none()
    for capability in _capabilities_used():
        if not user.can(capability):
            segments = segments.exclude(needs_capabilities__contains=capability)
    if query:
        segments = segments.filter(Q(name__icontains=query) | Q(description__icontains=query))
    return segments


def _capabilities_used() -> set[str]:
    return {k.capability for k in condition_kinds() if k.capability}


def segment_count(*, segment: Segment) -> int:
    """How many people are in the segment now (a snapshot: its frozen, unmerged members)."""
    return count_fast(segment_people(segment=segment))


def definition_count(*, definition: object) -> int:
    return count_fast(definition_people(definition=definition))


def count_fast(people: QuerySet[Person]) -> int:
    """COUNT(*) of a segment's people, under ``segment_query_settings``."""
    with segment_query_settings():
        return people.count()


@contextlib.contextmanager
def segment_query_settings():
    """A transaction with PostgreSQL settings for reading a segment's people; read a large
    segment inside it (counts, snapshots, exports and mailings' recipient batches).

    For the transaction only: room for a condition's subquery to be hashed once (under an OR
    or a NOT, `id IN (…)` over 266,000 tagged people ran for minutes with the default 4 MB
    work_mem: the subquery was re-read for every person; with 64 MB it is one hash and the
    count takes under a second at a million people), and no JIT (a segment's plan is costed
    high enough that PostgreSQL compiles it: 0.4 s of a 1.4 s count in bench/segments.py).

    On SQLite there is nothing to set and no transaction is opened: a read needs none, and the
    test suite's live server shares one in-memory SQLite connection between its request
    threads, where the segment list's counts, fetched at once, collided on BEGIN ("database
    table is locked"). A caller that writes opens its own transaction.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL work_mem = '64MB'")
        yield


def segment_sample(
    *, user, segment: Segment | None = None, definition: object = None, n: int = 10
) -> list[dict]:
    """The newest ``n`` members as rows for the builder: name, e-mail, place, status; their
    giving (gifts and total) only for viewers with FINANCE_VIEW."""
    people = (
        segment_people(segment=segment)
        if segment is not None
        else definition_people(definition=definition)
    )
    with segment_query_settings():
        rows = _sample_rows(people, n)
    if rows and user.can(FINANCE_VIEW):
        giving = {
            g["person_id"]: g
            for g in gifts()
            .filter(person_id__in=[r["id"] for r in rows])
            .values("person_id")
            .annotate(n=Count("id"), net=Sum(F("amount_cents") - F("refunded_cents")))
        }
        for row in rows:
            given = giving.get(row["id"])
            row["gifts"] = given["n"] if given else 0
            row["given_display"] = cents_display(max(0, given["net"] or 0)) if given else ""
    for row in rows:
        row["name"] = " ".join(x for x in (row["given_name"], row["family_name"]) if x)
    return rows


def _sample_rows(people: QuerySet[Person], n: int) -> list[dict]:
    return list(
        people.order_by("-id").values(
            "id",
            "given_name",
            "family_name",
            "primary_email",
            "state",
            "postal_code",
            "email_status",
        )[: max(1, min(n, 100))]
    )
