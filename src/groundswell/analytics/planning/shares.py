"""A share with its 95% interval, and ranking shares without crowning a winner by chance.

The interval is the Wilson score interval (``core.experiments.wilson_interval``). A ranking
names a leader only when the leader's interval clears the runner-up's entirely; overlapping
intervals are "no clear leader", and a group smaller than ``TOO_FEW`` is "too few to tell"
whatever its shares say.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from groundswell.core.experiments import wilson_interval

# Below this many people a share's interval is so wide (about ±18 points at 30) that a table
# would invite reading noise; the page says "too few to tell" instead of ranking.
TOO_FEW = 30


@dataclass
class Share:
    """``k`` of ``n`` people, with the 95% Wilson interval of k/n."""

    k: int
    n: int
    low: float = field(init=False)
    high: float = field(init=False)

    def __post_init__(self) -> None:
        # Counts from two tables can disagree (a response from someone the ledger does not
        # show as reached): never fewer people than responded, as core.experiments sizes arms.
        self.n = max(self.n, self.k)
        self.low, self.high = wilson_interval(self.k, self.n)

    @property
    def value(self) -> float | None:
        return self.k / self.n if self.n else None

    @property
    def too_few(self) -> bool:
        return self.n < TOO_FEW

    @property
    def percent(self) -> str:
        return "–" if self.value is None else f"{100 * self.value:.1f}%"

    @property
    def interval(self) -> str:
        if not self.n:
            return "–"
        return f"{100 * self.low:.1f}–{100 * self.high:.1f}%"


@dataclass
class Ranking:
    """Who leads among some named shares, if anyone clearly does."""

    order: list[str]  # names, highest share first
    leader: str | None
    tied: list[str]  # names whose interval reaches the top one's (the top included)
    too_few: bool

    @property
    def sentence(self) -> str:
        if self.too_few:
            return f"Too few to tell (under {TOO_FEW} people)."
        if not self.order:
            return ""
        if self.leader:
            return f"{self.leader} leads: its interval clears the next one's."
        return "No clear leader: " + ", ".join(self.tied) + " overlap."


def rank(shares: dict[str, Share]) -> Ranking:
    """Rank named shares; a leader only when its interval lies wholly above the runner-up's."""
    order = sorted(shares, key=lambda name: (-(shares[name].value or 0), name))
    too_few = not shares or any(s.too_few for s in shares.values())
    if too_few or len(order) < 2:
        return Ranking(order=order, leader=None, tied=order[:1], too_few=too_few)
    top, second = shares[order[0]], shares[order[1]]
    leader = order[0] if top.low > second.high else None
    tied = [name for name in order if shares[name].high >= top.low]
    return Ranking(order=order, leader=leader, tied=tied, too_few=False)
