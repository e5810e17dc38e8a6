"""Staff-side writes on events: saving an event with its shifts, publishing, cancelling,
approving or declining a proposal, and the host's roster on the day (check-in, no-shows,
walk-ins). Every write is audited. Registration by supporters is the public side's
(``events.services``); nothing here sends mail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from groundswell.accounts.services import audit_record
from groundswell.events import recurrence
from groundswell.events.models import Attendance, AttendanceStatus, Event, EventStatus, Shift
from groundswell.events.services import _record as timeline_record
from groundswell.people.choices import ConsentMethod
from groundswell.people.intake import person_input_clean
from groundswell.people.services import IntakeContext, people_upsert

AUDIT_SAVE = "events.event_save"
AUDIT_STATUS = "events.event_status"
AUDIT_CHECK_IN = "events.check_in"
AUDIT_MARK = "events.attendance_mark"
AUDIT_WALK_IN = "events.walk_in"
AUDIT_ACTIONS = (
    (AUDIT_SAVE, "Event created or edited"),
    (AUDIT_STATUS, "Event published, cancelled, approved or declined"),
    (AUDIT_CHECK_IN, "Attendee checked in"),
    (AUDIT_MARK, "Attendance marked (attended, no-show, undone)"),
    (AUDIT_WALK_IN, "Walk-in added to a shift"),
)
WALK_IN_SOURCE = "event walk-in"
ZIP_RE = re.compile(r"^\d{5}$")
MARKS = ("attended", "no_show", "undo")
# Paths the public pages own below /events/: an event's slug equal to one would be shadowed.
RESERVED_SLUGS = {"host", "attendance", "embed"}


@dataclass
class ShiftInput:
    """One shift as staff entered it: times already aware (entered in the event's zone)."""

    starts_at: datetime
    ends_at: datetime
    label: str = ""
    capacity: int | None = None
    shift_id: int | None = None  # an existing shift of the event, or None for a new one
    delete: bool = False


# ---------------------------------------------------------------- validation


def event_fields_errors(fields: dict) -> dict[str, str]:
    """What is wrong with an event's own fields, by field name (empty when nothing is)."""
    errors: dict[str, str] = {}
    if fields.get("is_virtual"):
        if not (fields.get("join_url") or "").strip():
            errors["join_url"] = "A virtual event needs a join link (sent to attendees only)."
    elif not ZIP_RE.match((fields.get("zip_code") or "").strip()):
        errors["zip_code"] = "An event in a place needs its five-digit ZIP code."
    return errors


def shift_errors(*, starts_at, ends_at, capacity) -> dict[str, str]:
    """What is wrong with one shift, by field name."""
    errors: dict[str, str] = {}
    if starts_at and ends_at and ends_at <= starts_at:
        errors["ends_at"] = "A shift must end after it starts."
    if capacity is not None and capacity < 1:
        errors["capacity"] = "Capacity is at least 1 (leave it blank for no limit)."
    return errors


def _validate(fields: dict, shifts: list[ShiftInput], event: Event | None) -> None:
    errors = dict(event_fields_errors(fields))
    tz = Event(timezone=fields.get("timezone") or Event().timezone).tz
    kept = [s.starts_at for s in shifts if not s.delete and s.starts_at is not None]
    if event is not None and event.pk:
        # Patterns already saved and not in this form (none today: the form shows them all).
        entered = {s.shift_id for s in shifts if s.shift_id}
        kept += [
            s.starts_at for s in event.shifts.filter(repeat_of__isnull=True).exclude(pk__in=entered)
        ]
    errors.update(recurrence.rule_errors(fields, kept, tz))
    for shift in shifts:
        if shift.delete:
            continue
        for name, message in shift_errors(
            starts_at=shift.starts_at, ends_at=shift.ends_at, capacity=shift.capacity
        ).items():
            errors.setdefault(name, message)
    if errors:
        raise ValidationError(errors)


def slug_unique(title: str, *, exclude_pk: int | None = None) -> str:
    """A slug made from the title, with -2, -3 … when another event has it."""
    base = slugify(title)[:100].strip("-") or "event"
    if base in RESERVED_SLUGS:
        base = f"{base}-event"
    taken = set(
        Event.objects.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


# ---------------------------------------------------------------- saving an event


def event_save(
    *,
    actor,
    fields: dict,
    shifts: list[ShiftInput],
    event: Event | None = None,
    ip_address: str | None = None,
) -> Event:
    """Create or edit an event with its shifts in one transaction.

    A new event takes a unique slug from its title; an edited one keeps its slug, since its
    public link may already be shared. A shift that people signed up for cannot be deleted
    (cancel the event instead, or move them first).
    """
    _validate(fields, shifts, event)
    created = event is None
    for attempt in range(3):
        try:
            with transaction.atomic():
                saved = _event_write(event, fields, actor)
                counts = _shifts_write(saved, shifts)
                # After the shifts: their dates follow the shifts as just saved.
                counts.update(recurrence.repeats_write(saved))
            break
        except IntegrityError:
            # Two events with the same title saved at once: the slug is picked again.
            if not created or attempt == 2:
                raise
    audit_record(
        actor=actor,
        action=AUDIT_SAVE,
        summary=f"{'created' if created else 'edited'} the event “{saved.title}”",
        target=saved,
        details={"created": created, **counts},
        ip_address=ip_address,
    )
    return saved


def _event_write(event: Event | None, fields: dict, actor) -> Event:
    if event is None:
        event = Event(created_by=actor if actor is not None and actor.pk else None)
    for name, value in fields.items():
        setattr(event, name, value)
    if event.is_virtual:
        event.zip_code = (event.zip_code or "").strip()
    if not event.slug:
        event.slug = slug_unique(event.title)
    event.full_clean(exclude=["host", "created_by"])
    event.save()
    return event


def _shifts_write(event: Event, shifts: list[ShiftInput]) -> dict[str, int]:
    existing = {s.pk: s for s in event.shifts.all()} if event.pk else {}
    counts = {"shifts_added": 0, "shifts_changed": 0, "shifts_removed": 0}
    for item in shifts:
        shift = existing.get(item.shift_id) if item.shift_id else None
        if item.shift_id and shift is None:
            raise ValidationError("That shift is not one of this event's.")
        if item.delete:
            if shift is None:
                continue
            # Its repeated dates go with it (CASCADE): none may have people on it either.
            signed_up = Attendance.objects.filter(
                Q(shift=shift) | Q(shift__repeat_of=shift)
            ).exclude(status=AttendanceStatus.CANCELLED)
            if signed_up.exists():
                raise ValidationError(
                    f"The shift starting {shift_when(shift)} has people signed up"
                    f"{' (on it or its repeated dates)' if shift.repeats.exists() else ''}: "
                    "it cannot be removed."
                )
            shift.delete()
            counts["shifts_removed"] += 1
            continue
        if shift is None:
            shift = Shift(event=event)
            counts["shifts_added"] += 1
        else:
            counts["shifts_changed"] += 1
        shift.label, shift.capacity = item.label, item.capacity
        shift.starts_at, shift.ends_at = item.starts_at, item.ends_at
        shift.save()
    return counts


# ---------------------------------------------------------------- status


_MOVES = {
    # verb: (statuses it applies to, the status it leads to, the past tense for the log)
    "publish": ({EventStatus.DRAFT}, EventStatus.PUBLISHED, "published"),
    "cancel": ({EventStatus.DRAFT, EventStatus.PUBLISHED}, EventStatus.CANCELLED, "cancelled"),
    "approve": ({EventStatus.PROPOSED}, EventStatus.PUBLISHED, "approved"),
    "decline": ({EventStatus.PROPOSED}, EventStatus.DECLINED, "declined"),
}


def _event_move(event: Event, verb: str, *, actor, ip_address: str | None) -> Event:
    allowed, target, past = _MOVES[verb]
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        if locked.status not in allowed:
            raise ValidationError(
                f"A {locked.get_status_display().lower()} event cannot be {past}."
            )
        if target == EventStatus.PUBLISHED and not locked.shifts.exists():
            raise ValidationError("Add at least one shift before publishing the event.")
        previous = locked.status
        locked.status = target
        locked.save(update_fields=["status", "modified_at"])
        audit_record(
            actor=actor,
            action=AUDIT_STATUS,
            summary=f"{past} the event “{locked.title}”",
            target=locked,
            details={"from": previous, "to": target},
            ip_address=ip_address,
        )
    return locked


def event_publish(*, event: Event, actor, ip_address: str | None = None) -> Event:
    """Open a draft to sign-ups (it needs a shift)."""
    return _event_move(event, "publish", actor=actor, ip_address=ip_address)


def event_cancel(*, event: Event, actor, ip_address: str | None = None) -> Event:
    """Cancel an event; its registrations stay, for the record and for telling people."""
    return _event_move(event, "cancel", actor=actor, ip_address=ip_address)


def event_approve(*, event: Event, actor, ip_address: str | None = None) -> Event:
    """Publish an event a supporter proposed."""
    approved = _event_move(event, "approve", actor=actor, ip_address=ip_address)
    # Its host is mailed the link to their roster once this commits (host-your-own).
    from groundswell.events.host.services import host_approval_enqueue

    host_approval_enqueue(event_id=approved.pk)
    return approved


def event_decline(*, event: Event, actor, ip_address: str | None = None) -> Event:
    """Turn down an event a supporter proposed."""
    return _event_move(event, "decline", actor=actor, ip_address=ip_address)


# ---------------------------------------------------------------- the roster


def shift_minutes(shift: Shift) -> int:
    """A shift's length in whole minutes: the volunteer time credited for attending it."""
    return max(0, int((shift.ends_at - shift.starts_at).total_seconds() // 60))


def shift_when(shift: Shift) -> str:
    """ "Sat, Mar 7, 10:00 AM EST": a shift's start in its event's own zone."""
    return local_format(shift.starts_at, shift.event.tz)


def local_format(moment: datetime, tz) -> str:
    local = moment.astimezone(tz)
    hour = local.strftime("%I").lstrip("0")
    return f"{local:%a, %b} {local.day}, {hour}:{local:%M %p} {local.tzname()}"


def _attended(attendance: Attendance, now: datetime) -> None:
    attendance.attended = True
    attendance.checked_in_at = attendance.checked_in_at or now
    attendance.minutes_credited = shift_minutes(attendance.shift)
    # Someone on the waitlist (or who cancelled) who turns up is there: they count as registered.
    attendance.status = AttendanceStatus.REGISTERED
    attendance.cancelled_at = None


def attendance_check_in(
    *, attendance: Attendance, actor, now: datetime | None = None, ip_address: str | None = None
) -> Attendance:
    """Check someone in: attended, the time, and the shift's length credited as their hours."""
    return attendance_mark(
        attendance=attendance, mark="attended", actor=actor, now=now, ip_address=ip_address
    )


def attendance_mark(
    *,
    attendance: Attendance,
    mark: str,
    actor,
    now: datetime | None = None,
    ip_address: str | None = None,
) -> Attendance:
    """Mark attendance: "attended", "no_show", or "undo" (back to not yet taken)."""
    if mark not in MARKS:
        raise ValidationError(f"“{mark}” is not a mark (attended, no_show or undo).")
    now = now or timezone.now()
    with transaction.atomic():
        row = Attendance.objects.select_for_update().select_related("shift").get(pk=attendance.pk)
        if mark == "attended":
            _attended(row, now)
        elif mark == "no_show":
            row.attended, row.checked_in_at, row.minutes_credited = False, None, 0
        else:
            row.attended, row.checked_in_at, row.minutes_credited = None, None, None
        row.save()
        if mark != "undo":
            # On the person's timeline too (the check-in is what put them on a rung); keyed by
            # the moment, so marking again later adds a new entry and a retry adds none.
            verb = "Checked in at" if mark == "attended" else "Marked a no-show at"
            timeline_record(row, verb, row.checked_in_at or now, actor=actor)
        audit_record(
            actor=actor,
            action=AUDIT_CHECK_IN if mark == "attended" else AUDIT_MARK,
            summary=f"marked attendance #{row.pk} {mark.replace('_', '-')}",
            target=row,
            details={"mark": mark, "shift": row.shift_id, "person": row.person_id},
            ip_address=ip_address,
        )
    return row


def walk_in_add(
    *,
    shift: Shift,
    raw: dict,
    actor,
    now: datetime | None = None,
    ip_address: str | None = None,
    source: str = WALK_IN_SOURCE,
    method: str = ConsentMethod.STAFF,
) -> Attendance:
    """Add someone who turned up: upsert them through the shared intake and register them as
    attended, even past the shift's capacity (they are in the room). Someone already on the
    roster is simply checked in. The kiosk passes its own ``source`` and consent ``method``: there
    the person types their details themselves."""
    data, errors = person_input_clean(raw)
    if errors:
        raise ValidationError(
            {
                (e.field or "__all__"): (f"“{e.value}” {e.reason}" if e.field else e.reason)
                for e in errors
            }
        )
    data.source = source
    now = now or timezone.now()
    event = shift.event
    with transaction.atomic():
        result = people_upsert(
            [data],
            context=IntakeContext(
                method=method,
                source=f"{source}: {event.title}"[:200],
                actor=actor,
                ip_address=ip_address,
                activity_kind="event_attended",
                activity_summary=f"Walked in to “{event.title}”"[:300],
                always_record=True,
                occurred_at=now,
            ),
        )[0]
        attendance, created = Attendance.objects.select_for_update().get_or_create(
            shift=shift,
            person_id=result.person_id,
            defaults={"is_walk_in": True, "source": source},
        )
        attendance.shift = shift
        _attended(attendance, now)
        attendance.save()
        audit_record(
            actor=actor,
            action=AUDIT_WALK_IN,
            summary=f"added a walk-in to “{event.title}” ({shift_when(shift)})"[:500],
            target=attendance,
            details={"shift": shift.pk, "person": result.person_id, "new_person": result.created},
            ip_address=ip_address,
        )
    return attendance
