"""Donor goals (the DNC's debate thresholds and custom ones): progress, projection, donors to go.

A goal has two parts: N unique donors overall, and at least M donors in each of K states. The
progress page shows both, the states closest to the minimum (where ads would help most), and
when each part should be met if the recent trend holds.
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from groundswell.accounts.roles import PEOPLE_VIEW
from groundswell.accounts.services import audit_record
from groundswell.donations.pages.donate import DonorGoal
from groundswell.identity.models import ResolutionRun, ThresholdRuleSet
from groundswell.identity.selectors import (
    STATES,
    RefundedRule,
    Tally,
    cumulative,
    donor_tally,
    latest_run,
)

RECENT_DAYS = 28  # the trend is fitted to the last four weeks: recent ads, recent news
BOOTSTRAP_DRAWS = 400
BAND = (10, 90)  # an 80% band: a plausible early and late date, not a guarantee
CLOSEST = 10


@dataclass(frozen=True)
class Projection:
    """When a part of the goal is (or should be) met."""

    goal: int
    current: int
    met_on: date | None = None  # already met: the day it was
    projected: date | None = None
    early: date | None = None
    late: date | None = None  # None with a projection: some trends never get there
    rate_per_day: float | None = None
    reason: str = ""  # why there is no projection

    @property
    def met(self) -> bool:
        return self.met_on is not None


def _slope_weights(n: int) -> list[float]:
    """Weights w with slope = sum(w[j] * new[j]): the least-squares slope of the cumulative
    series against day 0, 1, 2 … is linear in the day-by-day increments that build it."""
    mean = (n - 1) / 2
    sxx = sum((i - mean) ** 2 for i in range(n))
    weights, tail = [0.0] * n, 0.0
    for j in range(n - 1, -1, -1):
        tail += j - mean
        weights[j] = tail / sxx
    return weights


def _percentile(values: list[float], q: float) -> float:
    """The q-th percentile with linear interpolation (as numpy's default)."""
    ordered = sorted(values)
    at = (len(ordered) - 1) * q / 100
    low = math.floor(at)
    high = min(low + 1, len(ordered) - 1)
    if math.isinf(ordered[low]) or math.isinf(ordered[high]):
        return ordered[high] if at > low else ordered[low]
    return ordered[low] + (ordered[high] - ordered[low]) * (at - low)


def project(
    series: list[tuple[date, int, int]],
    goal: int,
    *,
    recent_days: int = RECENT_DAYS,
    draws: int = BOOTSTRAP_DRAWS,
    seed: int = 20190101,
) -> Projection:
    """Project the day a cumulative count reaches ``goal`` from a linear fit of the recent days.

    ``series`` is (day, new that day, total so far), one row per day, ending today.

    The point estimate is the least-squares slope of the cumulative count over the last
    ``recent_days`` days. The band is a bootstrap: the window's days (their new donors) are
    resampled with replacement, the cumulative series rebuilt and the slope refitted, and the
    10th and 90th percentile dates kept. Days are resampled rather than the fit's residuals
    because residuals of a cumulative series are strongly autocorrelated, while the new donors
    of different days are close to independent.
    """
    if not series:
        return Projection(goal=goal, current=0, reason="The counting window has not started.")
    current = series[-1][2]
    if current >= goal:
        met_on = next(day for day, _, total in series if total >= goal)
        return Projection(goal=goal, current=current, met_on=met_on)
    window = series[-recent_days:]
    if len(window) < 3:
        return Projection(goal=goal, current=current, reason="Fewer than 3 days of history.")
    new = [n for _, n, _ in window]
    weights = _slope_weights(len(new))
    rate = sum(w * d for w, d in zip(weights, new, strict=True))
    if rate <= 1e-9:
        return Projection(
            goal=goal, current=current, rate_per_day=rate, reason="No new donors lately."
        )
    last_day = series[-1][0]
    remaining = goal - current
    projected = last_day + timedelta(days=math.ceil(remaining / rate - 1e-9))

    rng = random.Random(seed)
    n = len(new)
    days = []
    for _ in range(draws):
        drawn = sum(w * new[rng.randrange(n)] for w in weights)
        days.append(remaining / drawn if drawn > 1e-9 else math.inf)
    low, high = _percentile(days, BAND[0]), _percentile(days, BAND[1])
    early = last_day + timedelta(days=math.ceil(low - 1e-9)) if math.isfinite(low) else None
    late = last_day + timedelta(days=math.ceil(high - 1e-9)) if math.isfinite(high) else None
    return Projection(
        goal=goal,
        current=current,
        projected=projected,
        early=early,
        late=late,
        rate_per_day=rate,
    )


@dataclass(frozen=True)
class StateStatus:
    code: str
    name: str
    donors: int
    minimum: int
    projection: Projection | None = None

    @property
    def met(self) -> bool:
        return self.donors >= self.minimum

    @property
    def needed(self) -> int:
        return max(0, self.minimum - self.donors)

    @property
    def percent(self) -> int:
        return min(100, self.donors * 100 // self.minimum) if self.minimum else 100


@dataclass(frozen=True)
class Progress:
    rule_set: ThresholdRuleSet
    run: ResolutionRun | None
    as_of: date
    started: bool  # the counting window has begun
    refunded_rule: str
    donors: int | None  # None until a resolution run has finished
    naive: int
    contributions: int
    unresolved: int
    states: list[StateStatus]  # every state, DC and territory, by name
    states_met: int
    total_projection: Projection | None
    states_projection: Projection | None
    history: list[tuple[date, int, int]]  # (day, new donors, donors so far)
    naive_history: list[tuple[date, int, int]]

    @property
    def to_go(self) -> int | None:
        return None if self.donors is None else max(0, self.rule_set.total_donors - self.donors)

    @property
    def states_to_go(self) -> int:
        return max(0, self.rule_set.states_required - self.states_met)

    @property
    def closest(self) -> list[StateStatus]:
        """States below the minimum, fewest donors needed first: where ads would tip a state."""
        below = [s for s in self.states if not s.met]
        return sorted(below, key=lambda s: (s.needed, s.name))[:CLOSEST]

    @property
    def percent(self) -> int:
        if self.donors is None:
            return 0
        return min(100, self.donors * 100 // self.rule_set.total_donors)

    @property
    def met(self) -> bool:
        return self.to_go == 0 and self.states_to_go == 0


def _kth_date(dates: list[date | None], k: int) -> date | None:
    """The k-th earliest date (1-based), None when fewer than k states get there at all."""
    known = sorted(d for d in dates if d is not None)
    return known[k - 1] if 0 < k <= len(known) else None


def _states_projection(rule_set: ThresholdRuleSet, statuses: list[StateStatus]) -> Projection:
    """When the K-th state reaches the minimum: each state's own trend, then the K-th date."""
    met = [s for s in statuses if s.met]
    goal = rule_set.states_required
    if len(met) >= goal:
        # The day the K-th state got there: its projection's met_on.
        days = sorted(s.projection.met_on for s in met if s.projection and s.projection.met_on)
        met_on = days[goal - 1] if 0 < goal <= len(days) else (days[0] if days else None)
        return Projection(goal=goal, current=len(met), met_on=met_on)
    needed = goal - len(met)
    below = [s.projection for s in statuses if not s.met and s.projection]
    projected = _kth_date([p.projected for p in below], needed)
    if projected is None:
        return Projection(
            goal=goal,
            current=len(met),
            reason=f"Fewer than {needed} more states are gaining donors at the moment.",
        )
    return Projection(
        goal=goal,
        current=len(met),
        projected=projected,
        early=_kth_date([p.early for p in below], needed),
        late=_kth_date([p.late for p in below], needed),
    )


def progress(
    *,
    rule_set: ThresholdRuleSet,
    today: date | None = None,
    refunded_rule: str = RefundedRule.EXCLUDE,
) -> Progress:
    """Where the campaign stands against a goal, with the projected dates of each part."""
    today = today or timezone.localdate()
    as_of = min(today, rule_set.window_end)
    started = as_of >= rule_set.window_start
    run = latest_run()
    if started:
        tally = donor_tally(start=rule_set.window_start, end=as_of, refunded_rule=refunded_rule)
    else:
        tally = Tally(resolved=run is not None)
    resolved = tally.resolved
    history = cumulative(tally.new_by_day, rule_set.window_start, as_of) if started else []
    naive_history = (
        cumulative(tally.naive_new_by_day, rule_set.window_start, as_of) if started else []
    )
    statuses = []
    for code, name in STATES.items():
        donors = tally.unique_by_state.get(code, 0)
        state_series = (
            cumulative(tally.state_new_by_day.get(code, {}), rule_set.window_start, as_of)
            if started and resolved
            else []
        )
        projection = project(state_series, rule_set.per_state_minimum) if state_series else None
        statuses.append(
            StateStatus(
                code=code,
                name=name,
                donors=donors,
                minimum=rule_set.per_state_minimum,
                projection=projection,
            )
        )
    statuses.sort(key=lambda s: s.name)
    donors = (
        goal_donor_count(rule_set=rule_set, today=today, refunded_rule=refunded_rule)
        if resolved
        else None
    )
    return Progress(
        rule_set=rule_set,
        run=run if resolved else None,
        as_of=as_of,
        started=started,
        refunded_rule=refunded_rule,
        donors=donors,
        naive=sum(tally.naive_by_state.values()),
        contributions=tally.contributions,
        unresolved=tally.unresolved,
        states=statuses,
        states_met=sum(1 for s in statuses if s.met) if resolved else 0,
        total_projection=project(history, rule_set.total_donors) if resolved and started else None,
        states_projection=(
            _states_projection(rule_set, statuses)
            if resolved and started and rule_set.states_required
            else None
        ),
        history=history,
        naive_history=naive_history,
    )


def active_rule_set() -> ThresholdRuleSet | None:
    """The campaign's current donor goal, if staff chose one."""
    return ThresholdRuleSet.objects.filter(active=True).first()


TO_GO_SECONDS = 10 * 60


def goal_donor_count(
    *,
    rule_set: ThresholdRuleSet,
    today: date | None = None,
    refunded_rule: str = RefundedRule.EXCLUDE,
) -> int | None:
    """Unique donors counted toward a goal so far; None until a resolution run has finished.

    The one definition behind the goal's progress page and every donation page that counts
    toward the goal.
    """
    if latest_run() is None:
        return None
    as_of = min(today or timezone.localdate(), rule_set.window_end)
    if as_of < rule_set.window_start:
        return 0
    tally = donor_tally(start=rule_set.window_start, end=as_of, refunded_rule=refunded_rule)
    return sum(tally.unique_by_state.values())


def goal_figures(*, rule_set: ThresholdRuleSet | None = None) -> DonorGoal | None:
    """The goal (the active one by default) with its unique donors, as donation pages show it.

    None when there is no goal or no finished resolution run yet: a page should then show no
    number rather than a made-up one. Donation pages ask on every view, so the count is kept
    for ten minutes (or until the goal changes or the next run) rather than recounted whenever
    a gift arrives.
    """
    rule_set = rule_set or active_rule_set()
    if rule_set is None:
        return None
    run = latest_run()
    if run is None:
        return None
    as_of = min(timezone.localdate(), rule_set.window_end)
    key = f"identity:goal-donors:{rule_set.pk}:{rule_set.modified_at.timestamp()}:{run.pk}:{as_of}"
    donors = cache.get(key)
    if donors is None:
        donors = goal_donor_count(rule_set=rule_set)
        cache.set(key, donors, TO_GO_SECONDS)
    return DonorGoal(donors=donors, goal=rule_set.total_donors, name=rule_set.name)


@dataclass(frozen=True)
class GoalSummary:
    """The active goal and its unique donors so far, for pages beside the goal's own."""

    rule_set: ThresholdRuleSet
    donors: int | None  # None until a resolution run has finished
    started: bool  # the counting window has begun

    @property
    def to_go(self) -> int | None:
        return None if self.donors is None else max(0, self.rule_set.total_donors - self.donors)

    @property
    def percent(self) -> int:
        if self.donors is None:
            return 0
        return min(100, self.donors * 100 // self.rule_set.total_donors)


def goal_summary(*, user) -> GoalSummary | None:
    """The active goal's unique donors, the figure its progress page opens with.

    Counted by ``goal_donor_count`` under the progress page's default refund rule, uncached
    beyond the tally it reads (kept until a gift or a run changes it), so the two pages never
    show different numbers. The count is no secret (donation pages show it to supporters);
    the goal's pages are still finance's. None when there is no active goal.
    """
    if not user.can(PEOPLE_VIEW):
        return None
    rule_set = active_rule_set()
    if rule_set is None:
        return None
    today = timezone.localdate()
    donors = goal_donor_count(rule_set=rule_set, today=today)
    started = min(today, rule_set.window_end) >= rule_set.window_start
    return GoalSummary(rule_set=rule_set, donors=donors, started=started)


def donors_to_go(*, rule_set: ThresholdRuleSet | None = None) -> int | None:
    """Unique donors still needed for the goal (the active one by default); None if unknown."""
    figures = goal_figures(rule_set=rule_set)
    return figures.to_go if figures is not None else None


def _unique_slug(name: str, exclude_pk: int | None) -> str:
    base = slugify(name)[:100] or "goal"
    slug, n = base, 2
    while ThresholdRuleSet.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def rule_set_save(*, rule_set: ThresholdRuleSet, user=None) -> ThresholdRuleSet:
    """Create or change a custom donor goal (shipped ones are read-only); audited."""
    if rule_set.pk and ThresholdRuleSet.objects.filter(pk=rule_set.pk, builtin=True).exists():
        raise ValidationError("The DNC's rule sets are shipped with Groundswell and read-only.")
    creating = rule_set.pk is None
    rule_set.builtin = False
    rule_set.slug = _unique_slug(rule_set.name, rule_set.pk)
    if creating:
        rule_set.created_by = user if user is not None and user.pk else None
    rule_set.full_clean()
    rule_set.save()
    audit_record(
        actor=user,
        action="identity.goal_create" if creating else "identity.goal_change",
        summary=f"{'Created' if creating else 'Changed'} donor goal {rule_set.name}",
        target=rule_set,
        details={
            "total_donors": rule_set.total_donors,
            "per_state_minimum": rule_set.per_state_minimum,
            "states_required": rule_set.states_required,
            "window": [rule_set.window_start.isoformat(), rule_set.window_end.isoformat()],
            "deadline": rule_set.deadline.isoformat(),
        },
    )
    return rule_set


@transaction.atomic
def rule_set_activate(*, rule_set: ThresholdRuleSet | None, user=None) -> None:
    """Make a rule set the campaign's goal (None: no goal); donation pages count toward it."""
    # Cleared first: the database allows one active row, and the swap is one transaction.
    ThresholdRuleSet.objects.filter(active=True).update(active=False)
    if rule_set is not None:
        ThresholdRuleSet.objects.filter(pk=rule_set.pk).update(active=True)
        rule_set.active = True
    audit_record(
        actor=user,
        action="identity.goal_activate",
        summary=f"Donor goal set to {rule_set.name}" if rule_set else "Donor goal cleared",
        target=rule_set,
    )


@transaction.atomic
def rule_set_delete(*, rule_set: ThresholdRuleSet, user=None) -> None:
    """Delete a custom donor goal (shipped ones stay); audited."""
    if rule_set.builtin:
        raise ValidationError("The DNC's rule sets are shipped with Groundswell and read-only.")
    audit_record(
        actor=user,
        action="identity.goal_delete",
        summary=f"Deleted donor goal {rule_set.name}",
        target=rule_set,
    )
    rule_set.delete()


SHIPPED_RULE_SETS = Path(__file__).resolve().parent / "data" / "debate_thresholds.json"


def shipped_rule_sets_load() -> int:
    """(Re)load the DNC's 2019-20 debate rule sets shipped as data; the number loaded.

    Migration 0002 loads them on install (with its own historical copy of this code, as a
    migration must). This is for what empties the table afterwards: a test database flushed by
    a transactional test keeps no migration data, and tests put the rule sets back with it.
    """
    rows = json.loads(SHIPPED_RULE_SETS.read_text())["rule_sets"]
    for row in rows:
        ThresholdRuleSet.objects.update_or_create(
            slug=row["slug"],
            defaults={
                "name": row["name"],
                "description": (
                    f"{row['total_donors']:,} unique donors, with at least "
                    f"{row['per_state_minimum']:,} in each of at least "
                    f"{row['states_required']} states."
                ),
                "builtin": True,
                "total_donors": row["total_donors"],
                "per_state_minimum": row["per_state_minimum"],
                "states_required": row["states_required"],
                "window_start": date.fromisoformat(row["window_start"]),
                "window_end": date.fromisoformat(row["deadline"]),
                "deadline": date.fromisoformat(row["deadline"]),
            },
        )
    return len(rows)
