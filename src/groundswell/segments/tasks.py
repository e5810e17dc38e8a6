"""The segment snapshot, taken on the task worker: a large segment takes longer than a request.

Safe to run twice: a task whose request was already served (or superseded by a later one, or
dropped by "Make dynamic") does nothing, and taking a snapshot is one transaction.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.contrib.auth import get_user_model
from django_tasks import task

from groundswell.segments.definition import DefinitionError
from groundswell.segments.models import Segment
from groundswell.segments.services import segment_snapshot_take

logger = logging.getLogger(__name__)


@task()
def segment_snapshot_run(*, segment_id: int, actor_id: int | None, requested_at: str) -> dict:
    segment = Segment.objects.filter(pk=segment_id).first()
    asked = datetime.fromisoformat(requested_at)
    if segment is None or segment.snapshot_requested_at != asked:
        return {"skipped": True}
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    try:
        members = segment_snapshot_take(segment=segment, actor=actor)
    except DefinitionError as exc:
        # A condition removed or no longer valid since the request: say so on the page.
        logger.warning("segment %s: snapshot refused: %s", segment_id, exc)
        Segment.objects.filter(pk=segment_id, snapshot_requested_at=asked).update(
            snapshot_requested_at=None, snapshot_error=str(exc)[:500]
        )
        return {"error": str(exc)}
    return {"members": members}
