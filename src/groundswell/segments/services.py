"""Writes of segments: create, change, duplicate, delete (each audited) and snapshots."""

from __future__ import annotations

import itertools
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from groundswell.accounts.services import audit_record
from groundswell.segments.definition import DefinitionError, definition_clean
from groundswell.segments.models import Segment, SegmentMember, SegmentMode
from groundswell.segments.selectors import (
    definition_capabilities,
    definition_check,
    definition_people,
    segment_query_settings,
)

SNAPSHOT_BATCH = 5_000
NAME_MAX = 150


def _name_clean(name: str, *, exclude_pk: int | None = None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError("Give the segment a name.")
    if len(name) > NAME_MAX:
        raise ValidationError(f"A segment's name may be at most {NAME_MAX} characters.")
    taken = Segment.objects.filter(name__iexact=name)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationError(f"There is already a segment called “{name}”.")
    return name


def _definition_apply(segment: Segment, definition: object, actor) -> None:
    try:
        # No actor: the system itself (the demo's seed, a command), which may use every kind.
        clean = (
            definition_clean(definition)
            if actor is None
            else definition_check(definition=definition, user=actor)
        )
    except DefinitionError as exc:
        raise ValidationError(str(exc)) from None
    segment.definition = clean
    segment.needs_capabilities = " ".join(sorted(definition_capabilities(clean)))


@transaction.atomic
def segment_create(
    *, name: str, definition: object, actor, description: str = "", mode: str = "dynamic"
) -> Segment:
    """Save a new segment (its definition checked against what the actor may use); audited."""
    if mode not in SegmentMode.values:
        raise ValidationError("Choose dynamic or snapshot.")
    segment = Segment(
        name=_name_clean(name),
        description=(description or "")[:2000],
        mode=SegmentMode.DYNAMIC,
        created_by=actor if actor is not None and actor.pk else None,
    )
    _definition_apply(segment, definition, actor)
    try:
        with transaction.atomic():
            segment.save()
    except IntegrityError:  # the same name saved at the same moment by someone else
        raise ValidationError(f"There is already a segment called “{segment.name}”.") from None
    audit_record(
        actor=actor,
        action="segments.create",
        summary=f"Created segment {segment.name}",
        target=segment,
        details={"definition": segment.definition},
    )
    if mode == SegmentMode.SNAPSHOT:
        segment_snapshot_request(segment=segment, actor=actor)
    return segment


@transaction.atomic
def segment_update(
    *, segment: Segment, actor, name: str, definition: object, description: str = ""
) -> Segment:
    """Change a segment's name, description or definition; audited with what was there."""
    before = {"name": segment.name, "definition": segment.definition}
    segment.name = _name_clean(name, exclude_pk=segment.pk)
    segment.description = (description or "")[:2000]
    _definition_apply(segment, definition, actor)
    segment.save()
    audit_record(
        actor=actor,
        action="segments.change",
        summary=f"Changed segment {segment.name}",
        target=segment,
        details={"before": before, "definition": segment.definition},
    )
    return segment


def segment_duplicate(*, segment: Segment, actor) -> Segment:
    """A dynamic copy named "… (copy)", "… (copy 2)", …"""
    base = f"{segment.name[: NAME_MAX - 10]} (copy"
    number = 1
    while Segment.objects.filter(name__iexact=f"{base}{'' if number == 1 else f' {number}'})"):
        number += 1
    return segment_create(
        name=f"{base}{'' if number == 1 else f' {number}'})",
        definition=segment.definition,
        description=segment.description,
        actor=actor,
    )


@transaction.atomic
def segment_delete(*, segment: Segment, actor) -> None:
    audit_record(
        actor=actor,
        action="segments.delete",
        summary=f"Deleted segment {segment.name}",
        target=segment,
        details={"definition": segment.definition},
    )
    segment.delete()


def segment_snapshot_request(*, segment: Segment, actor) -> datetime:
    """Ask the task worker to take a snapshot (after this transaction commits); returns the
    request's time, which the task carries so that a later request supersedes it."""
    from groundswell.segments.tasks import segment_snapshot_run

    requested_at = timezone.now()
    Segment.objects.filter(pk=segment.pk).update(
        snapshot_requested_at=requested_at, snapshot_error=""
    )
    segment.snapshot_requested_at, segment.snapshot_error = requested_at, ""
    actor_id = actor.pk if actor is not None else None
    transaction.on_commit(
        lambda: segment_snapshot_run.enqueue(
            segment_id=segment.pk, actor_id=actor_id, requested_at=requested_at.isoformat()
        )
    )
    return requested_at


def segment_snapshot_take(*, segment: Segment, actor) -> int:
    """Freeze the definition's members now; returns how many.

    One transaction: the old members are replaced only when every new one is written, so a
    worker killed half-way leaves the previous snapshot whole, and taking it again is safe.
    The segment row is locked so two takes at once run one after the other.
    """
    with transaction.atomic(), segment_query_settings():
        locked = Segment.objects.select_for_update().get(pk=segment.pk)
        people = definition_people(definition=locked.definition)
        SegmentMember.objects.filter(segment=locked).delete()
        now = timezone.now()
        # One query read in chunks (a server-side cursor on PostgreSQL), written in batches.
        ids = people.order_by().values_list("pk", flat=True).iterator(chunk_size=SNAPSHOT_BATCH)
        count = 0
        while batch := list(itertools.islice(ids, SNAPSHOT_BATCH)):
            SegmentMember.objects.bulk_create(
                [SegmentMember(segment=locked, person_id=pk, added_at=now) for pk in batch],
                batch_size=SNAPSHOT_BATCH,
            )
            count += len(batch)
        Segment.objects.filter(pk=locked.pk).update(
            mode=SegmentMode.SNAPSHOT,
            snapshot_taken_at=now,
            snapshot_requested_at=None,
            snapshot_error="",
            modified_at=now,
        )
        audit_record(
            actor=actor,
            action="segments.snapshot",
            summary=f"Took a snapshot of segment {locked.name}: {count:,} people",
            target=locked,
            details={"members": count},
        )
    segment.mode = SegmentMode.SNAPSHOT
    segment.snapshot_taken_at = now
    return count


@transaction.atomic
def segment_snapshot_release(*, segment: Segment, actor) -> None:
    """Make a snapshot dynamic again (its frozen members are dropped); audited."""
    SegmentMember.objects.filter(segment=segment).delete()
    # A snapshot still waiting for the worker is dropped too (its task finds no request).
    Segment.objects.filter(pk=segment.pk).update(
        mode=SegmentMode.DYNAMIC, snapshot_taken_at=None, snapshot_requested_at=None
    )
    segment.mode, segment.snapshot_taken_at = SegmentMode.DYNAMIC, None
    segment.snapshot_requested_at = None
    audit_record(
        actor=actor,
        action="segments.dynamic",
        summary=f"Segment {segment.name} is dynamic again",
        target=segment,
    )
