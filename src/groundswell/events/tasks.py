"""The events app's own background task: placing received RSVPs. Safe to run twice."""

from __future__ import annotations

import logging

from django_tasks import task

from groundswell.events.models import RsvpReceived
from groundswell.events.received import rsvp_fail, rsvps_place

logger = logging.getLogger(__name__)


@task()
def rsvps_place_pending() -> int:
    """Place every received RSVP, in batches (one task may drain many); how many were settled.

    Enqueued with each RSVP received, and every minute by core's ``periodic`` as the sweep for
    one whose task was lost. A batch that fails as a whole is retried one row at a time, so a
    row that cannot be placed is set aside (failed, with the reason) and holds up no other.
    """
    total = 0
    while True:
        try:
            done = rsvps_place()
        except Exception:
            logger.exception("a batch of received RSVPs failed; placing them one at a time")
            done = _one_at_a_time()
        total += done
        if done == 0:
            return total


def _one_at_a_time() -> int:
    done = 0
    pending = RsvpReceived.objects.filter(status=RsvpReceived.Status.RECEIVED).order_by("id")
    for pk in pending.values_list("pk", flat=True)[:200]:
        try:
            done += rsvps_place(ids=[pk])
        except Exception as exc:
            logger.exception("received RSVP %s cannot be placed", pk)
            rsvp_fail(pk, f"{type(exc).__name__}: {exc}")
            done += 1
    return done
