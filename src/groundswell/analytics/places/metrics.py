"""Donors by place: unique donors and net dollars by state, ZIP3 bins, the debate threshold.

Registered in ``analytics.metrics.METRICS`` beside the other definitions and built on the same
``donor_gifts`` (identity clusters, counted gifts, the campaign's days), so the state counts are
the donor-goal page's (``identity.thresholds.progress``), which a test checks.

Where a donor is counted: a donor who gave from two states counts once, in the state of their
latest counted gift in the range that names a state (then the latest gift id), exactly as the
identity tally does. A goal is met where people give now, and the latest address is the one
the campaign would write to; counting a mover in both states would make the per-state figures
add up to more donors than there are. The same rule places a donor in a ZIP3 area (their latest
gift with a five-digit ZIP).

Dollars are another matter: net dollars by state follow each gift's own address, as the FEC's
by-state receipts do, so the states' net adds up to the finance page's net for the range (a
test checks that). A state can therefore show dollars from a donor now counted elsewhere.

State names are read as identity.selectors.state_code reads them ("Vermont", "vt.", "VT"), in
SQL: upper case, anything but letters made a space, spaces collapsed; anything else is no state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import ibis

from groundswell.analytics import metrics
from groundswell.analytics.engine import Engine
from groundswell.identity.selectors import STATES

_ALIASES = {name.upper(): code for code, name in STATES.items()} | {code: code for code in STATES}
# identity.selectors._BY_NAME's extra spellings.
_ALIASES |= {
    "WASHINGTON DC": "DC",
    "WASHINGTON D C": "DC",
    "D C": "DC",
    "VIRGIN ISLANDS": "VI",
    "US VIRGIN ISLANDS": "VI",
    "NORTHERN MARIANA": "MP",
}
NO_STATE = ""


def _state_code(column):
    text = column.fill_null("").upper().re_replace(r"[^A-Z ]+", " ")
    text = metrics.trimmed(text.re_replace(r" +", " "))
    return text.substitute(_ALIASES, else_=NO_STATE)


def _zip3(column):
    digits = column.fill_null("").re_replace(r"[^0-9]", "")
    return ibis.ifelse(digits.length() >= 5, digits.substr(0, 3), NO_STATE)


def _latest_place(gifts: ibis.Table, place: str) -> ibis.Table:
    """Each donor with a gift in ``gifts``, and the ``place`` of their latest gift naming one."""
    located = gifts.filter(gifts[place] != NO_STATE)
    ranked = located.mutate(
        rank=ibis.row_number().over(
            group_by=located.donor,
            order_by=[ibis.desc(located.received_at), ibis.desc(located.id)],
        )
    )
    latest = ranked.filter(ranked["rank"] == 0)
    latest = latest.select(where_donor=latest.donor, where=latest[place])
    everyone = gifts.select("donor").distinct()
    joined = everyone.left_join(latest, everyone.donor == latest.where_donor)
    return joined.select(donor=joined.donor, place=joined.where.fill_null(NO_STATE))


@dataclass(frozen=True)
class StateRow:
    code: str  # "" for gifts and donors naming no state we know
    name: str
    donors: int
    net_cents: int


@metrics.metric("donors_by_state", "Unique donors and net dollars by state", finance=False)
def donors_by_state(engine: Engine, *, start: date, end: date) -> list[StateRow]:
    """Unique donors by the state of their latest gift, with the net of the gifts made from each
    state (finance data: pages show it to FINANCE_VIEW only). States with neither are left out;
    the row without a state comes last."""
    gifts = metrics._in_range(metrics.donor_gifts(engine), start, end)
    gifts = gifts.mutate(state=_state_code(gifts.donor_state))
    placed = _latest_place(gifts, "state")
    donors = placed.group_by("place").aggregate(donors=placed.donor.count())
    money = metrics._in_range(metrics._gifts(engine), start, end)
    money = money.filter(metrics._is_counted(money))
    money = money.mutate(place=_state_code(money.donor_state))
    net = money.group_by("place").aggregate(
        net_cents=(money.amount_cents - money.refunded_cents).sum()
    )
    found: dict[str, list[int]] = {}
    for row in engine.arrow(donors).to_pylist():
        found.setdefault(row["place"], [0, 0])[0] = row["donors"]
    for row in engine.arrow(net).to_pylist():
        found.setdefault(row["place"], [0, 0])[1] = int(row["net_cents"] or 0)
    rows = [
        StateRow(code, STATES.get(code, "No state given"), donors, net_cents)
        for code, (donors, net_cents) in found.items()
        if donors or net_cents
    ]
    return sorted(rows, key=lambda r: (r.code == NO_STATE, r.name))


@dataclass(frozen=True)
class StateThreshold:
    code: str
    name: str
    donors: int
    minimum: int

    @property
    def met(self) -> bool:
        return self.donors >= self.minimum

    @property
    def shortfall(self) -> int:
        return max(0, self.minimum - self.donors)


@dataclass(frozen=True)
class ThresholdView:
    minimum: int
    states_required: int | None  # the goal's K states; None when no goal sets it
    start: date
    end: date
    states: list[StateThreshold]  # every state, DC and territory: met first, then closest

    @property
    def qualifying(self) -> int:
        return sum(1 for s in self.states if s.met)

    @property
    def states_to_go(self) -> int | None:
        if self.states_required is None:
            return None
        return max(0, self.states_required - self.qualifying)


def threshold_view(
    rows: list[StateRow], *, start: date, end: date, minimum: int, states_required: int | None
) -> ThresholdView:
    """Each state against a per-state minimum of unique donors, and its shortfall.

    Built from ``donors_by_state``'s rows (one count, two views): states reaching the minimum
    first (most donors first), then the rest by smallest shortfall — where a few more donors
    would tip a state, as the goal page's "closest" list has it.
    """
    if minimum < 1:
        raise ValueError("the per-state minimum must be at least 1")
    by_code = {r.code: r.donors for r in rows}
    states = [
        StateThreshold(code, name, by_code.get(code, 0), minimum) for code, name in STATES.items()
    ]
    states.sort(key=lambda s: (not s.met, -s.donors if s.met else s.shortfall, s.name))
    return ThresholdView(minimum, states_required, start, end, states)


@dataclass(frozen=True)
class Zip3Bin:
    zip3: str
    donors: int


@dataclass(frozen=True)
class Zip3Bins:
    minimum: int
    bins: list[Zip3Bin]  # every bin with at least ``minimum`` donors, largest first
    other: int | None  # the smaller bins and donors without a ZIP; None when under minimum
    folded: int  # how many small ZIP3 areas went into "other" (an area count, no people)


@metrics.metric("donors_by_zip3", "Unique donors by ZIP3, small areas folded", finance=False)
def donors_by_zip3(engine: Engine, *, start: date, end: date, minimum: int) -> Zip3Bins:
    """Unique donors by the first three digits of their latest gift's ZIP, for privacy never a
    bin of fewer than ``minimum`` people, nor one that can be worked out (``zip3_fold``)."""
    if minimum < 2:
        raise ValueError("a bin of one person is that person: the minimum must be at least 2")
    gifts = metrics._in_range(metrics.donor_gifts(engine), start, end)
    gifts = gifts.mutate(zip3=_zip3(gifts.donor_postal_code))
    placed = _latest_place(gifts, "zip3")
    counted = placed.group_by("place").aggregate(donors=placed.donor.count())
    rows = engine.arrow(counted).to_pylist()
    return zip3_fold({row["place"]: row["donors"] for row in rows}, minimum=minimum)


def zip3_fold(counts: dict[str, int], *, minimum: int) -> Zip3Bins:
    """Bins from donors per ZIP3 (``NO_STATE`` for no ZIP), none under ``minimum``.

    Areas under the minimum go to "other". The page also shows the range's unique donors, so
    "other" is their total less the bins shown: were it under the minimum, withholding it would
    hide nothing. Then the smallest bins are folded in too (complementary suppression) until it
    reaches the minimum; only when every area is folded and the sum is still under it is
    "other" withheld, and the page's total is itself under the minimum.
    """
    bins, other, folded = [], 0, 0
    for place, donors in counts.items():
        if place != NO_STATE and donors >= minimum:
            bins.append(Zip3Bin(place, donors))
        else:
            other += donors
            folded += place != NO_STATE
    bins.sort(key=lambda b: (-b.donors, b.zip3))
    while bins and 0 < other < minimum:
        smallest = bins.pop()
        other += smallest.donors
        folded += 1
    return Zip3Bins(minimum, bins, other if other >= minimum or other == 0 else None, folded)
