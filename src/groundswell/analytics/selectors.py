"""The dashboards' reads: the metrics a viewer may see, with the moment they were taken.

Money (dollars, gifts, who gave) is finance data: without FINANCE_VIEW the overview holds the
donor counts only (they are no secret: donation pages show the goal's count to supporters).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from groundswell.accounts.roles import FINANCE_VIEW, PEOPLE_VIEW
from groundswell.analytics import metrics
from groundswell.analytics.charts import Chart, series_chart
from groundswell.analytics.engine import engine_open
from groundswell.analytics.filters import (
    Filters,
    comparison_range,
    default_start,
    engine_scoped,
    months_back,
    segment_person_ids,
)
from groundswell.core.pagination import Page
from groundswell.donations.compliance.deadlines import Report, next_report
from groundswell.donations.selectors import RecurringSummary, recurring_summary
from groundswell.identity.thresholds import active_rule_set
from groundswell.segments.models import Segment


@dataclass(frozen=True)
class PeriodFigures:
    label: str
    start: date
    end: date
    money: metrics.MoneyTotals | None  # None for viewers without FINANCE_VIEW
    donors: metrics.DonorFigures


@dataclass(frozen=True)
class GoalFigures:
    name: str
    goal: int
    donors: int
    start: date
    end: date

    @property
    def percent(self) -> int:
        return min(100, self.donors * 100 // self.goal) if self.goal else 0


@dataclass(frozen=True)
class Compared:
    """One figure of the selected range beside the same figure over the comparison period."""

    key: str
    label: str
    value: int | None
    before: int | None
    money: bool = False

    @property
    def change(self) -> int | None:
        if self.value is None or self.before is None:
            return None
        return self.value - self.before

    @property
    def percent(self) -> int | None:
        """The change in whole percent of the comparison figure (None from nothing)."""
        if self.change is None or not self.before:
            return None
        return round(self.change * 100 / self.before)


@dataclass
class Overview:
    today: date
    fresh_at: datetime
    engine: str
    resolved: bool
    finance: bool
    periods: list[PeriodFigures]
    filters: Filters
    grain: str = "month"
    selected: PeriodFigures | None = None
    before: PeriodFigures | None = None
    months: list[metrics.MoneyRow] = field(default_factory=list)
    month_donors: list[metrics.DonorRow] = field(default_factory=list)
    weeks: list[metrics.MoneyRow] = field(default_factory=list)
    week_donors: list[metrics.DonorRow] = field(default_factory=list)
    goal: GoalFigures | None = None
    deadline: Report | None = None
    deadline_days: int | None = None

    @property
    def empty(self) -> bool:
        """No counted gift and no donor in the selected range."""
        return not any(row.count for row in self.months) and not any(
            row.donors for row in self.month_donors
        )

    @property
    def compared(self) -> list[Compared]:
        """The selected range's figures beside the comparison period's (empty without one)."""
        if self.selected is None or self.before is None:
            return []
        now, then = self.selected, self.before
        rows = []
        if now.money is not None and then.money is not None:
            for key, label in MONEY_FIGURES:
                rows.append(
                    Compared(
                        key,
                        label,
                        getattr(now.money, key),
                        getattr(then.money, key),
                        money=key != "count",
                    )
                )
        for key, label in DONOR_FIGURES:
            rows.append(Compared(key, label, getattr(now.donors, key), getattr(then.donors, key)))
        return rows


MONEY_FIGURES = [
    ("net_cents", "Net raised"),
    ("gross_cents", "Gross"),
    ("count", "Contributions"),
    ("average_cents", "Average gift"),
    ("median_cents", "Median gift"),
]
DONOR_FIGURES = [("donors", "Unique donors"), ("new", "New donors"), ("returning", "Returning")]


def range_grain(start: date, end: date) -> str:
    """Days for a month or less, weeks up to half a year, months beyond."""
    days = (end - start).days + 1
    return "day" if days <= 31 else "week" if days <= 183 else "month"


def overview_read(*, user, today: date, filters: Filters | None = None) -> Overview:
    """The campaign overview: today, this week and this quarter, the selected range (the last
    twelve months unless filtered) over time and beside its comparison period, this quarter by
    week, the active donor goal's unique donors and the next FEC report's due date.

    With a segment, every figure but the donor goal's counts the segment's donors only.
    """
    if not user.can(PEOPLE_VIEW):
        raise PermissionError("the overview is for staff who may see people")
    finance = user.can(FINANCE_VIEW)
    filters = filters or Filters(start=default_start(today), end=today)
    ranges = [
        ("Today", today, today),
        ("This week", metrics.week_start(today), today),
        ("This quarter", metrics.quarter_start(today), today),
        ("Selected range", filters.start, filters.end),
    ]
    if filters.comparison is not None:
        ranges.append(("Comparison", *filters.comparison))
    people = segment_person_ids(filters.segment) if filters.segment is not None else None
    grain = range_grain(filters.start, filters.end)
    with engine_open() as whole:
        engine = whole if people is None else engine_scoped(whole, people)
        counts = metrics.donors_many(engine, ranges=[(start, end) for _, start, end in ranges])
        figures = [
            PeriodFigures(
                label=label,
                start=start,
                end=end,
                money=metrics.money_totals(engine, start=start, end=end) if finance else None,
                donors=donors,
            )
            for (label, start, end), donors in zip(ranges, counts, strict=True)
        ]
        overview = Overview(
            today=today,
            fresh_at=engine.fresh_at,
            engine=engine.name,
            resolved=engine.resolved,
            finance=finance,
            periods=figures[:3],
            filters=filters,
            grain=grain,
            selected=figures[3],
            before=figures[4] if len(figures) > 4 else None,
            month_donors=metrics.donors_by(
                engine, start=filters.start, end=filters.end, grain=grain
            ),
        )
        quarter = metrics.quarter_start(today)
        overview.week_donors = metrics.donors_by(engine, start=quarter, end=today, grain="week")
        if finance:
            overview.months = metrics.money_by(
                engine, start=filters.start, end=filters.end, grain=grain
            )
            overview.weeks = metrics.money_by(engine, start=quarter, end=today, grain="week")
        # The goal is the goal page's figure: every donor, whatever the segment.
        overview.goal = _goal(whole, today)
    overview.deadline, overview.deadline_days = next_report(today)
    return overview


def _goal(engine, today: date) -> GoalFigures | None:
    """The active donor goal's unique donors so far, counted by the donors metric."""
    rule_set = active_rule_set()
    if rule_set is None or not engine.resolved:
        return None
    end = min(today, rule_set.window_end)
    donors = 0
    if end >= rule_set.window_start:
        donors = metrics.donors(engine, start=rule_set.window_start, end=end).donors
    return GoalFigures(
        name=rule_set.name,
        goal=rule_set.total_donors,
        donors=donors,
        start=rule_set.window_start,
        end=end,
    )


