"""The dashboards' reads: the metrics a viewer may see, with the moment they were taken.

Money (dollars, gifts, who gave) is finance data: without FINANCE_VIEW the overview holds the
donor counts only (they are no secret: donation pages show the goal's count to supporters).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from groundswell.accounts.roles import FINANCE_VIEW, PEOPLE_VIEW
from groundswell.analytics import metrics
from groundswell.analytics.engine import engine_open
from groundswell.donations.selectors import RecurringSummary, recurring_summary
from groundswell.identity.thresholds import active_rule_set


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


@dataclass
class Overview:
    today: date
    fresh_at: datetime
    engine: str
    resolved: bool
    finance: bool
    periods: list[PeriodFigures]
    months: list[metrics.MoneyRow] = field(default_factory=list)
    month_donors: list[metrics.DonorRow] = field(default_factory=list)
    weeks: list[metrics.MoneyRow] = field(default_factory=list)
    goal: GoalFigures | None = None

    @property
    def empty(self) -> bool:
        """No counted gift and no donor in the last twelve months."""
        return not any(row.count for row in self.months) and not any(
            row.donors for row in self.month_donors
        )


def _months_back(today: date, months: int) -> date:
    index = today.year * 12 + today.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def overview_read(*, user, today: date) -> Overview:
    """The campaign overview: today, this week and this quarter, the last twelve months by month
    and this quarter by week, and the active donor goal's unique donors."""
    if not user.can(PEOPLE_VIEW):
        raise PermissionError("the overview is for staff who may see people")
    finance = user.can(FINANCE_VIEW)
    ranges = [
        ("Today", today, today),
        ("This week", metrics.week_start(today), today),
        ("This quarter", metrics.quarter_start(today), today),
    ]
    year_ago = _months_back(today, 11)
    with engine_open() as engine:
        counts = metrics.donors_many(engine, ranges=[(start, end) for _, start, end in ranges])
        periods = [
            PeriodFigures(
                label=label,
                start=start,
                end=end,
                money=metrics.money_totals(engine, start=start, end=end) if finance else None,
                donors=figures,
            )
            for (label, start, end), figures in zip(ranges, counts, strict=True)
        ]
        overview = Overview(
            today=today,
            fresh_at=engine.fresh_at,
            engine=engine.name,
            resolved=engine.resolved,
            finance=finance,
            periods=periods,
            month_donors=metrics.donors_by(engine, start=year_ago, end=today, grain="month"),
        )
        if finance:
            overview.months = metrics.money_by(engine, start=year_ago, end=today, grain="month")
            overview.weeks = metrics.money_by(
                engine, start=metrics.quarter_start(today), end=today, grain="week"
            )
        overview.goal = _goal(engine, today)
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
    def num_pages(self) -> int:
        return max(1, -(-self.lapsed.total // PER_PAGE))


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
    """A chosen period and the one just before it, as long (whole days)."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def previous(self) -> tuple[date, date]:
        return (self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    @property
    def current(self) -> tuple[date, date]:
        return (self.start, self.end)


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

    @property
    def has_cohorts(self) -> bool:
        return any(row.size for row in self.cohorts)

    @property
    def has_recurring(self) -> bool:
        return any(row.installments for row in self.recurring)


def donors_read(*, user, periods: Periods) -> DonorsBoard:
    """The Donors page: upgraded and downgraded donors of the period against the one before,
    and for the twelve months ending with the period's, retention cohorts and recurring giving.

    Who gave, how much and who gives monthly are giving data: finance only.
    """
    if not user.can(FINANCE_VIEW):
        raise PermissionError("donor giving is finance data")
    first_month = _months_back(periods.end, COHORT_MONTHS - 1)
    with engine_open() as engine:
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
            # The schedule of active series now: the finance page's own figure.
            active_recurring=recurring_summary(),
        )


@dataclass(frozen=True)
class ChangesPage:
    changes: metrics.ChangedList
    periods: Periods
    fresh_at: datetime
    number: int

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.changes.total // PER_PAGE))


def donor_changes_read(*, user, kind: str, periods: Periods, page: int) -> ChangesPage:
    """One page of the upgraded or downgraded donors of a period against the one before."""
    if not user.can(FINANCE_VIEW):
        raise PermissionError("donor giving is finance data")
    with engine_open() as engine:
        changes = metrics.donor_changes_list(
            engine,
            kind=kind,
            current=periods.current,
            previous=periods.previous,
            limit=PER_PAGE,
            offset=(page - 1) * PER_PAGE,
        )
        return ChangesPage(changes=changes, periods=periods, fresh_at=engine.fresh_at, number=page)
