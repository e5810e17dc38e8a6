"""Changes staff make to every person of a filtered list at once: tag and untag.

The list is the supporter list's own query (selectors.person_list), pinned to the people who
match when staff confirmed the count, and walked in chunks of ids so a tag on a hundred
thousand people is a few dozen INSERTs, not a statement per person. A bulk change is one
entry in the audit log (with the filters and the count) rather than a line on each timeline.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from groundswell.accounts.roles import PEOPLE_EDIT
from groundswell.accounts.services import audit_record
from groundswell.people.models import Person, Tag, Tagging
from groundswell.people.normalize import clean_text

PEOPLE_TAG = "people_tag"
PEOPLE_UNTAG = "people_untag"
CHUNK = 2000


def _ids_in_chunks(people: QuerySet[Person]):
    """The people's ids, newest first, a chunk at a time (keyset: no OFFSET)."""
    base = people.order_by("-id").values_list("pk", flat=True)
    last = None
    while True:
        chunk = list((base if last is None else base.filter(pk__lt=last))[:CHUNK])
        if not chunk:
            return
        yield chunk
        last = chunk[-1]


def _tag_name_clean(name: str) -> str:
    try:
        name = clean_text(name or "", 100)
    except ValueError as exc:
        raise ValidationError({"tag": f"The tag {exc}"}) from None
    if not name:
        raise ValidationError({"tag": "Enter a tag name."})
    return name


def _audit(actor, action: str, summary: str, filters: dict, count: int, tag: str, ip) -> None:
    audit_record(
        actor=actor,
        action=action,
        summary=summary,
        details={
            "tag": tag,
            "people": count,
            "filters": {k: v for k, v in filters.items() if v},
        },
        ip_address=ip,
    )


@transaction.atomic
def people_tag(
    *, people: QuerySet[Person], name: str, actor, filters: dict, ip_address: str | None = None
) -> tuple[Tag, int]:
    """Tag every person of a filtered list; returns the tag and how many people gained it."""
    if not actor.can(PEOPLE_EDIT):
        raise ValidationError("Your role does not allow editing people.")
    name = _tag_name_clean(name)
    # An existing tag differing only in case is reused, as on the person page.
    tag = Tag.objects.filter(name__iexact=name).order_by("pk").first()
    if tag is None:
        tag, _ = Tag.objects.get_or_create(name=name)
    added = 0
    for ids in _ids_in_chunks(people):
        have = set(
            Tagging.objects.filter(tag=tag, person_id__in=ids).values_list("person_id", flat=True)
        )
        new = [Tagging(person_id=pk, tag=tag) for pk in ids if pk not in have]
        Tagging.objects.bulk_create(new, ignore_conflicts=True)
        added += len(new)
    noun = "person" if added == 1 else "people"
    summary = f"tagged {added} {noun} “{tag.name}”"
    _audit(actor, PEOPLE_TAG, summary, filters, added, tag.name, ip_address)
    return tag, added


@transaction.atomic
def people_untag(
    *, people: QuerySet[Person], tag: Tag, actor, filters: dict, ip_address: str | None = None
) -> int:
    """Remove a tag from every person of a filtered list; returns how many lost it."""
    if not actor.can(PEOPLE_EDIT):
        raise ValidationError("Your role does not allow editing people.")
    removed = 0
    for ids in _ids_in_chunks(people):
        count, _ = Tagging.objects.filter(tag=tag, person_id__in=ids).delete()
        removed += count
    noun = "person" if removed == 1 else "people"
    _audit(
        actor,
        PEOPLE_UNTAG,
        f"removed “{tag.name}” from {removed} {noun}",
        filters,
        removed,
        tag.name,
        ip_address,
    )
    return removed
