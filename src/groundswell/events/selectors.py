"""What the public sees of events: the searchable list, one event, places left per shift.

Public reads take ``user=`` like every selector; an anonymous visitor and a staff member see the
same public site here (staff previews belong to the staff pages).
"""

from __future__ import annotations

import copy
import math
import time as clock
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Count, F, FloatField, Min, Q, QuerySet
from django.db.models.functions import ACos, Cast, Cos, Least, Radians, Sin
from django.utils import timezone

from groundswell.events.choices import AttendanceStatus, EventStatus, EventType, Visibility
from groundswell.events.models import Attendance, Event, Shift
from groundswell.events.services import shift_refusal, when_text
from groundswell.segments.conditions_location import zip_centroid, zips_within

EARTH_MILES = 3958.8
MILES_PER_DEGREE = 69.0
MAX_MILES = 250
MILES_CHOICES = (5, 10, 25, 50, 100)
# How many of an event's next shifts a row of the list shows.
SHIFTS_PER_ROW = 3
# The years a date search may name.
YEARS = (2000, 2200)
# How long a process keeps what ``shifts_bookable`` read, and for how many choices of shifts.
BOOKABLE_SECONDS = 1.0
BOOKABLE_KEPT = 256


@dataclass
class Search:
    """A cleaned search of the public list; ``errors`` say what was ignored and why."""

    zip_code: str = ""
    miles: int = 25
    event_type: str = ""
    date_from: date | None = None
    date_to: date | None = None
    errors: list[str] = field(default_factory=list)


@dataclass
class ShiftView:
    """One shift as the public sees it: when, in the event's zone, and the places left."""

    shift: Shift
    when: str
    ends: str
    registered: int
    waitlisted: int
    places_left: int | None  # None: no limit
    bookable: bool

    @property
    def full(self) -> bool:
        return self.places_left is not None and self.places_left <= 0

    @property
    def pk(self) -> int:
        return self.shift.pk


def _visible(*, link: bool) -> Q:
    allowed = [Visibility.PUBLIC, Visibility.UNLISTED] if link else [Visibility.PUBLIC]
    return Q(status=EventStatus.PUBLISHED, visibility__in=allowed)


def _near(events: QuerySet, zip_code: str, miles: int) -> QuerySet:
    """Events within ``miles`` of a ZIP's centroid, by their coordinates or, for an event not
    geocoded, its own ZIP's centroid; virtual events happen anywhere, so they stay."""
    lat, lng = zip_centroid(zip_code)
    dlat = miles / MILES_PER_DEGREE
    dlng = miles / (MILES_PER_DEGREE * max(0.1, math.cos(math.radians(lat))))
    lat2 = Radians(Cast(F("latitude"), FloatField()))
    cosine = Sin(math.radians(lat)) * Sin(lat2) + Cos(math.radians(lat)) * Cos(lat2) * Cos(
        Radians(Cast(F("longitude"), FloatField())) - math.radians(lng)
    )
    # A box first (cheap comparisons), then the great-circle distance inside it.
    boxed = Event.objects.filter(
        latitude__gte=lat - dlat,
        latitude__lte=lat + dlat,
        longitude__gte=lng - dlng,
        longitude__lte=lng + dlng,
    )
    near_ids = boxed.annotate(miles=ACos(Least(cosine, 1.0)) * EARTH_MILES).filter(miles__lte=miles)
    by_zip = Q(latitude__isnull=True, zip_code__in=zips_within(zip_code, miles))
    return events.filter(Q(pk__in=near_ids.values("pk")) | by_zip | Q(is_virtual=True))


