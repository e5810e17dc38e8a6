"""The demo's events: a few weeks of canvasses, phone and text banks, a house party, a rally, a
watch party and a training where the demo's Ohio supporters live, with sign-ups from them.

Some shifts are full with people waiting, one event is online (its join link goes to attendees
only), the house party keeps its street address for those who sign up, a canvass last week has
its attendance taken (who came, who did not, the minutes credited), and one event proposed by a
supporter waits for staff to approve it. Everyone is a demo person (synthetic); the places are
the ZIP codes most of the demo's Ohioans live in.

Rows are written directly (the people exist; the intake has already seen them), in a handful of
bulk inserts, so the seed adds well under a second to the demo.
"""

from __future__ import annotations

import random
import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import zipcodes
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from groundswell.events import recurrence
from groundswell.events.choices import AttendanceStatus, EventStatus, EventType, Repeat, Visibility
from groundswell.events.models import Attendance, Event, Shift
from groundswell.people.models import Person

ZONE = "America/New_York"
STATE = "OH"
# Where the events happen when the demo has no Ohioans yet (real ZIPs: Columbus, Cleveland,
# Cincinnati, Dayton).
FALLBACK_PLACES = [("Columbus", "43215"), ("Cleveland", "44113"), ("Cincinnati", "45202")]
FALLBACK_PLACES.append(("Dayton", "45402"))
SLUG_PREFIX = "demo-"


@dataclass
class Plan:
    slug: str
    title: str
    kind: str
    days: int  # from today, at ``hour`` local time
    hour: int
    hours: int
    shifts: int = 1
    capacity: int | None = None
    signups: int = 6  # per shift; past the capacity they wait
    place: int = 0  # index into the places
    virtual: bool = False
    private: bool = False
    status: str = EventStatus.PUBLISHED
    description: str = ""
    extra: dict = field(default_factory=dict)


PLANS = [
    Plan(
        "canvass-weekend", "Weekend doors", EventType.CANVASS, 4, 10, 3, shifts=2,
        capacity=8, signups=10,
        description="Knock on doors with neighbours. We train you on the spot; bring water.",
    ),
    Plan(
        "phone-bank", "Tuesday phone bank", EventType.PHONE_BANK, 6, 18, 2, capacity=20,
        place=1, description="Call voters from the office. Bring a charged phone and headphones.",
        extra={"repeat": Repeat.WEEKLY, "repeat_count": 3},
    ),
    Plan(
        "text-bank", "Text bank from home", EventType.TEXT_BANK, 8, 19, 2, virtual=True,
        signups=9, description="Text voters from home; the join link comes when you sign up.",
    ),
    Plan(
        "house-party", "House party: meet the campaign", EventType.HOUSE_PARTY, 11, 17, 2,
        capacity=10, signups=13, private=True, place=2,
        description="Snacks, stories and a short talk in a supporter's living room.",
    ),
    Plan(
        "rally", "Early vote rally", EventType.RALLY, 15, 12, 2, signups=25, place=0,
        description="Speeches, music and a march to the early-vote site.",
        extra={"accessibility": "Step-free access; ASL interpretation on stage."},
    ),
    Plan(
        "debate-watch", "Debate watch party", EventType.DEBATE_WATCH, 18, 20, 2, capacity=30,
        place=3, description="Watch the debate together on the big screen.",
    ),
    Plan(
        "training", "New volunteer training", EventType.TRAINING, 20, 18, 1, virtual=True,
        capacity=50, signups=8, description="An hour on canvassing, phoning and the app.",
    ),
    Plan(
        "canvass-last-week", "Neighbourhood canvass (last week)", EventType.CANVASS, -7, 10, 3,
        capacity=15, signups=10, description="Doors in the north end.",
    ),
    Plan(
        "proposed-meeting", "Neighbours' meeting at the library", EventType.MEETING, 12, 18, 2,
        status=EventStatus.PROPOSED, signups=0, place=1,
        description="A supporter offers to gather neighbours and talk about the race.",
    ),
]  # fmt: skip


def _real(zip_code: str) -> tuple[str, float, float] | None:
    """(city, latitude, longitude) of a real ZIP from the shipped ZIP table, else None."""
    try:
        rows = zipcodes.matching(zip_code)
    except (TypeError, ValueError):
        return None
    if not rows or not rows[0].get("lat"):
        return None
    return rows[0]["city"].title(), float(rows[0]["lat"]), float(rows[0]["long"])


