"""External ids in the shared upsert: who a batch's ids already name, and the new ids to write.

An id from another system (a VAN ID) is the one key a row may carry when it has neither an
e-mail address nor a phone, and the strongest one when it has them: the other system gave it
to exactly one person. The upsert matches on it before e-mail and phone.
"""

from __future__ import annotations

from groundswell.core.bulk import bulk_insert
from groundswell.people.models import ExternalId


def external_ids_owners(pairs: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """(system, value) → the id of the person it names, for those already known."""
    owners: dict[tuple[str, str], int] = {}
    by_system: dict[str, set[str]] = {}
    for system, value in pairs:
        by_system.setdefault(system, set()).add(value)
    for system, values in by_system.items():
        rows = ExternalId.objects.filter(system=system, value__in=values)
        for value, person_id in rows.values_list("value", "person_id"):
            owners[(system, value)] = person_id
    return owners


def external_ids_write(new: list[tuple[int, str, str]]) -> None:
    """Insert (person id, system, value) rows; an id another intake wrote meanwhile is kept."""
    bulk_insert(
        ExternalId,
        [ExternalId(person_id=pid, system=system, value=value) for pid, system, value in new],
        ignore_conflicts=True,
    )
