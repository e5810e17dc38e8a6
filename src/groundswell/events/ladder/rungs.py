"""The ladder of engagement: how far each person has come, from what they did.

One definition, ``people_with_rung``: an annotation computed in SQL from indexed EXISTS probes
(a subscribed e-mail, a petition signature, a counted gift, an attended shift, volunteer work,
a published event hosted). The person card, the counts per rung, the month-by-month movement
and the next-step lists all read it, so a figure on one page is the figure on another.

Cost: the counts per rung are one query; each EXISTS is a lookup on an indexed foreign key
(person) and the CASE stops at the highest rung that holds, so at a million people it is one
scan of people with a handful of index probes each. The months are one query too (a rung per
month side by side).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.core.cache import cache
from django.db import transaction
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerChoices,
    IntegerField,
    OuterRef,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Left
from django.utils import timezone

from groundswell.accounts.roles import FINANCE_VIEW
from groundswell.actions.models import ActionPage, Submission
from groundswell.core.pagination import count_capped
from groundswell.donations.selectors import contributions_counted
from groundswell.events.choices import EventStatus, EventType
from groundswell.events.models import Attendance, Event, LadderSnapshot
from groundswell.events.selectors import _visible
from groundswell.people.choices import EmailStatus
from groundswell.people.models import EmailAddress, Person
from groundswell.segments.conditions_location import zips_within

# The event types whose attended shift makes a volunteer, whatever its length.
VOLUNTEER_TYPES = (EventType.CANVASS, EventType.PHONE_BANK, EventType.TEXT_BANK)
# ...or this many hours credited on any shifts.
VOLUNTEER_HOURS = 4
NEAR_MILES = 25
MONTHS = 6


class Rung(IntegerChoices):
    NONE = 0, "Not on the ladder yet"
    SUBSCRIBER = 1, "Subscriber"
    SIGNER = 2, "Petition signer"
    DONOR = 3, "Donor"
    ATTENDEE = 4, "Event attendee"
    VOLUNTEER = 5, "Volunteer"
    HOST = 6, "Host or leader"


def sees_gifts(user) -> bool:
    """Whether ``user`` may learn who gave. The donor rung is finance data (it says a person
    gave, and its absence says they did not), so for everyone else the ladder has no donor
    rung: a donor stands on the rung they would hold without the gift. ``None`` is the system
    itself (tasks, benchmarks), which sees the whole ladder."""
    return user is None or user.can(FINANCE_VIEW)


def rungs_for(user) -> list[Rung]:
    """The rungs ``user`` sees, lowest first (Rung.NONE included)."""
    return [r for r in Rung if r != Rung.DONOR or sees_gifts(user)]


def rung_steps(as_of: datetime | None = None, *, with_gifts: bool = True) -> dict[Rung, Exists]:
    """What puts a person on each rung, as EXISTS over OuterRef("pk"), by ``as_of`` if given;
    without the donor step when ``with_gifts`` is false.

    A subscription has no history of its own here: as of a past date it counts an address
    added by then and subscribed now (an unsubscribe is not dated back).
    """
    me = OuterRef("pk")
    emails = EmailAddress.objects.filter(person=me, status=EmailStatus.SUBSCRIBED)
    signed = Submission.objects.filter(person=me, page__kind=ActionPage.Kind.PETITION)
    gave = contributions_counted().filter(person=me)
    attended = Attendance.objects.filter(person=me, attended=True)
    hosted = Event.objects.filter(host=me, status=EventStatus.PUBLISHED)
    if as_of is not None:
        emails = emails.filter(created_at__lte=as_of)
        signed = signed.filter(received_at__lte=as_of)
        gave = gave.filter(received_at__lte=as_of)
        attended = attended.filter(shift__starts_at__lte=as_of)
        hosted = hosted.filter(created_at__lte=as_of)
    hours = (
        attended.values("person")
        .annotate(minutes=Sum(Coalesce("minutes_credited", 0)))
        .filter(minutes__gte=VOLUNTEER_HOURS * 60)
    )
    steps = {
        Rung.HOST: Exists(hosted),
        # The hours are summed per person; asking "attended at all" first (a hashed set in
        # PostgreSQL) spares that probe for everyone who never came to anything.
        Rung.VOLUNTEER: Exists(attended.filter(shift__event__event_type__in=VOLUNTEER_TYPES))
        | (Exists(attended) & Exists(hours)),
        Rung.ATTENDEE: Exists(attended),
        Rung.DONOR: Exists(gave),
        Rung.SIGNER: Exists(signed),
        Rung.SUBSCRIBER: Exists(emails),
    }
    if not with_gifts:
        del steps[Rung.DONOR]
    return steps


def rung_expression(as_of: datetime | None = None, *, with_gifts: bool = True) -> Case:
    """The highest rung that holds, as one SQL CASE (highest first, so it stops early)."""
    steps = rung_steps(as_of, with_gifts=with_gifts)
    whens = [When(step, then=Value(int(rung))) for rung, step in steps.items()]
    return Case(*whens, default=Value(int(Rung.NONE)), output_field=IntegerField())


def people_with_rung(
    people: QuerySet[Person], *, as_of: datetime | None = None, with_gifts: bool = True
) -> QuerySet:
    """``people`` annotated with ``rung`` (a Rung value): THE definition of the ladder.
    Pages pass ``with_gifts=sees_gifts(user)`` so that a viewer without finance rights gets
    the same ladder with the donor rung folded away."""
    return people.annotate(rung=rung_expression(as_of, with_gifts=with_gifts))


def _people() -> QuerySet[Person]:
    return Person.objects.active().filter(erased_at__isnull=True)


def person_steps(*, user, person: Person) -> set[Rung]:
    """The rungs whose step this person has taken themselves (one query): the card ticks
    these, not every rung below the highest (an attendee need not have signed a petition)."""
    steps = rung_steps(with_gifts=sees_gifts(user))
    names = {f"s{int(rung)}": step for rung, step in steps.items()}
    row = Person.objects.filter(pk=person.pk).annotate(**names).values(*names).first() or {}
    return {Rung(int(name[1:])) for name, took in row.items() if took}


@dataclass
class RungCount:
    rung: Rung
    count: int


def _counts(*, with_gifts: bool) -> list[int]:
    """People per rung now, by Rung value: one query."""
    rows = dict(
        people_with_rung(_people(), with_gifts=with_gifts)
        .order_by()
        .values("rung")
        .annotate(n=Count("pk"))
        .values_list("rung", "n")
    )
    return [rows.get(int(rung), 0) for rung in Rung]


def rung_counts(*, user) -> list[RungCount]:
    """How many people stand on each rung the viewer sees, now: one query."""
    counts = _counts(with_gifts=sees_gifts(user))
    return [RungCount(rung=rung, count=counts[rung]) for rung in rungs_for(user)]


@dataclass
class MonthRow:
    month: str  # "2031-03"
    counts: list[int]  # by rung the viewer sees (rungs_for), in order
    moved_up: int  # people on a higher rung at the month's end than at its start


def _month_start(now: datetime, offset: int) -> datetime:
    """The first instant (UTC) of the month ``offset`` months from ``now``'s."""
    index = now.year * 12 + now.month - 1 + offset
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)


