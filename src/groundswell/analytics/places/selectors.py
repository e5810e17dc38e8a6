"""The Donors by place page's reads: states, ZIP3 bins and the debate-threshold panel.

Donor counts are for every staff role that may see people (donation pages show the goal's
count to supporters); net dollars by state are finance data, dropped here for anyone without
FINANCE_VIEW so no template can show them by mistake.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
    # The comparison period's, when one was asked for (net: finance only, as above).
    before_donors: int | None = None
    before_net_cents: int | None = None

    @property
    def change(self) -> int | None:
        return None if self.before_donors is None else self.donors - self.before_donors

    @property
    def net_change(self) -> int | None:
        if self.net_cents is None or self.before_net_cents is None:
            return None
        return self.net_cents - self.before_net_cents


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
    segment_size: int = 0  # the segment's people now (nothing to count when 0)
    before: tuple[date, date] | None = None  # the comparison period, when one was asked for
    # The states table beside the comparison period: every state either period counts.
    compared: list[PlaceRow] = field(default_factory=list)

    @property
    def donors(self) -> int:
        return sum(row.donors for row in self.states)

    @property
    def before_donors(self) -> int | None:
        if self.before is None:
            return None
        return sum(row.before_donors or 0 for row in self.compared)

    @property
    def shown(self) -> bool:
        """Anything for the states table: the range's donors, or the comparison period's."""
        return not self.empty or bool(self.compared)

    @property
    def state_rows(self) -> list[PlaceRow]:
        """The states table's rows: beside the comparison period's when there is one."""
        return self.compared if self.before is not None else self.states

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
    compare: str = "",
) -> Places:
    """Unique donors by state and ZIP3 for a range (only the donors of ``segment``'s people when
    one is given), the states beside the comparison period ``compare`` names
    (``filters.COMPARISONS``), and the states against a per-state minimum (always every donor:
    the goal's count). ZIP3 areas are not compared: each period's bins are folded on their own
    (``places.metrics.zip3_fold``), and the difference of two bins could point at someone."""
    if not user.can(PEOPLE_VIEW):
        raise PermissionError("donors by place is for staff who may see people")
    finance = user.can(FINANCE_VIEW)
    before = filters.comparison_range(start, end, compare)
    people = filters.segment_person_ids(segment) if segment is not None else None
    with engine_open() as engine:
        counted = engine if people is None else filters.engine_scoped(engine, people)
        rows = places.donors_by_state(counted, start=start, end=end)
        earlier = places.donors_by_state(counted, start=before[0], end=before[1]) if before else []
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
        segment_size=len(people or ()),
        before=before,
        compared=_compared(rows, earlier, finance=finance) if before else [],
    )


def _compared(rows, earlier, *, finance: bool) -> list[PlaceRow]:
    """Each state either period counts, with both periods' figures (zero where a period has
    none); without finance, states with donors in neither period are left out, as above."""
    now = {r.code: r for r in rows}
    then = {r.code: r for r in earlier}
    names = {r.code: r.name for r in [*earlier, *rows]}
    compared = []
    for code, name in names.items():
        a, b = now.get(code), then.get(code)
        donors, before_donors = a.donors if a else 0, b.donors if b else 0
        if not finance and not (donors or before_donors):
            continue
        compared.append(
            PlaceRow(
                code,
                name,
                donors,
                (a.net_cents if a else 0) if finance else None,
                before_donors,
                (b.net_cents if b else 0) if finance else None,
            )
        )
    return sorted(compared, key=lambda r: (r.code == places.NO_STATE, r.name))
