"""RSVPs received, then placed: the public form stores the RSVP, the task worker places it.

The pattern of the actions app's submissions. The request checks the form (the same errors as
ever, the shared intake's cleaning included) and stores one ``RsvpReceived`` row, committed
before the visitor is thanked, so an acknowledged RSVP is never lost and a surge costs the web
process one insert each. ``rsvps_place`` then takes received rows in batches, one transaction
per batch: the rows are claimed with ``FOR UPDATE SKIP LOCKED`` (two workers take disjoint
rows), the shifts they name are locked in id order (capacity holds, and two workers cannot
deadlock), and each row becomes the person (through the shared intake, one upsert per event),
an attendance on each chosen shift (registered or waitlisted, ``services._place``), the timeline,
the referral credit and the confirmation. The claim is the batch's own transaction: a worker
killed between claim and commit leaves its rows received, and the next run places them once.

Where no task backend defers work (the tests' immediate backend), a received RSVP is placed at
once, in the request, as that backend runs every task.
"""

from __future__ import annotations

import logging
import time
from contextlib import nullcontext
from datetime import timedelta

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from groundswell.actions.services import referral_credit
from groundswell.events.models import Event, RsvpReceived, Shift
from groundswell.events.notices import confirmation_enqueue
from groundswell.events.services import (
    ACTIVITY_KIND,
    RegistrationInvalid,
    _place,
    intake_context,
    person_clean,
    person_raw,
    shift_refusal,
)
from groundswell.people.services import ItemExtra, people_upsert

logger = logging.getLogger(__name__)

# Received rows placed per transaction: large enough that the person upsert and the shift
# locks are paid once for many, small enough that a staff cancellation waits little for a lock.
BATCH = 200
# In a surge, one placement task per this many seconds per server process drains them all.
PLACEMENT_WINDOW = 1
Status = RsvpReceived.Status


def rsvp_receive(
    *,
    event: Event,
    shifts: list[Shift],
    person_data: dict,
    source: str = "",
    refcode: str = "",
    ref: str = "",
    referrer: str = "",
    ip_address: str | None = None,
) -> RsvpReceived:
    """Store an RSVP for the (bookable) ``shifts`` of ``event`` for the worker to place.

    Raises RegistrationInvalid when the person's details fail the shared intake's cleaning.
    A repeat of an RSVP not yet placed (same event, address and shifts) returns that row; one
    already placed is received again, and placing it changes nothing (one attendance per person
    and shift).
    """
    raw = person_raw(event=event, person_data=person_data, source=source, refcode=refcode)
    data = person_clean(raw)
    ids = sorted({s.pk for s in shifts})
    row = RsvpReceived(
        event=event,
        shift_ids=ids,
        shift_key=",".join(map(str, ids)),
        email=data.email or "",
        person_data=raw,
        source=source[:100],
        refcode=refcode[:100],
        ref=ref[:16],
        referrer=referrer[:500],
        ip_address=ip_address,
    )
    # Alone, the insert commits by itself (one round trip); inside a caller's transaction it
    # takes a savepoint, so a duplicate does not break that.
    in_transaction = transaction.get_connection().in_atomic_block
    for attempt in range(2):
        try:
            with transaction.atomic() if in_transaction else nullcontext():
                row.save(force_insert=True)
            break
        except IntegrityError:
            # A double click or a retry: the first RSVP, still waiting, is this one.
            pending = RsvpReceived.objects.filter(
                event=event, email=row.email, shift_key=row.shift_key, status=Status.RECEIVED
            ).first()
            if pending is not None:
                return pending
            # It was placed between our insert and our read: this one is received afresh.
            row.pk = None
            if attempt:
                raise
    _placement_enqueue(row)
    return row


def _placement_enqueue(row: RsvpReceived) -> None:
    # tasks.py imports this module (a task runs a service): the task is imported when used.
    from groundswell.events.tasks import rsvps_place_pending

    task = rsvps_place_pending
    if not task.get_backend().supports_defer:
        # The immediate backend: the RSVP is placed now, in the request's transaction.
        rsvps_place(ids=[row.pk])
        row.refresh_from_db()
        return

    def enqueue() -> None:
        # A task drains every row committed before it starts, and it starts after the key that
        # skips later enqueues has gone: each skipped row was committed before its skip. The
        # key lives its window and at most one second more (the database cache keeps whole
        # seconds), so the task starts a window and two seconds after its enqueue.
        global _asked_until
        now = time.monotonic()
        if now < _asked_until:
            # This process asked the cache less than a second ago, and the key was alive then
            # or set by it: that task starts more than a second after the ask, later than this
            # row's commit. One cache write per process and second, not one per RSVP (in a
            # surge each request paid a round trip for it).
            return
        _asked_until = now + 1
        if cache.add("events:placement-enqueued", 1, timeout=PLACEMENT_WINDOW):
            run_after = timezone.now() + timedelta(seconds=PLACEMENT_WINDOW + 2)
            task.using(run_after=run_after).enqueue()

    transaction.on_commit(enqueue)


# Until when (time.monotonic) this process skips asking the cache: see ``enqueue`` above.
_asked_until = 0.0