def search_clean(params) -> Search:
    """Read the list's query string (already bounded by ``actions.site.params_clean``)."""
    search = Search()
    zip_code = params.get("zip", "").strip()[:10]
    if zip_code:
        if len(zip_code) == 5 and zip_code.isascii() and zip_code.isdigit():
            if zip_centroid(zip_code) is not None:
                search.zip_code = zip_code
            else:
                search.errors.append(f"We do not know where ZIP code {zip_code} is.")
        else:
            search.errors.append("A ZIP code is five digits.")
    miles = params.get("miles", "").strip()
    if miles.isascii() and miles.isdigit() and 1 <= int(miles[:4]) <= MAX_MILES:
        search.miles = int(miles)
    event_type = params.get("type", "")
    if event_type in EventType.values:
        search.event_type = event_type
    for name in ("from", "to"):
        text = params.get(name, "").strip()[:10]
        if not text:
            continue
        try:
            day = date.fromisoformat(text)
        except ValueError:
            search.errors.append(f"“{text}” is not a date (use the date picker).")
            continue
        # The search widens a day by a few hours each side: year 1 or 9999 would overflow.
        if not YEARS[0] <= day.year <= YEARS[1]:
            search.errors.append(f"{text} is too far from today to search.")
            continue
        setattr(search, f"date_{name}", day)
    return search


def events_public(*, user, search: Search, now: datetime | None = None) -> QuerySet:
    """Published public events with a shift still ahead that matches the search, soonest first.

    Each carries ``next_start``: its first matching shift's start. Dates are read in UTC
    (a day's edges differ by a few hours between zones; the list is a finder, not a ledger).
    """
    now = now or timezone.now()
    shifts = Q(shifts__starts_at__gt=now)
    if search.date_from:
        start = datetime.combine(search.date_from, time.min, tzinfo=UTC)
        shifts &= Q(shifts__starts_at__gte=start - timedelta(hours=14))
    if search.date_to:
        end = datetime.combine(search.date_to, time.max, tzinfo=UTC)
        shifts &= Q(shifts__starts_at__lte=end + timedelta(hours=12))
    events = Event.objects.filter(_visible(link=False))
    if search.event_type:
        events = events.filter(event_type=search.event_type)
    if search.zip_code:
        events = _near(events, search.zip_code, search.miles)
    return (
        events.annotate(next_start=Min("shifts__starts_at", filter=shifts))
        .filter(next_start__isnull=False)
        .order_by("next_start", "pk")
    )


def event_public_get(*, user, slug: str) -> Event | None:
    """A published public or unlisted event by its link; None for anything else."""
    return Event.objects.filter(_visible(link=True), slug=slug).first()


