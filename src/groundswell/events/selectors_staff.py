"""Reads for the staff's events pages: the events list, an event's shifts with their counts,
a shift's roster, and a person's events for the person page.

Every reader takes the viewing user; the pages check ``EVENTS_VIEW`` before calling them, and
nothing here reads finance data (a roster shows names, e-mail and phone, never a person's
source or refcode, which may name a gift).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Case, Count, Max, Min, Q, QuerySet, Sum, When, Window
from django.utils import timezone

from groundswell.core.sms import sms_provider
from groundswell.events.models import (
    Attendance,
    AttendanceStatus,
    Event,
    EventStatus,
    ReminderSent,
    RsvpReceived,
    Shift,
)
from groundswell.events.staff import local_format

ROSTER_LIMIT = 500


def event_list(
    *,
    user,
    q: str = "",
    status: str = "",
    event_type: str = "",
    when: str = "",
    now: datetime | None = None,
) -> QuerySet[Event]:
    """Events for the staff list, with their first start and last end; upcoming ones soonest
    first, others newest first."""
    now = now or timezone.now()
    events = Event.objects.annotate(
        first_start=Min("shifts__starts_at"),
        last_end=Max("shifts__ends_at"),
        shift_count=Count("shifts"),
    )
    if q:
        events = events.filter(title__icontains=q)
    if status:
        events = events.filter(status=status)
    if event_type:
        events = events.filter(event_type=event_type)
    if when == "upcoming":
        return events.filter(last_end__gte=now).order_by("first_start", "pk")
    if when == "past":
        events = events.filter(last_end__lt=now)
    return events.order_by("-created_at", "-pk")


def proposed_count(*, user) -> int:
    """How many events supporters proposed that wait for staff to approve or decline."""
    return Event.objects.filter(status=EventStatus.PROPOSED).count()


def event_when(event: Event) -> str:
    """When an event starts, in its own zone; empty for an event without shifts."""
    first = getattr(event, "first_start", None)
    return local_format(first, event.tz) if first else ""


def shift_range(shift: Shift, tz) -> str:
    """ "Sat, Mar 7, 10:00 AM – 1:00 PM EST" (the end with its date when it is another day)."""
    start = shift.starts_at.astimezone(tz)
    end = shift.ends_at.astimezone(tz)
    if start.date() == end.date():
        hour = end.strftime("%I").lstrip("0")
        head = local_format(shift.starts_at, tz).rsplit(" ", 1)[0]
        return f"{head} – {hour}:{end:%M %p} {end.tzname()}"
    return f"{local_format(shift.starts_at, tz)} – {local_format(shift.ends_at, tz)}"


def event_shifts(*, user, event: Event) -> list[Shift]:
    """The event's shifts with registered, waitlisted and attended counts and a time range."""
    shifts = list(
        event.shifts.annotate(
            registered=Count("attendances", filter=Q(attendances__status="registered")),
            waitlisted=Count("attendances", filter=Q(attendances__status="waitlisted")),
            attended_count=Count("attendances", filter=Q(attendances__attended=True)),
            no_shows=Count("attendances", filter=Q(attendances__attended=False)),
        )
    )
    tz = event.tz
    pending = received_pending(event=event)
    for shift in shifts:
        shift.pending = pending.get(shift.pk, 0)
        shift.when = shift_range(shift, tz)
        shift.is_full = shift.capacity is not None and shift.registered >= shift.capacity
    return shifts


def received_pending(*, event: Event, shift: Shift | None = None) -> dict[int, int]:
    """Places asked for and not yet placed: shift id → RSVPs received for it that the task
    worker has still to place (they become registered or waitlisted within seconds)."""
    rows = RsvpReceived.objects.filter(event=event, status=RsvpReceived.Status.RECEIVED)
    counts: dict[int, int] = {}
    # A handful at most outside a surge; counted here, as SQLite cannot look inside the list.
    for ids in rows.values_list("shift_ids", flat=True):
        for pk in ids:
            if shift is None or pk == shift.pk:
                counts[pk] = counts.get(pk, 0) + 1
    return counts


@dataclass
class EventTotals:
    registered: int = 0
    waitlisted: int = 0
    pending: int = 0
    attended: int = 0
    no_shows: int = 0
    minutes: int = 0

    @property
    def no_show_rate(self) -> str:
        """No-shows among those whose attendance was taken, as a percentage ("" before any)."""
        taken = self.attended + self.no_shows
        return f"{round(100 * self.no_shows / taken)}%" if taken else ""

    @property
    def hours(self) -> str:
        hours, minutes = divmod(self.minutes, 60)
        return f"{hours}:{minutes:02d}"


