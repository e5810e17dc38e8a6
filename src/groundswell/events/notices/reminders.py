"""Reminders before each shift, at the event's offsets (``Event.reminder_minutes``).

An offset is absolute time: the 24-hour reminder of a 9:00 shift on the morning after the
clocks change goes 24 real hours before, which reads 8:00 or 10:00 on the wall the day before;
the message shows the shift in the event's zone with that date's abbreviation.

The ledger row (``ReminderSent``) is inserted before the message goes: its unique constraint
lets one worker of two, or a worker and its restarted self, send each reminder. A crash between
the insert and the send loses that reminder rather than sending it twice; a send that fails
with an error removes the row, so the next run tries again while the reminder is still due.

Which reminders are owed: a registered attendance on a shift that has not started, of an event
still on, whose start is within an offset, for an offset whose moment came after the person
signed up (who registers three hours before gets the 2-hour reminder, not the 24-hour one
straight after their confirmation). When several offsets are owed at once (the worker was
down), only the nearest is sent and the others are recorded as done.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import NamedTuple

from django.core import mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from groundswell.events.models import Attendance, AttendanceStatus, Event, ReminderSent, Shift
from groundswell.events.notices.messages import (
    REMINDER,
    SILENT_EVENTS,
    UNDELIVERABLE,
    notice_build,
)

logger = logging.getLogger(__name__)


class Due(NamedTuple):
    """One attendance's reminder owed now: the offset to send and those it supersedes."""

    # A tuple, not a dataclass: a day of a large campaign makes 400,000 of them.

    attendance_id: int
    minutes_before: int
    superseded: tuple[int, ...] = ()


def _event_offsets(now: datetime) -> dict[int, frozenset[int]]:
    """Each live event with a shift still ahead, and its reminder offsets."""
    ahead = Shift.objects.filter(starts_at__gt=now).values("event_id")
    events = (
        Event.objects.exclude(status__in=SILENT_EVENTS)
        .filter(pk__in=ahead)
        .values_list("pk", "reminder_minutes")
    )
    return {pk: frozenset(_valid(offsets)) for pk, offsets in events}


def _valid(offsets) -> list[int]:
    # The field is JSON a form wrote: anything but positive whole minutes is ignored.
    if not isinstance(offsets, list):
        return []
    return [m for m in offsets if isinstance(m, int) and not isinstance(m, bool) and m > 0]


def reminders_compute(*, now: datetime | None = None) -> list[Due]:
    """The reminders owed at ``now`` that no run has recorded yet, one per attendance."""
    now = now or timezone.now()
    offsets_of = _event_offsets(now)
    # Offsets in increasing order: an attendance's first one found is the nearest.
    owed: dict[int, list[int]] = {}
    for minutes in sorted(set().union(*offsets_of.values())):
        for pk, event_id in _owed_rows(now, minutes):
            # The rows were found by any event's offset; keep those of events that use it.
            if minutes in offsets_of.get(event_id, ()):
                found = owed.get(pk)
                if found is None:
                    owed[pk] = [minutes]
                else:
                    found.append(minutes)
    return [Due(pk, m[0], tuple(m[1:])) for pk, m in owed.items()]


def _owed_rows(now: datetime, minutes: int) -> list[tuple[int, int]]:
    """(attendance, event) of everyone owed the ``minutes`` reminder at ``now``, unrecorded."""
    before = timedelta(minutes=minutes)
    rows = (
        Attendance.objects.filter(
            status=AttendanceStatus.REGISTERED,
            shift__starts_at__gt=now,
            shift__starts_at__lte=now + before,
            created_at__lt=F("shift__starts_at") - before,
        )
        .exclude(shift__event__status__in=SILENT_EVENTS)
        .exclude(person__email_status__in=UNDELIVERABLE)
        .exclude(person__primary_email="")
        .exclude(
            Exists(ReminderSent.objects.filter(attendance=OuterRef("pk"), minutes_before=minutes))
        )
        .values_list("pk", "shift__event_id")
    )
    # Fetched whole, not through a server-side cursor: PostgreSQL plans a cursor for its
    # first rows (nested loops), several times slower over a day's attendees.
    return list(rows)


def _claim(attendance_id: int, minutes: int, now: datetime) -> bool:
    """Insert the ledger row; False if another run already has it."""
    try:
        with transaction.atomic():
            ReminderSent.objects.create(
                attendance_id=attendance_id, minutes_before=minutes, sent_at=now
            )
    except IntegrityError:
        return False
    return True


def reminders_due(*, now: datetime | None = None) -> dict:
    """Send every reminder owed now, each once; the periodic job (every minute)."""
    now = now or timezone.now()
    counts = {"due": 0, "sent": 0, "taken": 0, "failed": 0, "gone": 0, "superseded": 0}
    due = reminders_compute(now=now)
    counts["due"] = len(due)
    if not due:
        return counts
    with mail.get_connection() as connection:
        for item in due:
            if not _claim(item.attendance_id, item.minutes_before, now):
                counts["taken"] += 1
                continue
            if item.superseded:
                rows = [
                    ReminderSent(attendance_id=item.attendance_id, minutes_before=m, sent_at=now)
                    for m in item.superseded
                ]
                ReminderSent.objects.bulk_create(rows, ignore_conflicts=True)
                counts["superseded"] += len(item.superseded)
            counts[_send(item, now, connection)] += 1
    return counts


def _send(item: Due, now: datetime, connection) -> str:
    """Send one claimed reminder: "sent", "failed", or "gone" (cancelled since computed)."""
    attendance = (
        Attendance.objects.select_related("shift__event", "person")
        .filter(pk=item.attendance_id, status=AttendanceStatus.REGISTERED)
        .first()
    )
    if attendance is None:
        return "gone"
    try:
        notice_build(
            attendance=attendance,
            kind=REMINDER,
            to=attendance.person.primary_email,
            now=now,
            connection=connection,
        ).send()
    except Exception:
        logger.exception(
            "reminder %s min to attendance %s failed", item.minutes_before, item.attendance_id
        )
        # Given back: the next run sends it if it is still due.
        ReminderSent.objects.filter(
            attendance_id=item.attendance_id, minutes_before=item.minutes_before, sent_at=now
        ).delete()
        return "failed"
    return "sent"