def _movement(*, with_gifts: bool, months: int, now: datetime) -> list[dict]:
    """Per month, oldest first: {"month", "counts" (by Rung value), "moved_up"}.

    One query: one scan of people with the rung at every month's edge side by side, grouped
    by the whole sequence (rungs only climb, so there are few distinct sequences) and folded
    here. Filtered aggregates over the same annotations made PostgreSQL wrap them in a
    subquery and give up its hashed subplans: minutes at a million people instead of seconds.
    """
    # The rung at a month's end counts everything before the next month's first instant.
    tick = timedelta(microseconds=1)
    starts = [_month_start(now, k) for k in range(1 - months, 2)]
    names = [f"r{k}" for k in range(len(starts))]
    # Someone added later had no rung yet at an earlier edge: -1, counted nowhere.
    edges = {
        name: Case(
            When(created_at__gte=start, then=Value(-1)),
            default=rung_expression(start - tick, with_gifts=with_gifts),
            output_field=IntegerField(),
        )
        for name, start in zip(names, starts, strict=True)
    }
    grouped = _people().annotate(**edges).order_by().values(*names).annotate(n=Count("pk"))
    counts = [[0] * len(Rung) for _ in range(months)]
    moved = [0] * months
    for row in grouped:
        for k in range(1, len(starts)):
            if row[names[k]] < 0:
                continue
            counts[k - 1][row[names[k]]] += row["n"]
            # Arriving during the month on a rung above none is moving up too.
            if row[names[k]] > max(row[names[k - 1]], 0):
                moved[k - 1] += row["n"]
    return [
        {"month": starts[k].strftime("%Y-%m"), "counts": counts[k], "moved_up": moved[k]}
        for k in range(months)
    ]


def _months_for(user, rows: list[dict]) -> list[MonthRow]:
    shown = [int(r) for r in rungs_for(user)]
    return [
        MonthRow(
            month=row["month"], counts=[row["counts"][r] for r in shown], moved_up=row["moved_up"]
        )
        for row in rows
    ]


def rung_movement(*, user, months: int = MONTHS, now: datetime | None = None) -> list[MonthRow]:
    """The rung each person had at the end of each of the last ``months`` months (counts per
    rung the viewer sees) and how many moved up during each; oldest first. One query."""
    now = now or timezone.now()
    return _months_for(user, _movement(with_gifts=sees_gifts(user), months=months, now=now))


# ---------------------------------------------------------------- the page's figures

# Up to this many people the page counts on each view (well under a second); above it, it
# reads the latest snapshot, which the periodic job takes every hour on the task worker.
LIVE_LIMIT = 200_000
SNAPSHOT_EVERY = timedelta(hours=1)


@dataclass
class LadderFigures:
    counts: list[RungCount]
    months: list[MonthRow]
    as_of: datetime | None  # None: the first snapshot is being taken
    live: bool


def _large() -> bool:
    return count_capped(_people(), LIVE_LIMIT).capped


