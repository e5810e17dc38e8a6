"""Reminders before each shift, at the event's offsets (``Event.reminder_minutes``), by e-mail
and, where the person has a consenting mobile and an SMS provider is configured, by text.

An offset is absolute time: the 24-hour reminder of a 9:00 shift on the morning after the
clocks change goes 24 real hours before, which reads 8:00 or 10:00 on the wall the day before;
the message shows the shift in the event's zone with that date's abbreviation.

The ledger (``ReminderSent``) holds one row per attendance, offset and channel. The row is
inserted, in state "sending", before the message goes: its unique constraint lets one worker of
two, or a worker and its restarted self, send each reminder. After the send it says what
happened ("sent", "failed", or "retry" for a text the provider refused for now). A crash
between the insert and that record leaves the row "sending" for good: the reminder is never
sent twice (it may or may not have gone; the event page counts it as unconfirmed). An e-mail
that fails with an error gives its row back, so the next run tries again while it is still due;
a text refused for now (429, 5xx, no connection) is taken again by a later run, up to
``SMS_ATTEMPTS`` runs, and one refused for good (a 4xx, an invalid number) stays "failed" with
the provider's reason.

Which reminders are owed: a registered attendance on a shift that has not started, of an event
still on, whose start is within an offset, for an offset whose moment came after the person
signed up (who registers three hours before gets the 2-hour reminder, not the 24-hour one
straight after their confirmation). When several offsets are owed at once (the worker was
down), only the nearest is sent and the others are recorded as skipped. Each channel is owed
separately: e-mail to a deliverable address, a text to a mobile with SMS consent.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import NamedTuple

from django.core import mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from groundswell.core.sms import SmsProvider, SmsResult, sms_provider, sms_send
from groundswell.events.models import Attendance, AttendanceStatus, Event, ReminderSent, Shift
from groundswell.events.notices.messages import (
    REMINDER,
    SILENT_EVENTS,
    UNDELIVERABLE,
    notice_build,
)
from groundswell.events.notices.sms import sms_reminder_text, textable_exists, textable_number

logger = logging.getLogger(__name__)

EMAIL, SMS = ReminderSent.Channel.EMAIL, ReminderSent.Channel.SMS
State = ReminderSent.State
# Runs that may take a text refused for now (rate limit, outage) before it is given up.
SMS_ATTEMPTS = 5


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


def reminders_compute(*, now: datetime | None = None, channel: str = EMAIL) -> list[Due]:
    """The reminders by ``channel`` owed at ``now`` that no run has recorded yet, one per
    attendance."""
    now = now or timezone.now()
    offsets_of = _event_offsets(now)
    # Offsets in increasing order: an attendance's first one found is the nearest.
    owed: dict[int, list[int]] = {}
    for minutes in sorted(set().union(*offsets_of.values())):
        for pk, event_id in _owed_rows(now, minutes, channel):
            # The rows were found by any event's offset; keep those of events that use it.
            if minutes in offsets_of.get(event_id, ()):
                found = owed.get(pk)
                if found is None:
                    owed[pk] = [minutes]
                else:
                    found.append(minutes)
    return [Due(pk, m[0], tuple(m[1:])) for pk, m in owed.items()]


def _owed_rows(now: datetime, minutes: int, channel: str) -> list[tuple[int, int]]:
    """(attendance, event) of everyone owed the ``minutes`` reminder by ``channel`` at ``now``
    and not recorded."""
    before = timedelta(minutes=minutes)
    recorded = ReminderSent.objects.filter(
        attendance=OuterRef("pk"), minutes_before=minutes, channel=channel
    )
    rows = Attendance.objects.filter(
        status=AttendanceStatus.REGISTERED,
        shift__starts_at__gt=now,
        shift__starts_at__lte=now + before,
        created_at__lt=F("shift__starts_at") - before,
    ).exclude(shift__event__status__in=SILENT_EVENTS)
    if channel == SMS:
        rows = rows.filter(textable_exists())
        # A text refused for now is owed again.
        recorded = recorded.exclude(state=State.RETRY)
    else:
        rows = rows.exclude(person__email_status__in=UNDELIVERABLE).exclude(
            person__primary_email=""
        )
    rows = rows.exclude(Exists(recorded)).values_list("pk", "shift__event_id")
    # Fetched whole, not through a server-side cursor: PostgreSQL plans a cursor for its
    # first rows (nested loops), several times slower over a day's attendees.
    return list(rows)


def _claim(item: Due, channel: str, now: datetime) -> int | None:
    """The ledger row of this reminder, now "sending"; None if another run has it."""
    try:
        with transaction.atomic():
            row = ReminderSent.objects.create(
                attendance_id=item.attendance_id,
                minutes_before=item.minutes_before,
                channel=channel,
                state=State.SENDING,
                sent_at=now,
            )
        pk = row.pk
    except IntegrityError:
        pk = _retry_claim(item, channel, now)
        if pk is None:
            return None
    if item.superseded:
        _supersede(item, channel, now)
    return pk


def _retry_claim(item: Due, channel: str, now: datetime) -> int | None:
    # A text refused for now is taken again by a compare-and-set on its state, so of two runs
    # that both found it owed, one sends it.
    pk = (
        ReminderSent.objects.filter(
            attendance_id=item.attendance_id,
            minutes_before=item.minutes_before,
            channel=channel,
            state=State.RETRY,
        )
        .values_list("pk", flat=True)
        .first()
    )
    if pk is None:
        return None
    taken = ReminderSent.objects.filter(pk=pk, state=State.RETRY).update(
        state=State.SENDING, sent_at=now, attempts=F("attempts") + 1
    )
    return pk if taken else None


def _supersede(item: Due, channel: str, now: datetime) -> None:
    """Record the farther offsets owed with the nearest one as skipped."""
    rows = [
        ReminderSent(
            attendance_id=item.attendance_id,
            minutes_before=m,
            channel=channel,
            state=State.SKIPPED,
            sent_at=now,
        )
        for m in item.superseded
    ]
    ReminderSent.objects.bulk_create(rows, ignore_conflicts=True)
    # A farther text still waiting for a retry is dropped with the others.
    ReminderSent.objects.filter(
        attendance_id=item.attendance_id,
        channel=channel,
        minutes_before__in=item.superseded,
        state=State.RETRY,
    ).update(state=State.SKIPPED)


def _counts() -> dict:
    return {"due": 0, "sent": 0, "taken": 0, "failed": 0, "gone": 0, "superseded": 0}


def reminders_due(*, now: datetime | None = None) -> dict:
    """Send every reminder owed now, each once per channel; the periodic job (every minute).

    The counts are the e-mail's, with the texts' under "sms" (all nought without a provider).
    """
    now = now or timezone.now()
    counts = _email_run(now)
    counts["sms"] = _sms_run(now)
    return counts


def _email_run(now: datetime) -> dict:
    counts = _counts()
    due = reminders_compute(now=now)
    counts["due"] = len(due)
    if not due:
        return counts
    with mail.get_connection() as connection:
        for item in due:
            row = _claim(item, EMAIL, now)
            if row is None:
                counts["taken"] += 1
                continue
            counts["superseded"] += len(item.superseded)
            counts[_send_email(item, row, now, connection)] += 1
    return counts


def _registered(item: Due) -> Attendance | None:
    return (
        Attendance.objects.select_related("shift__event", "person")
        .filter(pk=item.attendance_id, status=AttendanceStatus.REGISTERED)
        .first()
    )


def _gone(row: int, why: str) -> str:
    ReminderSent.objects.filter(pk=row).update(state=State.SKIPPED, detail=why)
    return "gone"


def _send_email(item: Due, row: int, now: datetime, connection) -> str:
    """Send one claimed reminder: "sent", "failed", or "gone" (cancelled since computed)."""
    attendance = _registered(item)
    if attendance is None:
        return _gone(row, "cancelled before it went")
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
        ReminderSent.objects.filter(pk=row, state=State.SENDING).delete()
        return "failed"
    ReminderSent.objects.filter(pk=row).update(state=State.SENT)
    return "sent"


def _sms_run(now: datetime) -> dict:
    counts = _counts()
    provider = sms_provider()
    if provider is None:
        return counts
    due = reminders_compute(now=now, channel=SMS)
    counts["due"] = len(due)
    for item in due:
        row = _claim(item, SMS, now)
        if row is None:
            counts["taken"] += 1
            continue
        counts["superseded"] += len(item.superseded)
        counts[_send_sms(item, row, provider)] += 1
    return counts


def _send_sms(item: Due, row: int, provider: SmsProvider) -> str:
    """Text one claimed reminder: "sent", "failed", or "gone" (cancelled or consent withdrawn
    since computed)."""
    attendance = _registered(item)
    if attendance is None:
        return _gone(row, "cancelled before it went")
    number = textable_number(attendance.person)
    if number is None:
        return _gone(row, "no mobile number with SMS consent")
    try:
        result = sms_send(
            to=number, body=sms_reminder_text(attendance=attendance), provider=provider
        )
    except Exception:
        # sms_send answers for the network and the provider; this is our own fault, kept
        # from stopping the other attendees' reminders.
        logger.exception("text reminder to attendance %s failed", item.attendance_id)
        result = SmsResult(ok=False, error="could not be sent (see the server log)")
    return sms_record(row, result)


def sms_record(row: int, result: SmsResult) -> str:
    """Write what came of a text into its ledger row; "sent" or "failed"."""
    if result.ok:
        ReminderSent.objects.filter(pk=row).update(
            state=State.SENT, provider_id=result.provider_id, detail=""
        )
        return "sent"
    logger.warning("text reminder (ledger row %s) not sent: %s", row, result.error)
    detail = result.error[:300]
    # Refused for now: another run may take it, unless this was its last.
    if result.retryable and ReminderSent.objects.filter(pk=row, attempts__lt=SMS_ATTEMPTS).update(
        state=State.RETRY, detail=detail
    ):
        return "failed"
    ReminderSent.objects.filter(pk=row).update(state=State.FAILED, detail=detail)
    return "failed"
