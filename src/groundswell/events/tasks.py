"""The events app's own background task: placing received RSVPs. Safe to run twice."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.core.cache import cache
from django.utils import timezone
from django_tasks import task

from groundswell.events.models import RsvpReceived
from groundswell.events.received import BATCH, rsvp_fail, rsvps_place

logger = logging.getLogger(__name__)


# Above this many RSVPs a second, the web processes need the cores: placing (the person, the
# attendance, the timeline, the confirmation e-mail) costs more per RSVP than receiving it, and
# on two cores a worker placing during a 300-a-second surge made the form answer in 50 s at the
# 99th percentile (bench/events_rsvp.py, 2026-12-05). Placement waits for the surge to pass,
# but never longer than MAX_LAG for the oldest RSVP waiting.
SURGE_PER_SECOND = 50
SURGE_LOOKBACK = timedelta(seconds=2)
MAX_LAG = timedelta(seconds=60)
# Past MAX_LAG in a surge, the oldest RSVPs are placed this many per lookback, no more: on two
# cores a worker placing at full speed during a 90-second 300-a-second surge left the form
# answering in 46 s at the 99th percentile (bench/events_rsvp.py --seconds 90, 2026-12-06);
# 50 per lookback, 375 ms; 20, 157 ms. What a surge costs beyond the cores is then mostly the
# placement's lag, not the form's answer.
TRICKLE = 20
_DEFERRED_KEY = "events:placement-deferred"
_TRICKLE_KEY = "events:placement-trickled"


@task()
def rsvps_place_pending(yield_to_surge: bool = True) -> int:
    """Place every received RSVP, in batches (one task may drain many); how many were settled.

    Enqueued with each RSVP received, and every minute by core's ``periodic`` as the sweep for
    one whose task was lost. A batch that fails as a whole is retried one row at a time, so a
    row that cannot be placed is set aside (failed, with the reason) and holds up no other.
    While RSVPs arrive faster than SURGE_PER_SECOND it places nothing and comes back shortly —
    once the oldest has waited MAX_LAG, it places TRICKLE of the oldest each time it comes
    back — and a surge that begins while it places stops it after the batch in hand
    (``yield_to_surge``; off for an operator draining the queue by hand).
    """
    total = 0
    while True:
        # Asked again before every batch: a task that began in a lull (the first RSVPs of a
        # surge, or the minute's sweep) kept placing through the surge that followed and took
        # the web's cores for 48 s (bench/events_rsvp.py, 2026-12-06: p99 20 s, 146/s answered).
        surge = _surge(timezone.now()) if yield_to_surge else None
        # One trickle per lookback, whichever task comes: the web's enqueues, the comebacks and
        # the sweep each ran one, and several trickles a lookback took the form to 375 ms.
        if surge == "trickle" and not cache.add(
            _TRICKLE_KEY, 1, timeout=SURGE_LOOKBACK.total_seconds() - 1
        ):
            surge = "wait"
        if surge == "wait":
            _come_back_after_surge()
            return total
        try:
            done = rsvps_place(limit=TRICKLE) if surge == "trickle" else rsvps_place()
        except Exception:
            logger.exception("a batch of received RSVPs failed; placing them one at a time")
            done = _one_at_a_time(limit=TRICKLE if surge == "trickle" else BATCH)
        total += done
        if surge == "trickle" and done:
            _come_back_after_surge()
            return total
        if done == 0:
            return total


def _come_back_after_surge() -> None:
    # One task comes back per lookback (the web's own enqueues may all have come and gone).
    if cache.add(_DEFERRED_KEY, 1, timeout=SURGE_LOOKBACK.total_seconds() - 1):
        rsvps_place_pending.using(run_after=timezone.now() + SURGE_LOOKBACK).enqueue()
    logger.info("RSVP placement waits: RSVPs are arriving faster than %s/s", SURGE_PER_SECOND)


def _surge(now) -> str | None:
    """None when RSVPs arrive slowly (or none waits); in a surge "wait", or "trickle" once the
    oldest waiting has waited MAX_LAG."""
    waiting = RsvpReceived.objects.filter(status=RsvpReceived.Status.RECEIVED)
    oldest = waiting.order_by("id").values_list("received_at", flat=True).first()
    if oldest is None:
        return None
    recent = waiting.filter(received_at__gte=now - SURGE_LOOKBACK).count()
    if recent <= SURGE_PER_SECOND * SURGE_LOOKBACK.total_seconds():
        return None
    return "trickle" if now - oldest >= MAX_LAG else "wait"


def _one_at_a_time(limit: int) -> int:
    done = 0
    pending = RsvpReceived.objects.filter(status=RsvpReceived.Status.RECEIVED).order_by("id")
    for pk in pending.values_list("pk", flat=True)[:limit]:
        try:
            done += rsvps_place(ids=[pk])
        except Exception as exc:
            logger.exception("received RSVP %s cannot be placed", pk)
            rsvp_fail(pk, f"{type(exc).__name__}: {exc}")
            done += 1
    return done
