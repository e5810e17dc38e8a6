"""Registering for a shift, cancelling, switching shifts, and the waitlist that fills freed places.

Capacity holds under concurrency because every change to who holds a place on a shift happens
under a row lock on that shift (``select_for_update``): two people taking the last place, or a
cancellation racing a registration, are serialised by the database, so the count read under
the lock is the count that stands when the transaction commits. (SQLite locks the whole
database for a write transaction, which serialises them just as well.)

The person is upserted through the shared intake before the lock is taken, so the lock is held
for a few small queries only. Nothing here sends mail: the notices part of the app does that.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from groundswell.actions.services import referral_credit
from groundswell.events.choices import EventStatus, Visibility
from groundswell.events.models import Attendance, AttendanceStatus, Event, Shift
from groundswell.events.notices import confirmation_enqueue
from groundswell.people.choices import ConsentMethod
from groundswell.people.intake import person_input_clean
from groundswell.people.models import Person
from groundswell.people.services import IntakeContext, ItemExtra, activity_record, people_upsert

logger = logging.getLogger(__name__)

ACTIVITY_KIND = "event_rsvp"
# The person fields an RSVP may carry (what the public form asks, plus consent).
PERSON_FIELDS = (
    "given_name",
    "family_name",
    "full_name",
    "email",
    "email_status",
    "mobile_phone",
    "phone",
    "sms_status",
    "postal_code",
)


class RegistrationRefused(Exception):
    """The shift cannot be booked now (a past, cancelled or private event); says why."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


class RegistrationInvalid(Exception):
    """The person's details do not pass the shared intake: field name → message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k} {v}" for k, v in errors.items()))


def when_text(moment: datetime, event: Event) -> str:
    """A time as a supporter reads it, in the event's own zone: "Sat, Mar 7, 10:00 AM EST"."""
    local = moment.astimezone(event.tz)
    hour = local.strftime("%I").lstrip("0")
    return f"{local:%a, %b} {local.day}, {hour}:{local:%M %p} {local.tzname()}"


def shift_refusal(shift: Shift, *, now: datetime | None = None, link: bool = True) -> str | None:
    """Why the public may not book this shift now, or None when it can be booked.

    ``link``: the visitor came by the event's link, which an unlisted event allows.
    """
    event = shift.event
    now = now or timezone.now()
    if event.status == EventStatus.CANCELLED:
        return "This event has been cancelled."
    if event.status != EventStatus.PUBLISHED:
        return "This event is not open for sign-ups."
    if event.visibility == Visibility.PRIVATE or (
        event.visibility == Visibility.UNLISTED and not link
    ):
        return "This event is not open for sign-ups."
    if shift.starts_at <= now:
        return "This shift has already started or is over."
    return None


def person_raw(*, event: Event, person_data: dict, source: str, refcode: str) -> dict[str, str]:
    """The raw intake fields of an RSVP: the person fields it may carry, with source and refcode."""
    raw = {k: str(v) for k, v in person_data.items() if k in PERSON_FIELDS and v is not None}
    raw["source"] = source[:100] or f"event:{event.slug}"[:100]
    if refcode:
        raw["refcode"] = refcode[:100]
    return raw


def person_clean(raw: dict[str, str]):
    """The shared intake's cleaning of ``raw`` (a PersonInput); RegistrationInvalid if it fails."""
    data, errors = person_input_clean(raw)
    if errors:
        raise RegistrationInvalid(
            {(e.field or "form"): e.reason[:1].upper() + e.reason[1:] + "." for e in errors}
        )
    return data


def intake_context(event: Event, ip_address=None, *, via: str = "") -> IntakeContext:
    """How an RSVP's person arrives through the shared intake (consent and timeline): the
    public form, or ``via`` another path (an API key), which the consent history then names."""
    return IntakeContext(
        method=ConsentMethod.API if via else ConsentMethod.FORM,
        source=(f"RSVP /events/{event.slug}/ via {via}" if via else f"RSVP /events/{event.slug}/")[
            :300
        ],
        ip_address=ip_address,
        activity_kind=ACTIVITY_KIND,
        activity_summary=f"Signed up via the event “{event.title}”"[:300],
    )


def _person_upsert(
    *,
    event: Event,
    person_data: dict,
    source: str,
    refcode: str,
    referrer: str,
    ip_address,
    ref: str = "",
    via: str = "",
) -> int:
    raw = person_raw(event=event, person_data=person_data, source=source, refcode=refcode)
    [result] = people_upsert(
        [person_clean(raw)],
        context=intake_context(event, ip_address, via=via),
        extras=[
            ItemExtra(
                ip_address=ip_address, activity_data={"referrer": referrer[:500], "ref": ref[:16]}
            )
        ],
    )
    # Someone new who came through a supporter's share link was recruited by them, as on the
    # action pages; the actions app owns referrals and writes them.
    referral_credit(code=ref[:16], recruit_id=result.person_id, created=result.created)
    return result.person_id