def ladder_figures(*, user, now: datetime | None = None) -> LadderFigures:
    """What the ladder page shows: counted now for a small database, else the latest snapshot
    (a missing or overdue one is asked of the task worker, once per interval)."""
    now = now or timezone.now()
    if not _large():
        return LadderFigures(
            counts=rung_counts(user=user),
            months=rung_movement(user=user, now=now),
            as_of=now,
            live=True,
        )
    latest = _snapshot_latest(with_gifts=sees_gifts(user))
    if latest is None or latest.taken_at < now - 2 * SNAPSHOT_EVERY:
        if cache.add("events:ladder-snapshot-asked", True, timeout=600):
            from groundswell.events.ladder.tasks import ladder_snapshot_run

            ladder_snapshot_run.enqueue()
        latest = _snapshot_latest(with_gifts=sees_gifts(user))  # an immediate backend ran it
    if latest is None:
        return LadderFigures(counts=[], months=[], as_of=None, live=False)
    return LadderFigures(
        counts=[RungCount(rung=r, count=latest.counts[r]) for r in rungs_for(user)],
        months=_months_for(user, latest.months),
        as_of=latest.taken_at,
        live=False,
    )


def _snapshot_latest(*, with_gifts: bool) -> LadderSnapshot | None:
    return LadderSnapshot.objects.filter(with_gifts=with_gifts).order_by("-taken_at").first()


def ladder_snapshot_take(*, now: datetime | None = None) -> list[LadderSnapshot]:
    """Take the page's figures in both variants and keep only these (safe to run twice: the
    later taking simply replaces the earlier)."""
    now = now or timezone.now()
    taken = []
    for with_gifts in (True, False):
        started = time.monotonic()
        counts = _counts(with_gifts=with_gifts)
        months = _movement(with_gifts=with_gifts, months=MONTHS, now=now)
        taken.append(
            LadderSnapshot(
                with_gifts=with_gifts,
                taken_at=now,
                seconds=round(time.monotonic() - started, 3),
                counts=counts,
                months=months,
            )
        )
    with transaction.atomic():
        LadderSnapshot.objects.bulk_create(taken)
        LadderSnapshot.objects.filter(taken_at__lt=now).delete()
    return taken


def ladder_snapshot_due(*, now: datetime | None = None) -> str:
    """The periodic job: a snapshot when the database is large and the latest is an interval
    old (a small database is counted on each view and needs none)."""
    now = now or timezone.now()
    if not _large():
        return "counted live"
    latest = _snapshot_latest(with_gifts=True)
    if latest is not None and latest.taken_at > now - SNAPSHOT_EVERY + timedelta(minutes=5):
        return "fresh"
    took = ladder_snapshot_take(now=now)
    return f"taken in {sum(s.seconds for s in took):.1f} s"


# ---------------------------------------------------------------- next steps

NEXT_STEPS = {
    "donors-to-events": "Donors who never attended an event, with one coming up near them",
    "signers-to-donors": "Petition signers who never gave",
    "attendees-to-volunteers": "Event attendees who never volunteered",
}
# Lists that say who gave or who did not: finance data.
NEXT_STEPS_GIFTS = frozenset({"donors-to-events", "signers-to-donors"})


def next_steps_for(user) -> dict[str, str]:
    """The next-step lists ``user`` may open (kind -> title)."""
    gifts = sees_gifts(user)
    return {k: t for k, t in NEXT_STEPS.items() if gifts or k not in NEXT_STEPS_GIFTS}


def _upcoming_zips(now: datetime) -> set[str]:
    """ZIPs within NEAR_MILES of an upcoming published public event (by the ZIP centroids, as
    the public list does); the events are few, so this is a handful of look-ups."""
    zips = (
        Event.objects.filter(_visible(link=False), is_virtual=False, shifts__starts_at__gt=now)
        .exclude(zip_code="")
        .values_list("zip_code", flat=True)
        .distinct()
    )
    near: set[str] = set()
    for code in zips:
        near.update(zips_within(code, NEAR_MILES))
    return near


def next_step_people(*, user, kind: str, now: datetime | None = None) -> QuerySet[Person]:
    """The people a next-step list names, by the ladder's own steps; KeyError for no such list
    or one ``user`` may not open (a list about gifts without finance rights)."""
    if kind not in next_steps_for(user):
        raise KeyError(kind)
    steps = rung_steps()
    people = _people()
    if kind == "donors-to-events":
        zips = _upcoming_zips(now or timezone.now())
        people = (
            people.annotate(zip5=Left("postal_code", 5))
            .filter(steps[Rung.DONOR], zip5__in=zips)
            .exclude(steps[Rung.ATTENDEE])
        )
    elif kind == "signers-to-donors":
        people = people.filter(steps[Rung.SIGNER]).exclude(steps[Rung.DONOR])
    elif kind == "attendees-to-volunteers":
        people = people.filter(steps[Rung.ATTENDEE]).exclude(steps[Rung.VOLUNTEER])
    else:
        raise KeyError(kind)
    return people.order_by("family_name", "given_name", "pk")