def rsvps_place(*, ids: list[int] | None = None, limit: int = BATCH) -> int:
    """Place a batch of received RSVPs (the oldest first); how many rows it settled."""
    with transaction.atomic():
        pending = RsvpReceived.objects.filter(status=Status.RECEIVED)
        if ids is not None:
            pending = pending.filter(pk__in=ids)
        # Rows locked by another worker are theirs: skipped, not waited for.
        batch = list(
            pending.select_for_update(skip_locked=True)
            .select_related("event")
            .order_by("id")[:limit]
        )
        if not batch:
            return 0
        _batch_place(batch)
    return len(batch)


def rsvp_fail(row_id: int, reason: str) -> None:
    """Set aside a row that cannot be placed (its batch failed, and so did it alone)."""
    RsvpReceived.objects.filter(pk=row_id, status=Status.RECEIVED).update(
        status=Status.FAILED, reason=reason[:300], placed_at=timezone.now()
    )


def _batch_place(batch: list[RsvpReceived]) -> None:
    now = timezone.now()
    wanted = sorted({pk for row in batch for pk in row.shift_ids})
    # Only the shifts are locked (not their events): the lock order is the shifts' ids, the
    # same as every other writer's, so two workers or a cancellation cannot deadlock.
    shifts = {
        s.pk: s
        for s in Shift.objects.select_for_update(of=("self",))
        .select_related("event")
        .filter(pk__in=wanted)
        .order_by("pk")
    }
    placeable: list[RsvpReceived] = []
    for row in batch:
        reason = _refusal(row, shifts, now)
        if reason is None:
            placeable.append(row)
        else:
            row.status, row.reason = Status.REFUSED, reason
            logger.info("received RSVP %s refused at placement: %s", row.pk, reason)
    people = _people_upsert(placeable)
    owed: list[int] = []
    for row in placeable:
        person_id = people.get(row.pk)
        if person_id is None:
            continue
        row.person_id = person_id
        # The refusal above was read under the locks: every shift of the row takes it.
        for pk in row.shift_ids:
            _place(
                shifts[pk], person_id, source=row.source, refcode=row.refcode, now=now, owed=owed
            )
        row.status = Status.PLACED
    # The batch's confirmations (and "you're on the waitlist") go as one task at its commit.
    confirmation_enqueue(attendance_ids=owed)
    for row in batch:
        row.placed_at = now
    RsvpReceived.objects.bulk_update(batch, ["status", "reason", "person", "placed_at"])


def _refusal(row: RsvpReceived, shifts: dict[int, Shift], now) -> str | None:
    for pk in row.shift_ids:
        shift = shifts.get(pk)
        if shift is None or shift.event_id != row.event_id:
            return "This shift no longer exists."
        if (reason := shift_refusal(shift, now=now)) is not None:
            return reason
    return None


def _people_upsert(rows: list[RsvpReceived]) -> dict[int, int]:
    """Upsert the rows' people through the shared intake, one batch per event; row → person."""
    by_event: dict[int, list[RsvpReceived]] = {}
    for row in rows:
        by_event.setdefault(row.event_id, []).append(row)
    people: dict[int, int] = {}
    for event_rows in by_event.values():
        event = event_rows[0].event
        items, kept = [], []
        for row in event_rows:
            try:
                items.append(person_clean(row.person_data))
                kept.append(row)
            except RegistrationInvalid as exc:
                # Checked when received; only a change in the cleaning rules can land here.
                row.status, row.reason = Status.FAILED, str(exc)[:300]
                logger.warning("received RSVP %s failed the intake: %s", row.pk, exc)
        if not items:
            continue
        extras = [
            ItemExtra(
                ip_address=row.ip_address,
                activity_data={"referrer": row.referrer, "ref": row.ref},
                occurred_at=row.received_at,
            )
            for row in kept
        ]
        results = people_upsert(items, context=intake_context(event), extras=extras)
        for row, result in zip(kept, results, strict=True):
            people[row.pk] = result.person_id
            # A newcomer who came through a supporter's share link was recruited by them.
            referral_credit(code=row.ref, recruit_id=result.person_id, created=result.created)
    return people


def received_person_erase(*, person, actor) -> list[str]:
    """What an erased person typed into the RSVP form goes: their placed RSVPs keep only their
    shifts and times, and one still waiting for the worker (by their addresses) is dropped."""
    done = []
    stripped = RsvpReceived.objects.filter(person=person).update(
        person_data={}, email="", ip_address=None, referrer="", source="", refcode="", ref=""
    )
    if stripped:
        done.append(f"personal fields removed from {stripped} received RSVP(s)")
    addresses = [a.lower() for a in person.emails.values_list("address", flat=True) if a]
    if addresses:
        dropped, _ = RsvpReceived.objects.filter(
            status=Status.RECEIVED, email__in=addresses
        ).delete()
        if dropped:
            done.append(f"{dropped} RSVP(s) not yet placed removed")
    return done


__all__ = [
    "ACTIVITY_KIND",
    "BATCH",
    "received_person_erase",
    "rsvp_fail",
    "rsvp_receive",
    "rsvps_place",
]
