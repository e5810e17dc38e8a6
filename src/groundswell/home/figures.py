"""What the staff home shows, gathered from each app's own selectors.

The home owns no data: every figure comes from the selector behind the page it links to, so
the home and that page count the same rows the same way (one figure, one definition). Each
selector answers None (or nothing) for a role that may not see it, so what a role sees is
decided by the app that owns the data, not here. Every figure costs a fixed number of queries
(a capped count, counts per range in one query, a short list), so the page's query count does
not grow with the data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from groundswell.actions.selectors import signup_counts
from groundswell.core.pagination import CappedCount
from groundswell.core.periods import days_range
from groundswell.donations.compliance.selectors import ComplianceQueues, compliance_queues
from groundswell.donations.selectors import DateRange, giving_summaries
from groundswell.identity.review import open_suggestions_count
from groundswell.identity.thresholds import GoalSummary, goal_summary
from groundswell.mailings.selectors import deliveries_failed, mailings_in_flight
from groundswell.people.selectors import (
    import_jobs_open,
    people_bouncing_count,
    people_new_counts,
)

WEEK = 7
FAILED_SINCE_DAYS = 30  # failed deliveries of mailings started this recently


@dataclass(frozen=True)
class Compared:
    """A figure for a period and for the period before it, of the same length."""

    current: int
    previous: int

    @property
    def delta(self) -> int:
        return self.current - self.previous

    @property
    def trend(self) -> str:
        """Whether the figure went "up", "down" or stayed the "same" (the class colouring it)."""
        return "up" if self.delta > 0 else "down" if self.delta < 0 else "same"


@dataclass(frozen=True)
class Periods:
    """Today, yesterday, the last seven days (today included) and the seven before them."""

    today: date

    @property
    def days(self) -> list[DateRange]:
        t, w = self.today, WEEK
        return [
            DateRange(t, t),
            DateRange(t - timedelta(days=1), t - timedelta(days=1)),
            DateRange(t - timedelta(days=w - 1), t),
            DateRange(t - timedelta(days=2 * w - 1), t - timedelta(days=w)),
        ]


def _pairs(counts: list[int] | None) -> tuple[Compared, Compared] | None:
    """(today against yesterday, this week against last) from counts in ``Periods.days``."""
    if counts is None:
        return None
    return Compared(counts[0], counts[1]), Compared(counts[2], counts[3])


@dataclass(frozen=True)
class Giving:
    """Finance's figures for today and for the week, each against the period before."""

    net_cents: tuple[Compared, Compared]
    gifts: tuple[Compared, Compared]
    new_donors: tuple[Compared, Compared]


def _giving(user, periods: Periods) -> Giving | None:
    summaries = giving_summaries(user=user, periods=periods.days)
    if summaries is None:
        return None
    return Giving(
        net_cents=_pairs([s.money.net_cents for s in summaries]),
        gifts=_pairs([s.money.count for s in summaries]),
        new_donors=_pairs([s.donors.new for s in summaries]),
    )


@dataclass(frozen=True)
class Home:
    today: date
    signups: tuple[Compared, Compared] | None
    new_people: tuple[Compared, Compared] | None
    giving: Giving | None
    goal: GoalSummary | None
    imports: list  # people's ImportJob rows not finished
    mailings: list[tuple]  # (mailing, its sent/queued/total counts)
    compliance: ComplianceQueues | None
    merge_suggestions: CappedCount | None
    failed_deliveries: list[dict]
    bouncing: CappedCount | None

    @property
    def running(self) -> bool:
        return bool(self.imports or self.mailings)

    @property
    def has_queues(self) -> bool:
        """Whether the role may act on any queue (a volunteer reads and acts on none)."""
        return any(q is not None for q in (self.compliance, self.merge_suggestions, self.bouncing))


def home_figures(*, user, today: date | None = None) -> Home:
    """Everything the home shows the user today."""
    periods = Periods(today or timezone.localdate())
    ranges = [days_range(p.start, p.end) for p in periods.days]
    since = days_range(periods.today - timedelta(days=FAILED_SINCE_DAYS), periods.today)[0]
    return Home(
        today=periods.today,
        signups=_pairs(signup_counts(user=user, ranges=ranges)),
        new_people=_pairs(people_new_counts(user=user, ranges=ranges)),
        giving=_giving(user, periods),
        goal=goal_summary(user=user),
        imports=import_jobs_open(user=user),
        mailings=mailings_in_flight(user=user),
        compliance=compliance_queues(user=user),
        merge_suggestions=open_suggestions_count(user=user),
        failed_deliveries=deliveries_failed(user=user, since=since),
        bouncing=people_bouncing_count(user=user),
    )
