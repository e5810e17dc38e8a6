"""Who is in a segment."""

from __future__ import annotations

from django.db.models import QuerySet

from groundswell.people.models import Person
from groundswell.segments.definition import definition_clean, definition_q
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
