"""The Donors by place page's reads: states, ZIP3 bins and the debate-threshold panel.

Donor counts are for every staff role that may see people (donation pages show the goal's
count to supporters); net dollars by state are finance data, dropped here for anyone without
FINANCE_VIEW so no template can show them by mistake.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings

from groundswell.accounts.roles import FINANCE_VIEW, PEOPLE_VIEW
from groundswell.analytics import filters
from groundswell.analytics.engine import engine_open
from groundswell.analytics.places import metrics as places
from groundswell.identity.thresholds import active_rule_set
from groundswell.segments.models import Segment

ZIP3_PER_PAGE = 50


@dataclass(frozen=True)
class PlaceRow:
    code: str
    name: str
    donors: int
    net_cents: int | None  # None for viewers without FINANCE_VIEW


@dataclass(frozen=True)
class Threshold:
    view: places.ThresholdView
    goal_name: str  # "" when the minimum is the viewer's own, not a goal's
    started: bool  # the goal's counting window has begun (always, without a goal)


@dataclass(frozen=True)
class Places:
    start: date
    end: date
    fresh_at: datetime
    engine: str
    resolved: bool
    finance: bool
    states: list[PlaceRow]
    zip3: places.Zip3Bins
    zip3_page: list[places.Zip3Bin]
    zip3_number: int
    zip3_pages: int
    threshold: Threshold
    segment: Segment | None = None  # the figures above the threshold count only its donors

    @property
    def donors(self) -> int:
        return sum(row.donors for row in self.states)

    @property
    def empty(self) -> bool:
        return not self.states


def min_bin() -> int:
    """The fewest people a ZIP3 bin may show (GROUNDSWELL_ANALYTICS_MIN_BIN, default 10)."""
    return max(2, int(getattr(settings, "GROUNDSWELL_ANALYTICS_MIN_BIN", 10)))


def _threshold(engine, rows, *, start, end, today, minimum) -> Threshold:
    """Against the active goal's per-state minimum over its window when it sets one, else
    against ``minimum`` over the page's range."""
    goal = active_rule_set()
    if goal is None or goal.per_state_minimum < 1:
        view = places.threshold_view(
            rows, start=start, end=end, minimum=minimum, states_required=None
        )
        return Threshold(view, "", True)
    window_end = min(today, goal.window_end)
    started = window_end >= goal.window_start
    if not started:
        rows = []
    elif (goal.window_start, window_end) != (start, end):
        rows = places.donors_by_state(engine, start=goal.window_start, end=window_end)
    view = places.threshold_view(
        rows,
        start=goal.window_start,
        end=max(window_end, goal.window_start),
        minimum=goal.per_state_minimum,
        states_required=goal.states_required,
    )
    return Threshold(view, goal.name, started)


def places_read(
    *,
    user,
    start: date,
    end: date,
    today: date,
    minimum: int,
    zip3_page: int = 1,
    segment: Segment | None = None,
) -> Places:
    """Unique donors by state and ZIP3 for a range (only the donors of ``segment``'s people when
    one is given), and the states against a per-state minimum (always every donor: the goal's
    count)."""
    if not user.can(PEOPLE_VIEW):
        raise PermissionError("donors by place is for staff who may see people")
    finance = user.can(FINANCE_VIEW)
    with engine_open() as engine:
        counted = engine
        if segment is not None:
            counted = filters.engine_scoped(engine, filters.segment_person_ids(segment))
        rows = places.donors_by_state(counted, start=start, end=end)
        zip3 = places.donors_by_zip3(counted, start=start, end=end, minimum=min_bin())
        every = rows if segment is None else places.donors_by_state(engine, start=start, end=end)
        threshold = _threshold(engine, every, start=start, end=end, today=today, minimum=minimum)
        fresh_at, name, resolved = engine.fresh_at, engine.name, engine.resolved
    states = [
        PlaceRow(r.code, r.name, r.donors, r.net_cents if finance else None)
        for r in rows
        if finance or r.donors
    ]
    pages = max(1, -(-len(zip3.bins) // ZIP3_PER_PAGE))
    number = min(max(1, zip3_page), pages)
    first = (number - 1) * ZIP3_PER_PAGE
    return Places(
        start=start,
        end=end,
        fresh_at=fresh_at,
        engine=name,
        resolved=resolved,
        finance=finance,
        states=states,
        zip3=zip3,
        zip3_page=zip3.bins[first : first + ZIP3_PER_PAGE],
        zip3_number=number,
        zip3_pages=pages,
        threshold=threshold,
        segment=segment,
    )