def _taken(shift: Shift) -> int:
    return Attendance.objects.filter(shift=shift, status=AttendanceStatus.REGISTERED).count()


def _places_free(shift: Shift) -> int | None:
    """Free places on a locked shift; None when it has no limit."""
    if shift.capacity is None:
        return None
    return max(0, shift.capacity - _taken(shift))


def _record(attendance: Attendance, verb: str, moment: datetime, *, actor=None) -> None:
    """The person's timeline entry; keyed by attendance, verb and time, so a retry adds none."""
    shift = attendance.shift
    event = shift.event
    activity_record(
        person=Person(pk=attendance.person_id),
        kind=ACTIVITY_KIND,
        summary=f"{verb} “{event.title}” — {when_text(shift.starts_at, event)}",
        data={
            "event": event.pk,
            "shift": shift.pk,
            "attendance": attendance.pk,
            "status": attendance.status,
            "source": attendance.source,
            "refcode": attendance.refcode,
            "actor": getattr(actor, "pk", None),
        },
        occurred_at=moment,
        dedupe_key=f"event:{attendance.pk}:{verb}:{moment.isoformat()}"[:100],
    )


def _waitlist_promote(shift: Shift, now: datetime) -> list[Attendance]:
    """Move the first waitlisted people into the locked shift's free places, in order asked."""
    waiting = Attendance.objects.filter(shift=shift, status=AttendanceStatus.WAITLISTED).order_by(
        "waitlisted_at", "pk"
    )
    promoted, _ = _promote(shift, now, waiting, _places_free(shift))
    return promoted


def _promote(shift: Shift, now: datetime, waiting, free: int | None, owed: list[int] | None = None):
    """Register the first of ``waiting`` (in the order they asked) into the ``free`` places:
    (those promoted, the places still free; None when the shift has no limit).

    ``owed``: a batch's list of attendances owed a message, sent as one task at its commit."""
    promoted = list(waiting if free is None else waiting[:free])
    for attendance in promoted:
        attendance.status = AttendanceStatus.REGISTERED
        attendance.shift = shift
        attendance.save(update_fields=["status", "modified_at"])
        _record(attendance, "Moved from the waitlist onto", now)
    _owe(owed, [a.pk for a in promoted])
    return promoted, None if free is None else free - len(promoted)


def _lock(shift_id: int) -> Shift:
    return Shift.objects.select_for_update().select_related("event").get(pk=shift_id)


def _owe(owed: list[int] | None, ids: list[int]) -> None:
    if owed is None:
        confirmation_enqueue(attendance_ids=ids)
    else:
        owed.extend(ids)


def _place(
    shift: Shift, person_id: int, *, source: str, refcode: str, now, owed: list[int] | None = None
) -> Attendance:
    """Register or waitlist the person on the locked shift; an active attendance is returned.

    ``owed``: as for ``_promote``; without it, each message is enqueued at the commit."""
    # One read for the people waiting and the person's own row, both held by the shift's lock.
    rows = list(
        Attendance.objects.select_for_update()
        .filter(Q(status=AttendanceStatus.WAITLISTED) | Q(person_id=person_id), shift=shift)
        .order_by("waitlisted_at", "pk")
    )
    existing = next((a for a in rows if a.person_id == person_id), None)
    # People already waiting go before a newcomer (the capacity may have been raised); the
    # person's own row is the same object, so a promotion of theirs is seen below.
    waiting = [a for a in rows if a.status == AttendanceStatus.WAITLISTED]
    _, free = _promote(shift, now, waiting, _places_free(shift), owed)
    if existing is not None and existing.status != AttendanceStatus.CANCELLED:
        existing.shift = shift
        return existing
    full = free is not None and free <= 0
    status = AttendanceStatus.WAITLISTED if full else AttendanceStatus.REGISTERED
    attendance = existing or Attendance(shift=shift, person_id=person_id)
    attendance.shift = shift
    attendance.status = status
    attendance.waitlisted_at = now if status == AttendanceStatus.WAITLISTED else None
    attendance.cancelled_at = None
    # A cancelled row taken up again is a new sign-up: it is owed a new confirmation.
    attendance.notice_status, attendance.notice_sent_at = "", None
    attendance.source = source[:100]
    attendance.refcode = refcode[:100]
    attendance.save()
    # Sent by the task worker once the whole sign-up commits (never for a rolled-back one).
    _owe(owed, [attendance.pk])
    verb = "Registered for" if status == AttendanceStatus.REGISTERED else "Joined the waitlist for"
    _record(attendance, verb, now)
    return attendance