def event_totals(*, user, event: Event, shifts: list[Shift]) -> EventTotals:
    """The event's counts over its shifts (from ``event_shifts``) and the hours credited."""
    minutes = Attendance.objects.filter(shift__event=event, attended=True).aggregate(
        n=Sum("minutes_credited")
    )["n"]
    return EventTotals(
        registered=sum(s.registered for s in shifts),
        waitlisted=sum(s.waitlisted for s in shifts),
        pending=sum(s.pending for s in shifts),
        attended=sum(s.attended_count for s in shifts),
        no_shows=sum(s.no_shows for s in shifts),
        minutes=minutes or 0,
    )


@dataclass
class ReminderCounts:
    """What the reminder ledger says of one shift, over all its offsets."""

    email: int = 0
    sms: int = 0
    failed: int = 0  # refused for good, or for now and waiting for a later run
    unconfirmed: int = 0  # claimed when a worker died: may or may not have gone

    @property
    def any(self) -> bool:
        return bool(self.email or self.sms or self.failed or self.unconfirmed)


def shift_reminder_counts(*, user, event: Event) -> dict[int, ReminderCounts]:
    """Per shift of ``event``: reminders sent by e-mail and by text, failures, unconfirmed."""
    State, Channel = ReminderSent.State, ReminderSent.Channel
    rows = (
        ReminderSent.objects.filter(attendance__shift__event=event)
        .values_list("attendance__shift_id", "channel", "state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[int, ReminderCounts] = {}
    for shift_id, channel, state, n in rows:
        found = counts.setdefault(shift_id, ReminderCounts())
        if state == State.SENT:
            if channel == Channel.SMS:
                found.sms += n
            else:
                found.email += n
        elif state in (State.FAILED, State.RETRY):
            found.failed += n
        elif state == State.SENDING:
            found.unconfirmed += n
    return counts


def reminder_offsets(event: Event) -> str:
    """The event's reminder offsets in words ("24 h and 2 h"), "" when it sends none."""
    minutes = sorted(
        (m for m in event.reminder_minutes or [] if type(m) is int and m > 0), reverse=True
    )
    words = [f"{m // 60} h" if m % 60 == 0 else f"{m} min" for m in minutes]
    return " and ".join([", ".join(words[:-1]), words[-1]]) if len(words) > 1 else "".join(words)


def reminder_channels() -> str:
    """How reminders go out on this installation, in words for the event page."""
    if sms_provider() is None:
        return "by e-mail only (no SMS provider is configured)"
    return "by e-mail, and by text to attendees who gave a mobile number with SMS consent"


def shift_roster(*, user, shift: Shift, q: str = "") -> list[Attendance]:
    """Who is on a shift (registered, waitlisted, walk-ins; not those who cancelled), by name,
    optionally narrowed to names containing each word of ``q``."""
    rows = (
        Attendance.objects.filter(shift=shift)
        .exclude(status=AttendanceStatus.CANCELLED)
        .select_related("person")
    )
    for word in q.split()[:5]:
        rows = rows.filter(
            Q(person__given_name__icontains=word) | Q(person__family_name__icontains=word)
        )
    return list(rows.order_by("person__family_name", "person__given_name", "pk")[:ROSTER_LIMIT])


@dataclass
class PersonEvents:
    rows: list[Attendance] = field(default_factory=list)
    count: int = 0
    attended: int = 0
    no_shows: int = 0
    minutes: int = 0

    @property
    def hours(self) -> str:
        hours, minutes = divmod(self.minutes, 60)
        return f"{hours}:{minutes:02d}"


def person_events(*, user, person, limit: int = 20) -> PersonEvents:
    """A person's shifts (newest first) with status and attendance, and their credited time.

    One query: the totals over all their shifts ride on the newest rows as window aggregates,
    so the person page pays one query for this card however many shifts they worked.
    """
    attended = Q(attended=True)
    rows = list(
        Attendance.objects.filter(person=person)
        .select_related("shift__event")
        .annotate(
            n_all=Window(Count("pk")),
            n_attended=Window(Sum(Case(When(attended, then=1), default=0))),
            n_no_shows=Window(Sum(Case(When(attended=False, then=1), default=0))),
            n_minutes=Window(Sum(Case(When(attended, then="minutes_credited"), default=0))),
        )
        .order_by("-shift__starts_at", "-pk")[:limit]
    )
    if not rows:
        return PersonEvents()
    for row in rows:
        row.when = shift_range(row.shift, row.shift.event.tz)
    first = rows[0]
    return PersonEvents(
        rows=rows,
        count=first.n_all,
        attended=first.n_attended or 0,
        no_shows=first.n_no_shows or 0,
        minutes=first.n_minutes or 0,
    )
