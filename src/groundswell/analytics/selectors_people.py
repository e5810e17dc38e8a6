"""The People dashboard's reads: list health, mailing performance, events, the ladder and the
referral network, each from the place that already defines it.

- list growth, churn and unsubscribe reasons: ``metrics_people`` on the analytics engine
  (groupings over every person and consent change);
- mailings: ``mailings.report.mailing_report`` for each mailing shown (the mailing page's own
  figures; money only for FINANCE_VIEW, as there);
- events: the shifts' RSVPs, attendance and credited minutes by month, counted as
  ``events.selectors_staff.event_shifts`` / ``event_totals`` count them for one event;
- the ladder: ``events.ladder.rungs.ladder_figures`` (the donor rung folded for non-finance);
- the referral network: ``events.relational.selectors`` (top recruiters and the share of new
  supporters who came through a relationship).

Each section shows only to the roles its own page is for; nothing here is finance data except
a mailing's dollars per thousand, which the report leaves out for other roles.

A segment narrows list growth, churn, how people left and the events to its people (the list
metrics through ``filters.engine_scoped``). Mailings, the ladder and the recruiters stay their
own pages' figures for everyone: those pages' selectors count no segment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from groundswell.accounts.roles import (
    EVENTS_VIEW,
    FINANCE_VIEW,
    MAILINGS_SEND,
    PEOPLE_VIEW,
    RECRUITERS_VIEW,
)
from groundswell.analytics import metrics_people
from groundswell.analytics.engine import engine_open
from groundswell.analytics.filters import comparison_range, engine_scoped, segment_person_ids
from groundswell.analytics.selectors import Compared
from groundswell.events.ladder import rungs as ladder
from groundswell.events.models import Attendance
from groundswell.events.relational import selectors as relational
from groundswell.mailings.models import KindOptOut, MailingKind
from groundswell.mailings.report import MailingReport, mailing_report
from groundswell.mailings.selectors import mailings_for
from groundswell.segments.models import Segment
from groundswell.segments.selectors import segment_people

MAILINGS_SHOWN = 10
RECRUITERS_SHOWN = 10
TOTALS = [
    ("people", "New people"),
    ("subscribers", "New subscribers"),
    ("unsubscribed", "Unsubscribed"),
    ("bounced", "Bounced"),
    ("complained", "Complained"),
]


@dataclass(frozen=True)
class MailingRow:
    mailing: object  # mailings.Mailing
    report: MailingReport


@dataclass(frozen=True)
class EventMonth:
    bucket: date
    events: int
    rsvps: int  # registered (not waitlisted, not cancelled), as on the event page
    attended: int
    no_shows: int
    minutes: int  # credited to those who attended

    @property
    def hours(self) -> str:
        hours, minutes = divmod(self.minutes, 60)
        return f"{hours}:{minutes:02d}"


@dataclass
class PeopleBoard:
    start: date
    end: date
    grain: str
    fresh_at: datetime
    engine: str
    growth: list[metrics_people.GrowthRow]
    churn: list[metrics_people.ChurnRow]
    reasons: list[metrics_people.ReasonRow]
    kind_optouts: list[tuple[str, int]]
    mailings: list[MailingRow] | None = None  # None: the viewer may not see mailings
    mailings_more: bool = False
    events: list[EventMonth] | None = None
    ladder: ladder.LadderFigures | None = None
    recruiters: list[relational.RecruiterRow] | None = None
    share: relational.Share | None = None
    finance: bool = False
    totals: dict = field(default_factory=dict)
    segment: Segment | None = None
    segment_size: int = 0  # the segment's people now (nothing to count when 0)
    before: tuple[date, date] | None = None  # the comparison period, when one was asked for
    before_totals: dict = field(default_factory=dict)

    @property
    def compared(self) -> list[Compared]:
        """The range's totals beside the comparison period's (empty without one)."""
        if self.before is None:
            return []
        return [
            Compared(key, label, self.totals[key], self.before_totals[key]) for key, label in TOTALS
        ]


def _local_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _after(day: date) -> datetime:
    """The first instant after the local day ``day``."""
    return _local_start(day + timedelta(days=1))


def kind_optouts(*, start: date, end: date, people=None) -> list[tuple[str, int]]:
    """People who stopped one kind of mailing only (still on the list), by kind; most first.
    ``people``: a queryset of persons to count only (a segment's)."""
    rows = KindOptOut.objects.filter(
        created_at__gte=_local_start(start), created_at__lt=_after(end)
    )
    if people is not None:
        rows = rows.filter(person__in=people)
    rows = rows.values("kind").annotate(n=Count("person_id", distinct=True))
    labels = dict(MailingKind.choices)
    found = [
        (f"Stopped {str(labels.get(r['kind'], r['kind'])).lower()} only", r["n"]) for r in rows
    ]
    return sorted(found, key=lambda pair: (-pair[1], pair[0]))


def mailings_performance(*, user, start: date, end: date) -> tuple[list[MailingRow], bool]:
    """The newest mailings started in the range with their report; and whether there are more
    than are shown (the mailings page lists them all)."""
    chosen = list(
        mailings_for(user=user).filter(
            started_at__gte=_local_start(start), started_at__lt=_after(end)
        )[: MAILINGS_SHOWN + 1]
    )
    rows = [MailingRow(m, mailing_report(mailing=m, user=user)) for m in chosen[:MAILINGS_SHOWN]]
    return rows, len(chosen) > MAILINGS_SHOWN


def events_by_month(*, start: date, end: date, people=None) -> list[EventMonth]:
    """RSVPs, attendance and hours of the shifts starting in the range, by the campaign's month
    of the shift's start. The counts are event_shifts' and event_totals' (one event's months
    add up to its page's totals). ``people``: a queryset of persons to count only."""
    rows = Attendance.objects.filter(
        shift__starts_at__gte=_local_start(start), shift__starts_at__lt=_after(end)
    )
    if people is not None:
        rows = rows.filter(person__in=people)
    rows = (
        rows.annotate(bucket=TruncMonth("shift__starts_at", tzinfo=timezone.get_current_timezone()))
        .values("bucket")
        .annotate(
            # n_…: "attended" is a field of Attendance, which an annotation may not shadow.
            n_events=Count("shift__event_id", distinct=True),
            n_rsvps=Count("pk", filter=Q(status="registered")),
            n_attended=Count("pk", filter=Q(attended=True)),
            n_no_shows=Count("pk", filter=Q(attended=False)),
            n_minutes=Sum("minutes_credited", filter=Q(attended=True)),
        )
        .order_by("bucket")
    )
    return [
        EventMonth(
            bucket=timezone.localtime(r["bucket"]).date()
            if isinstance(r["bucket"], datetime)
            else r["bucket"],
            events=r["n_events"],
            rsvps=r["n_rsvps"],
            attended=r["n_attended"],
            no_shows=r["n_no_shows"],
            minutes=r["n_minutes"] or 0,
        )
        for r in rows
    ]


def _share(*, user, start: date, end: date) -> relational.Share:
    """The recruiters page's share, over the range's days (ending now when the range does)."""
    days = (end - start).days + 1
    now = timezone.now()
    until = _after(end)
    return relational.relational_share(user=user, days=days, now=min(now, until))


def _totals(engine, *, start: date, end: date) -> dict:
    """The range's list totals, each person once (a sum of the buckets would count someone who
    subscribed in two weeks twice)."""
    grown = metrics_people.list_growth(engine, start=start, end=end, grain="range")
    lost = metrics_people.churn(engine, start=start, end=end, grain="range")
    return {
        "people": grown[0].people if grown else 0,
        "subscribers": grown[0].subscribers if grown else 0,
        "unsubscribed": lost[0].unsubscribed if lost else 0,
        "bounced": lost[0].bounced if lost else 0,
        "complained": lost[0].complained if lost else 0,
    }


def people_read(
    *,
    user,
    start: date,
    end: date,
    grain: str,
    segment: Segment | None = None,
    compare: str = "",
) -> PeopleBoard:
    """Every section of the People dashboard the viewer may see, for local days start–end;
    with a segment, its people only (see the module's note); with ``compare`` ("previous",
    "year"), the list totals of the comparison period too. The segment must be one the
    viewer may see (``filters.filters_read`` chooses only those)."""
    if not user.can(PEOPLE_VIEW):
        raise PermissionError("the People dashboard is for staff who may see people")
    ids = segment_person_ids(segment) if segment is not None else None
    people = segment_people(segment=segment) if segment is not None else None
    before = comparison_range(start, end, compare)
    with engine_open() as whole:
        engine = whole if ids is None else engine_scoped(whole, ids)
        board = PeopleBoard(
            start=start,
            end=end,
            grain=grain,
            fresh_at=engine.fresh_at,
            engine=engine.name,
            growth=metrics_people.list_growth(engine, start=start, end=end, grain=grain),
            churn=metrics_people.churn(engine, start=start, end=end, grain=grain),
            reasons=metrics_people.unsubscribe_reasons(engine, start=start, end=end),
            kind_optouts=kind_optouts(start=start, end=end, people=people),
            segment=segment,
            segment_size=len(ids or ()),
            before=before,
        )
        board.totals = _totals(engine, start=start, end=end)
        if before is not None:
            board.before_totals = _totals(engine, start=before[0], end=before[1])
    board.finance = user.can(FINANCE_VIEW)
    if user.can(MAILINGS_SEND):
        board.mailings, board.mailings_more = mailings_performance(user=user, start=start, end=end)
    if user.can(EVENTS_VIEW):
        board.events = events_by_month(start=start, end=end, people=people)
        board.ladder = ladder.ladder_figures(user=user)
    if user.can(RECRUITERS_VIEW):
        board.recruiters = list(
            relational.recruiters_page(user=user, page=1, per_page=RECRUITERS_SHOWN).items
        )
        board.share = _share(user=user, start=start, end=end)
    return board