def _places() -> list[tuple[str, str, float | None, float | None]]:
    """(city, ZIP, latitude, longitude) of the real ZIP codes most of the demo's Ohioans live
    in, most first (the synthetic people's towns are invented; their ZIPs mostly are not)."""
    rows = (
        Person.objects.filter(state=STATE)
        .exclude(postal_code="")
        .values("postal_code")
        .annotate(n=Count("pk"))
        .order_by("-n", "postal_code")[:40]
    )
    found = []
    for zip_code in dict.fromkeys(r["postal_code"][:5] for r in rows):
        real = _real(zip_code)
        if real is not None:
            found.append((real[0], zip_code, real[1], real[2]))
    fallback = [(city, z, *(_real(z) or (city, None, None))[1:]) for city, z in FALLBACK_PLACES]
    return (found + fallback)[:4]


def _start(now: datetime, plan: Plan) -> datetime:
    local = now.astimezone(zoneinfo.ZoneInfo(ZONE)) + timedelta(days=plan.days)
    return local.replace(hour=plan.hour, minute=0, second=0, microsecond=0)


def _event(plan: Plan, places, host_id) -> Event:
    city, zip_code, latitude, longitude = places[plan.place % len(places)]
    where = (
        {"is_virtual": True, "join_url": f"https://meet.example.org/{plan.slug}"}
        if plan.virtual
        else {
            "venue": "A supporter's home" if plan.private else f"{city} field office",
            "address_line1": f"{100 + 10 * plan.place} Main Street",
            "city": city,
            "state": STATE,
            "zip_code": zip_code,
            "address_private": plan.private,
            "latitude": latitude,
            "longitude": longitude,
        }
    )
    return Event(
        slug=f"{SLUG_PREFIX}{plan.slug}",
        title=plan.title if plan.virtual else f"{plan.title} — {city}",
        event_type=plan.kind,
        description=plan.description,
        status=plan.status,
        visibility=Visibility.PUBLIC,
        timezone=ZONE,
        host_id=host_id if plan.status == EventStatus.PROPOSED or plan.private else None,
        contact_email="events@campaign.example.org",
        **where,
        **plan.extra,
    )


def _attendances(plan: Plan, shifts: list[Shift], pool: list[int], rng, now) -> list[Attendance]:
    rows = []
    for shift in shifts:
        people = rng.sample(pool, min(plan.signups, len(pool)))
        for n, person_id in enumerate(people):
            waiting = shift.capacity is not None and n >= shift.capacity
            status = AttendanceStatus.WAITLISTED if waiting else AttendanceStatus.REGISTERED
            row = Attendance(
                shift=shift,
                person_id=person_id,
                status=status,
                waitlisted_at=shift.starts_at - timedelta(days=1) if waiting else None,
                source="demo",
                # Told already: the demo does not mail confirmations for sign-ups it invented.
                notice_status=AttendanceStatus.WAITLISTED
                if waiting
                else AttendanceStatus.REGISTERED,
                notice_sent_at=now,
            )
            if shift.ends_at < now and not waiting:
                came = n % 4 != 3  # about one in four did not turn up
                row.attended = came
                row.checked_in_at = shift.starts_at + timedelta(minutes=5) if came else None
                minutes = int((shift.ends_at - shift.starts_at).total_seconds() // 60)
                row.minutes_credited = minutes if came else 0
            rows.append(row)
    return rows


@transaction.atomic
def demo_events_seed(*, seed: int = 2026, now: datetime | None = None) -> int:
    """Seed the demo's events once (a second run changes nothing); returns how many it made."""
    if Event.objects.filter(slug__startswith=SLUG_PREFIX).exists():
        return 0
    now = now or timezone.now()
    rng = random.Random(seed)
    places = _places()
    pool = list(
        Person.objects.filter(state=STATE, postal_code__in=[p[1] for p in places])
        .order_by("pk")
        .values_list("pk", flat=True)[:400]
    )
    if len(pool) < 40:
        pool += list(
            Person.objects.exclude(pk__in=pool).order_by("pk").values_list("pk", flat=True)[:400]
        )
    host_id = pool[0] if pool else None
    events = Event.objects.bulk_create([_event(plan, places, host_id) for plan in PLANS])
    shifts = []
    for plan, event in zip(PLANS, events, strict=True):
        first = _start(now, plan)
        for index in range(plan.shifts):
            starts = first + timedelta(hours=plan.hours * index)
            shifts.append(
                Shift(
                    event=event,
                    label=f"Shift {index + 1}" if plan.shifts > 1 else "",
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=plan.hours),
                    capacity=plan.capacity,
                )
            )
    shifts = Shift.objects.bulk_create(shifts)
    for event in events:
        if event.repeat != Repeat.NONE:
            recurrence.repeats_write(event)  # the later dates; sign-ups go on the first
    rows = []
    for plan, event in zip(PLANS, events, strict=True):
        mine = [s for s in shifts if s.event_id == event.pk]
        if pool and plan.signups:
            rows += _attendances(plan, mine, pool, rng, now)
    Attendance.objects.bulk_create(rows)
    return len(events)