def shift_counts(*, shift_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(registered, waitlisted) per shift, in one query."""
    rows = (
        Attendance.objects.filter(shift_id__in=shift_ids)
        .values("shift_id")
        .annotate(
            registered=Count("pk", filter=Q(status=AttendanceStatus.REGISTERED)),
            waitlisted=Count("pk", filter=Q(status=AttendanceStatus.WAITLISTED)),
        )
    )
    return {r["shift_id"]: (r["registered"], r["waitlisted"]) for r in rows}


def shift_views(
    *, event: Event, shifts: list[Shift], now: datetime | None = None
) -> list[ShiftView]:
    """The shifts with their times in the event's zone and the places left."""
    counts = shift_counts(shift_ids=[s.pk for s in shifts])
    views = []
    for shift in shifts:
        shift.event = event
        registered, waitlisted = counts.get(shift.pk, (0, 0))
        left = None if shift.capacity is None else max(0, shift.capacity - registered)
        views.append(
            ShiftView(
                shift=shift,
                when=when_text(shift.starts_at, event),
                ends=when_text(shift.ends_at, event).rsplit(", ", 1)[-1],
                registered=registered,
                waitlisted=waitlisted,
                places_left=left,
                bookable=shift_refusal(shift, now=now) is None,
            )
        )
    return views


def upcoming_shifts(*, event: Event, now: datetime | None = None) -> list[ShiftView]:
    """The event's shifts that have not started, soonest first."""
    now = now or timezone.now()
    return shift_views(event=event, shifts=list(event.shifts.filter(starts_at__gt=now)), now=now)


def shifts_bookable(*, user, slug: str, ids: list[str], now: datetime | None = None) -> list[Shift]:
    """Those of the shifts ``ids`` (as posted) that belong to the published event at this
    link and are bookable now, each with that event (one object, shared).

    What an RSVP needs to validate its choice: the event with the chosen shifts only, without
    the places-left counts the form shows (a full shift still takes a place on its waitlist).
    The read is kept by the process for ``BOOKABLE_SECONDS`` (see ``_bookable_read``); whether
    each shift can still be booked is decided afresh on every call.
    """
    wanted = sorted({int(pk) for pk in ids if pk.isascii() and pk.isdigit() and len(pk) < 19})
    if not wanted:
        return []
    now = now or timezone.now()
    shifts = _bookable_read(slug, tuple(wanted))
    return [s for s in shifts if shift_refusal(s, now=now) is None]


# (slug, shift ids) → (until when, on time.monotonic; the shifts read, with their event).
_bookable: dict[tuple[str, tuple[int, ...]], tuple[float, list[Shift]]] = {}


def _bookable_read(slug: str, wanted: tuple[int, ...]) -> list[Shift]:
    """The shifts ``wanted`` of the visible event at ``slug``, not yet started when read, as
    copies the caller may change.

    In a surge every request for a shift asks the same thing, and this read (its ORM compile
    most of all) was the largest part of an RSVP's CPU: a process reads it once a second.
    Kept for a second is safe because this check only spares the visitor a form that cannot
    succeed: the task worker checks each RSVP again, under the shifts' locks, before placing
    it (``received._refusal``), so an RSVP taken in the second after another process closed
    the event is refused there, not placed. A save in this process forgets everything kept.
    """
    key = (slug, wanted)
    at = clock.monotonic()
    kept = _bookable.get(key)
    if kept is None or kept[0] <= at:
        event_visible = {f"event__{k}": v for k, v in _visible(link=True).children}
        # No ORDER BY: the ids are put in lock order by ``rsvp_receive``, and compiling the
        # model's default ordering was a tenth of this read's CPU.
        shifts = list(
            Shift.objects.select_related("event")
            .filter(pk__in=wanted, starts_at__gt=timezone.now(), event__slug=slug, **event_visible)
            .order_by()
        )
        if len(_bookable) >= BOOKABLE_KEPT:
            _bookable.clear()
        kept = _bookable[key] = (at + BOOKABLE_SECONDS, shifts)
    if not kept[1]:
        return []
    event = copy.copy(kept[1][0].event)
    copies = []
    for shift in kept[1]:
        shift = copy.copy(shift)
        shift.event = event
        copies.append(shift)
    return copies


def bookable_forget(**_) -> None:
    """Forget every kept read of bookable shifts (an event or a shift was saved or deleted)."""
    _bookable.clear()


def rows_with_shifts(*, events: list[Event], now: datetime | None = None) -> None:
    """Attach each listed event's next few shifts (``event.next_shifts``), in two queries."""
    now = now or timezone.now()
    shifts = Shift.objects.filter(event__in=events, starts_at__gt=now).order_by("starts_at", "pk")
    by_event: dict[int, list[Shift]] = {}
    for shift in shifts:
        by_event.setdefault(shift.event_id, []).append(shift)
    for event in events:
        mine = by_event.get(event.pk, [])
        event.shift_total = len(mine)
        event.next_shifts = shift_views(event=event, shifts=mine[:SHIFTS_PER_ROW], now=now)


def attendance_by_token(*, token: str) -> Attendance | None:
    """The attendance a cancel/change link names, with its shift and event."""
    # Any bytes may arrive in a link; a token is URL-safe base64 (NUL would break PostgreSQL).
    if not token or len(token) > 64 or not token.isascii() or not token.isprintable():
        return None
    return Attendance.objects.select_related("shift__event", "person").filter(token=token).first()


def shift_open(*, shift: Shift, now: datetime | None = None) -> bool:
    """Whether a registration on this shift may still be cancelled or changed by its link."""
    return shift.event.status == EventStatus.PUBLISHED and shift.starts_at > (now or timezone.now())