def attendance_register(
    *,
    shift: Shift,
    person_data: dict,
    source: str = "",
    refcode: str = "",
    referrer: str = "",
    ip_address: str | None = None,
    ref: str = "",
    checked: bool = False,
    via: str = "",
) -> Attendance:
    """Sign a person up for a shift from the public form: registered, or waitlisted when full.

    The person goes through the shared intake (matching, consent, source, refcode); ``ref``, a
    supporter's share code, credits them with a newcomer (``actions.services.referral_credit``).
    Idempotent:
    a second call for the same person and shift returns their attendance as it stands, and one
    they had cancelled is taken up again (registered or waitlisted by the places free now).
    Raises RegistrationRefused (the shift cannot be booked) or RegistrationInvalid.

    ``via``: not the public form but another path (``"API key Zapier sync"``), recorded as
    such on the person's consent.

    ``checked``: the caller has just read the shift with its event and found it bookable (the
    public form does, to validate the choice), so it is not read again before the upsert; the
    check under the lock below is the one that decides either way.
    """
    if not checked:
        shift = Shift.objects.select_related("event").get(pk=shift.pk)
        if (reason := shift_refusal(shift)) is not None:
            raise RegistrationRefused(reason)
    person_id = _person_upsert(
        event=shift.event,
        person_data=person_data,
        source=source,
        refcode=refcode,
        referrer=referrer,
        ip_address=ip_address,
        ref=ref,
        via=via,
    )
    # With row locks the shift's lock serialises two sign-ups of one person, so the insert
    # below needs no savepoint to retry from (two statements saved per RSVP); a writer that
    # takes no lock (a walk-in added at the door) can still collide, and the public form
    # retries its whole transaction for that.
    retry = not connection.features.has_select_for_update
    for attempt in range(2):
        try:
            with transaction.atomic(savepoint=retry):
                locked = _lock(shift.pk)
                if (reason := shift_refusal(locked)) is None:
                    return _place(
                        locked, person_id, source=source, refcode=refcode, now=timezone.now()
                    )
            # Raised outside the block: without a savepoint, an exception inside it would
            # leave a caller's own transaction unusable for a refusal it means to handle.
            raise RegistrationRefused(reason)
        except IntegrityError:
            # A double click that raced us past the lock on a database without row locks
            # inserted the same (shift, person): the retry finds and returns that row.
            if attempt or not retry:
                raise
    raise AssertionError("unreachable")


def attendance_cancel(*, attendance: Attendance, actor=None) -> list[Attendance]:
    """Cancel a registration or a place on the waitlist; returns those promoted into the place.

    Cancelling twice changes nothing the second time. ``actor``: the staff member who did it,
    if it was not the person themselves (recorded on the timeline).
    """
    with transaction.atomic():
        shift = _lock(attendance.shift_id)
        current = Attendance.objects.select_for_update().get(pk=attendance.pk)
        if current.status == AttendanceStatus.CANCELLED:
            return []
        now = timezone.now()
        current.status = AttendanceStatus.CANCELLED
        current.cancelled_at = now
        current.save(update_fields=["status", "cancelled_at", "modified_at"])
        current.shift = shift
        verb = "Cancelled" if actor is None else "Cancelled by the campaign:"
        _record(current, verb, now, actor=actor)
        promoted = _waitlist_promote(shift, now)
    attendance.status, attendance.cancelled_at = current.status, current.cancelled_at
    return promoted


def attendance_move(*, attendance: Attendance, shift: Shift) -> tuple[Attendance, list[Attendance]]:
    """Move a person to another shift of the same event: their place on the new shift (or the
    waitlist) and those promoted into the place they left. Both shifts are locked in id order so
    two opposite moves cannot deadlock.
    """
    if shift.event_id != attendance.shift.event_id:
        raise RegistrationRefused("You can only switch to another shift of the same event.")
    if shift.pk == attendance.shift_id:
        return attendance, []
    with transaction.atomic():
        locked = {s.pk: s for s in (_lock(pk) for pk in sorted({shift.pk, attendance.shift_id}))}
        target = locked[shift.pk]
        if (reason := shift_refusal(target)) is not None:
            raise RegistrationRefused(reason)
        now = timezone.now()
        current = Attendance.objects.select_for_update().get(pk=attendance.pk)
        moved = _place(
            target, current.person_id, source=current.source, refcode=current.refcode, now=now
        )
        promoted: list[Attendance] = []
        if current.status != AttendanceStatus.CANCELLED:
            current.status = AttendanceStatus.CANCELLED
            current.cancelled_at = now
            current.save(update_fields=["status", "cancelled_at", "modified_at"])
            current.shift = locked[current.shift_id]
            _record(current, "Switched away from", now)
            promoted = _waitlist_promote(locked[current.shift_id], now)
    return moved, promoted