PER_PAGE = 50


@dataclass(frozen=True)
class LapsedPage:
    lapsed: metrics.LapsedList
    fresh_at: datetime
    number: int

    @property
    def pager(self) -> Page:
        return Page(self.lapsed.rows, self.number, PER_PAGE, self.lapsed.total, False)


def lapsed_read(*, user, kind: str, year: int, page: int) -> LapsedPage:
    """One page of the LYBUNT or SYBUNT list (who gave: finance data)."""
    if not user.can(FINANCE_VIEW):
        raise PermissionError("lapsed donors are finance data")
    with engine_open() as engine:
        lapsed = metrics.lapsed(
            engine, kind=kind, year=year, limit=PER_PAGE, offset=(page - 1) * PER_PAGE
        )
        return LapsedPage(lapsed=lapsed, fresh_at=engine.fresh_at, number=page)


# ---------------------------------------------------------------- the donors page

COHORT_MONTHS = 12  # months of cohorts shown, and how far after the first gift each is followed


@dataclass(frozen=True)
class Periods:
    """A chosen period and the one just before it, as long (whole days); the segment whose
    donors it counts (None: everyone) and the comparison period asked for ("" for none)."""

    start: date
    end: date
    segment: Segment | None = None
    compare: str = ""

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def previous(self) -> tuple[date, date]:
        return (self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    @property
    def current(self) -> tuple[date, date]:
        return (self.start, self.end)

    @property
    def comparison(self) -> tuple[date, date] | None:
        return comparison_range(self.start, self.end, self.compare)

    def query(self) -> str:
        """The query string asking for this period, segment and comparison again."""
        return Filters(
            start=self.start, end=self.end, segment=self.segment, compare=self.compare
        ).query()


# The donors page's totals: key, label, in cents.
DONOR_TOTALS = [
    ("net_cents", "Net raised", True),
    ("count", "Contributions", False),
    ("donors", "Unique donors", False),
    ("new", "New donors", False),
    ("recurring_installments", "Recurring installments", False),
    ("recurring_cents", "Recurring revenue", True),
]


@dataclass
class DonorsBoard:
    periods: Periods
    fresh_at: datetime
    engine: str
    resolved: bool
    changes: metrics.DonorChanges
    cohorts: list[metrics.CohortRow]
    recurring: list[metrics.RecurringRow]
    active_recurring: RecurringSummary
    segment_size: int = 0  # the segment's people now (nothing to count when 0)
    totals: dict = field(default_factory=dict)  # the period's, by DONOR_TOTALS key
    before_totals: dict = field(default_factory=dict)  # the comparison period's

    @property
    def has_cohorts(self) -> bool:
        return any(row.size for row in self.cohorts)

    @property
    def has_recurring(self) -> bool:
        return any(row.installments for row in self.recurring)

    @property
    def totals_rows(self) -> list[Compared]:
        """The period's totals, beside the comparison period's when one was asked for."""
        return [
            Compared(key, label, self.totals[key], self.before_totals.get(key), money=cents)
            for key, label, cents in DONOR_TOTALS
        ]


def _donor_totals(engine, *, start: date, end: date) -> dict:
    """Money, donors and recurring giving over a range, as the overview and the recurring table
    count them (the recurring figures are the months' sums: installments and revenue add up,
    a donor's months would not, so recurring donors stay in the monthly table)."""
    money = metrics.money_totals(engine, start=start, end=end)
    donors = metrics.donors(engine, start=start, end=end)
    recurring = metrics.recurring_by(engine, start=start, end=end)
    return {
        "net_cents": money.net_cents,
        "count": money.count,
        "donors": donors.donors,
        "new": donors.new,
        "recurring_installments": sum(row.installments for row in recurring),
        "recurring_cents": sum(row.revenue_cents for row in recurring),
    }


def donors_read(*, user, periods: Periods) -> DonorsBoard:
    """The Donors page: upgraded and downgraded donors of the period against the one before,
    for the twelve months ending with the period's, retention cohorts and recurring giving, and
    the period's totals (beside the comparison period's when ``periods.compare`` asks).

    With a segment (one the viewer may see: ``filters.FilterForm`` offers only those), every
    figure but the schedule of active series counts the segment's donors only.
    Who gave, how much and who gives monthly are giving data: finance only.
    """
    if not user.can(FINANCE_VIEW):
        raise PermissionError("donor giving is finance data")
    first_month = months_back(periods.end, COHORT_MONTHS - 1)
    people = segment_person_ids(periods.segment) if periods.segment is not None else None
    with engine_open() as whole:
        engine = whole if people is None else engine_scoped(whole, people)
        before = periods.comparison
        return DonorsBoard(
            periods=periods,
            fresh_at=engine.fresh_at,
            engine=engine.name,
            resolved=engine.resolved,
            changes=metrics.donor_changes(
                engine, current=periods.current, previous=periods.previous
            ),
            cohorts=metrics.cohorts(
                engine, start=first_month, end=periods.end, months=COHORT_MONTHS - 1
            ),
            recurring=metrics.recurring_by(engine, start=first_month, end=periods.end),
            # The schedule of active series now: the finance page's own figure, everyone's.
            active_recurring=recurring_summary(),
            segment_size=len(people or ()),
            totals=_donor_totals(engine, start=periods.start, end=periods.end),
            before_totals=_donor_totals(engine, start=before[0], end=before[1]) if before else {},
        )


@dataclass(frozen=True)
class ChangesPage:
    changes: metrics.ChangedList
    periods: Periods
    fresh_at: datetime
    number: int

    @property
    def pager(self) -> Page:
        return Page(self.changes.rows, self.number, PER_PAGE, self.changes.total, False)


def donor_changes_read(*, user, kind: str, periods: Periods, page: int) -> ChangesPage:
    """One page of the upgraded or downgraded donors of a period against the one before (the
    segment's donors only, when ``periods`` names one)."""
    if not user.can(FINANCE_VIEW):
        raise PermissionError("donor giving is finance data")
    people = segment_person_ids(periods.segment) if periods.segment is not None else None
    with engine_open() as whole:
        engine = whole if people is None else engine_scoped(whole, people)
        changes = metrics.donor_changes_list(
            engine,
            kind=kind,
            current=periods.current,
            previous=periods.previous,
            limit=PER_PAGE,
            offset=(page - 1) * PER_PAGE,
        )
        return ChangesPage(changes=changes, periods=periods, fresh_at=engine.fresh_at, number=page)


def overview_charts(overview: Overview) -> list[Chart]:
    """The overview's charts, each with its table (the CSV download's rows)."""
    f = overview.filters
    span = f"{f.start:%b %-d, %Y} – {f.end:%b %-d, %Y}"
    return [
        replace(
            series_chart(
                "range",
                f"By {overview.grain}, {span}" if f.chosen else "The last twelve months",
                overview.months,
                overview.month_donors,
                grain=overview.grain,
                finance=overview.finance,
            ),
            note=f"{overview.grain.capitalize()}s with no gift are left out. A donor counts once "
            f"a {overview.grain}, however often they gave.",
            empty="No gifts in this range.",
        ),
        replace(
            series_chart(
                "weeks",
                "This quarter by week",
                overview.weeks,
                overview.week_donors,
                grain="week",
                finance=overview.finance,
            ),
            note="Weeks start on Monday.",
            empty="No contributions this quarter yet.",
        ),
    ]
