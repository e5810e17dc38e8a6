"""Deciding an A/B test: which variant wins, with what certainty, and when to stop one.

Model-free and app-free, so mailings (subject, sender and content tests) and actions (page-copy
variants) decide the same way. The caller counts; this module decides.

**The method.** Two parts, each doing what it is good at:

1. *Whether there is a winner* is an always-valid sequential test, the mixture sequential
   probability ratio test (mSPRT) of Johari, Pekelis and Walsh, "Always Valid Inference:
   Continuous Monitoring of A/B Tests", Operations Research 70(3), 2022 (the method behind
   Optimizely's stats engine). For the leader L against each other variant O, with
   d = x̄_L − x̄_O the observed difference of the per-recipient means and V = s²_L/n_L + s²_O/n_O
   its estimated variance, the mixture likelihood ratio under a N(0, τ²) mixing prior on the
   true difference is

       Λ = sqrt(V / (V + τ²)) · exp( τ² d² / (2 V (V + τ²)) ).

   Under "no difference" Λ is a non-negative martingale (asymptotically, through the normal
   approximation), so by Ville's inequality P(Λ ever ≥ 1/α) ≤ α: the test may be looked at
   after every batch, as often as anyone likes, and still wrongly name a winner with
   probability at most α. The leader must beat every other variant at α / (number of pairs),
   a Bonferroni bound that holds whichever variant happens to lead. τ is the size of
   difference worth finding, `Policy.effect_of_interest` times the pooled mean.
2. *How big the difference is* is a Bayesian posterior, shown to staff: each variant's mean
   with a credible interval, the probability that it is best, and the expected loss of
   choosing it, E[max_j θ_j − θ_i] (Stucchio, "Bayesian A/B testing at VWO", 2015). A winner
   is declared only when the sequential test says so, every variant has at least
   `Policy.min_per_variant` recipients, AND the leader's expected loss is below the "threshold
   of caring" (`Policy.caring`, relative to its mean): significance and a posterior that agrees.

**Metrics.** Opens, clicks, actions and page conversions are rates: Beta(1 + k, 1 + n − k) per
variant (a uniform prior). Dollars per recipient is most recipients giving 0 and a few giving
skewed amounts, so it is modelled as P(give) × mean gift: a Beta posterior for the rate times a
Bayesian bootstrap (Rubin 1981) of the mean gift, i.e. Dirichlet weights over the observed gift
amounts. The bootstrap is chosen over a log-normal or gamma model because gifts cluster on the
ask ladder ($5, $25, $100) with a long tail of large gifts, which no simple parametric family
fits; the bootstrap assumes no shape. A variant with no gift yet borrows the other variants'
amounts (its rate posterior still keeps it near zero).

**The circuit breaker.** A variant is stopped when its unsubscribe (or complaint) rate is above
a threshold with posterior probability > `breaker_confidence` and at least `breaker_min_events`
such events were seen, so one unlucky unsubscribe never trips it. With a uniform prior,
P(rate > t) is the upper tail of Beta(1 + u, 1 + n − u), computed exactly rather than sampled.

Randomness comes from a seeded generator (`Policy.seed`): the same counts give the same figures.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from statistics import NormalDist
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


class Metric(StrEnum):
    OPENS = "opens"
    CLICKS = "clicks"
    ACTIONS = "actions"
    CONVERSIONS = "conversions"  # an action page's sign-ups per visitor
    DOLLARS = "dollars"  # cents given per recipient


class State(StrEnum):
    COLLECTING = "collecting"
    DECIDED = "decided"
    STOPPED = "stopped"  # every variant tripped the circuit breaker
    NO_WINNER = "no_winner"  # the deadline came without a clear winner


@dataclass(frozen=True)
class Arm:
    """What one variant has gathered so far.

    `successes` counts recipients who opened, clicked or acted (rate metrics); `gifts_cents`
    holds one positive total per recipient who gave (dollars per recipient), in integer cents.
    """

    name: str
    recipients: int
    successes: int = 0
    gifts_cents: Sequence[int] = ()
    unsubscribes: int = 0
    complaints: int = 0


@dataclass(frozen=True)
class Policy:
    """How a test is decided; the defaults suit a mailing test of a few thousand recipients."""

    metric: Metric = Metric.CLICKS
    alpha: float = 0.05  # the false-winner rate the sequential test guarantees, peeking included
    min_per_variant: int = 1000
    effect_of_interest: float = 0.25  # τ, relative to the pooled mean
    caring: float = 0.05  # the leader's expected loss must be below this share of its mean
    interval: float = 0.90
    unsubscribe_limit: float = 0.01  # 1% of recipients
    complaint_limit: float = 0.001  # 0.1%: mailbox providers start filtering near 0.3%
    breaker_confidence: float = 0.95
    breaker_min_events: int = 3
    draws: int = 4000
    seed: int = 20260101


@dataclass
class Estimate:
    """One variant's figures: its observed mean per recipient (what staff can check against the
    counts) with the posterior's credible interval, probability best and expected loss."""

    name: str
    recipients: int
    mean: float  # a rate in [0, 1], or cents per recipient
    low: float
    high: float
    prob_best: float
    expected_loss: float
    stopped: str = ""  # why the circuit breaker stopped it, if it did


@dataclass
class Decision:
    state: State
    metric: Metric
    winner: str | None
    leader: str | None  # the best so far even without a decision, for a fallback at a deadline
    estimates: list[Estimate] = field(default_factory=list)
    sentence: str = ""
    min_per_variant: int = 0  # the sample each variant needs before a winner can be named

    def estimate(self, name: str) -> Estimate:
        return next(e for e in self.estimates if e.name == name)


# ---------------------------------------------------------------- posteriors


def _rate_draws(arm: Arm, successes: int, draws: int, rng: np.random.Generator) -> np.ndarray:
    n = max(arm.recipients, successes)
    return rng.beta(1 + successes, 1 + n - successes, size=draws)


def _mean_gift_draws(gifts: Sequence[int], draws: int, rng: np.random.Generator) -> np.ndarray:
    """The Bayesian bootstrap of the mean gift: Dirichlet weights over the distinct amounts.

    Ties share one Dirichlet component with concentration equal to their count, which is the
    same distribution as one weight per gift and keeps the work proportional to the number of
    distinct amounts (a ladder campaign has few).
    """
    import numpy as np  # loaded with the first decision (see decide)

    if not gifts:
        return np.zeros(draws)
    amounts, counts = np.unique(np.asarray(gifts, dtype=float), return_counts=True)
    weights = rng.gamma(counts, size=(draws, len(amounts)))
    return (weights @ amounts) / weights.sum(axis=1)


def _draws(arms: Sequence[Arm], policy: Policy, rng: np.random.Generator) -> np.ndarray:
    """Posterior draws of each variant's mean per recipient, one row per variant."""
    import numpy as np  # loaded with the first decision (see decide)

    if policy.metric is not Metric.DOLLARS:
        return np.vstack([_rate_draws(a, a.successes, policy.draws, rng) for a in arms])
    pooled = [g for a in arms for g in a.gifts_cents]
    rows = []
    for arm in arms:
        rate = _rate_draws(arm, len(arm.gifts_cents), policy.draws, rng)
        rows.append(rate * _mean_gift_draws(arm.gifts_cents or pooled, policy.draws, rng))
    return np.vstack(rows)


def _size(arm: Arm, metric: Metric) -> int:
    """Recipients, never fewer than those counted as responding (a caller's counts may come
    from two tables that disagree: a sign-up whose exposure was not recorded)."""
    responded = len(arm.gifts_cents) if metric is Metric.DOLLARS else arm.successes
    return max(arm.recipients, responded, 1)


def _sample_moments(arm: Arm, metric: Metric) -> tuple[float, float]:
    """The per-recipient sample mean and variance (zeros for those who did not respond)."""
    n = _size(arm, metric)
    if metric is Metric.DOLLARS:
        total = float(sum(arm.gifts_cents))
        squares = float(sum(g * g for g in arm.gifts_cents))
        mean = total / n
        variance = max((squares / n - mean * mean) * n / max(n - 1, 1), 0.0)
        return mean, variance
    # Smoothed by one success in two, so a variant with no clicks yet has a variance.
    p = (arm.successes + 1) / (n + 2)
    return arm.successes / n, p * (1 - p)


def msprt_ratio(*, difference: float, variance: float, tau2: float) -> float:
    """Λ, the mixture likelihood ratio of "a difference" against "none" (see the module)."""
    if variance <= 0 or tau2 <= 0:
        return 1.0
    exponent = tau2 * difference * difference / (2 * variance * (variance + tau2))
    # Capped well past any 1/α, so an overwhelming difference never overflows.
    return math.sqrt(variance / (variance + tau2)) * math.exp(min(exponent, 700.0))


def _beats_all(leader: int, arms: Sequence[Arm], policy: Policy) -> bool:
    moments = [_sample_moments(a, policy.metric) for a in arms]
    sizes = [_size(a, policy.metric) for a in arms]
    pooled_mean = sum(m[0] * n for m, n in zip(moments, sizes, strict=True))
    total = sum(sizes)
    tau2 = (policy.effect_of_interest * pooled_mean / total) ** 2
    pairs = len(arms) * (len(arms) - 1) / 2
    bar = pairs / policy.alpha
    for other, arm in enumerate(arms):
        if other == leader:
            continue
        (m_l, v_l), (m_o, v_o) = moments[leader], moments[other]
        n_l, n_o = _size(arms[leader], policy.metric), _size(arm, policy.metric)
        variance = v_l / n_l + v_o / n_o
        if m_l <= m_o or msprt_ratio(difference=m_l - m_o, variance=variance, tau2=tau2) < bar:
            return False
    return True


# ---------------------------------------------------------------- the circuit breaker


def prob_rate_above(*, events: int, recipients: int, limit: float) -> float:
    """P(true rate > limit | events of recipients) under a uniform prior: the upper tail of
    Beta(1 + u, 1 + n − u), exactly (scipy's regularised incomplete beta function)."""
    from scipy.special import betaincc  # loaded when first needed (see decide)

    n, u = max(recipients, events), events
    if limit <= 0:
        return 1.0
    if limit >= 1:
        return 0.0
    return float(betaincc(1 + u, 1 + n - u, limit))


def breaker_reason(arm: Arm, policy: Policy) -> str:
    """Why this variant must stop, or "" if its unsubscribes and complaints are tolerable."""
    for events, limit, what in (
        (arm.complaints, policy.complaint_limit, "complaint"),
        (arm.unsubscribes, policy.unsubscribe_limit, "unsubscribe"),
    ):
        if events < policy.breaker_min_events:
            continue
        p = prob_rate_above(events=events, recipients=arm.recipients, limit=limit)
        if p > policy.breaker_confidence:
            return (
                f"its {what} rate is above {_percent(limit)} with {chance(p)} probability "
                f"({events:,} {what}s of {arm.recipients:,})"
            )
    return ""


# ---------------------------------------------------------------- the decision


def decide(
    *,
    arms: Sequence[Arm],
    policy: Policy,
    deadline_reached: bool = False,
    remaining_share: float | None = None,
) -> Decision:
    """Decide a test from its counts so far (see the module for the method).

    `remaining_share` (0–1) is the part of the audience still waiting for the winner; it only
    changes the sentence. At the deadline an undecided test is "no clear winner".
    """
    if len(arms) < 2:
        raise ValueError("a test needs at least two variants")
    if any(min(a.recipients, a.successes, a.unsubscribes, a.complaints) < 0 for a in arms):
        raise ValueError("counts cannot be negative")
    # numpy and scipy load on the first decision, not with every process that imports the
    # selectors (about 0.7 s on a small machine), as docs/development.md allows for heavy ones.
    import numpy as np

    rng = np.random.default_rng(policy.seed)
    draws = _draws(arms, policy, rng)
    estimates = _estimates(arms, draws, policy)
    for arm, estimate in zip(arms, estimates, strict=True):
        estimate.stopped = breaker_reason(arm, policy)
    live = [i for i, e in enumerate(estimates) if not e.stopped]
    leader = max(live or range(len(arms)), key=lambda i: estimates[i].mean)
    decision = Decision(
        state=State.COLLECTING,
        metric=policy.metric,
        winner=None,
        leader=arms[leader].name,
        estimates=estimates,
        min_per_variant=policy.min_per_variant,
    )
    if not live:
        decision.state = State.STOPPED
    elif len(live) == 1 and len(arms) > 1:
        decision.state, decision.winner = State.DECIDED, arms[live[0]].name
    elif _significant(live, leader, arms, estimates, policy):
        decision.state, decision.winner = State.DECIDED, arms[leader].name
    elif deadline_reached:
        decision.state = State.NO_WINNER
    decision.sentence = decision_sentence(decision, remaining_share=remaining_share)
    return decision


def _significant(live, leader, arms, estimates, policy: Policy) -> bool:
    contenders = [arms[i] for i in live]
    if any(a.recipients < policy.min_per_variant for a in contenders):
        return False
    lead = estimates[leader]
    if lead.expected_loss > policy.caring * max(lead.mean, 1e-12):
        return False
    return _beats_all(live.index(leader), contenders, policy)


def _estimates(arms: Sequence[Arm], draws: np.ndarray, policy: Policy) -> list[Estimate]:
    """The observed mean per recipient (what staff can check against the counts), with the
    posterior's interval, probability best and expected loss."""
    import numpy as np  # loaded with the first decision (see decide)
    from scipy.special import betaincinv

    best = draws.max(axis=0)
    ties = draws == best
    # Ties (e.g. no gifts anywhere yet) share the "best" equally instead of going to the first.
    prob_best = (ties / ties.sum(axis=0)).mean(axis=1)
    loss = (best - draws).mean(axis=1)
    tail = (1 - policy.interval) / 2
    if policy.metric is Metric.DOLLARS:
        low, high = np.quantile(draws, [tail, 1 - tail], axis=1)
    else:
        # A rate's posterior is a Beta: its interval is exact, not sampled.
        a = np.array([1 + a.successes for a in arms], dtype=float)
        b = np.array([1 + max(a.recipients, a.successes) - a.successes for a in arms], float)
        low, high = betaincinv(a, b, tail), betaincinv(a, b, 1 - tail)
    return [
        Estimate(
            name=arm.name,
            recipients=arm.recipients,
            mean=float(_sample_moments(arm, policy.metric)[0]),
            low=float(low[i]),
            high=float(high[i]),
            prob_best=float(prob_best[i]),
            expected_loss=float(loss[i]),
        )
        for i, arm in enumerate(arms)
    ]


# ---------------------------------------------------------------- a proportion's interval


def wilson_interval(successes: int, n: int, *, level: float = 0.95) -> tuple[float, float]:
    """The Wilson score interval of a proportion, successes of n, at ``level`` confidence.

    For comparing shares between segments rather than deciding a test: unlike the normal
    approximation p ± z·sqrt(p(1 − p)/n) it stays inside [0, 1] and keeps a sensible width at
    0 or n successes and for small n (Wilson, "Probable inference, the law of succession, and
    statistical inference", JASA 22, 1927). With n = 0 nothing is known: (0, 1).
    """
    if n < 0 or successes < 0 or successes > n:
        raise ValueError("a proportion needs 0 <= successes <= n")
    if n == 0:
        return 0.0, 1.0
    z = NormalDist().inv_cdf(1 - (1 - level) / 2)
    p = successes / n
    z2n = z * z / n
    centre = (p + z2n / 2) / (1 + z2n)
    half = z / (1 + z2n) * math.sqrt(p * (1 - p) / n + z2n / (4 * n))
    # Rounding must not push an end past the certain share at 0 or n successes.
    return max(0.0, centre - half), min(1.0, centre + half)


# ---------------------------------------------------------------- the sentence


def _percent(rate: float) -> str:
    return f"{100 * rate:.1f}%" if rate >= 0.001 or rate == 0 else f"{100 * rate:.2f}%"


def chance(probability: float) -> str:
    """A probability as staff read it; never "100%" (or "0%"), which a sample cannot prove."""
    if probability > 0.99:
        return "over 99%"
    if probability < 0.01:
        return "under 1%"
    return f"{probability:.0%}"


def figure(metric: Metric, value: float) -> str:
    """A variant's mean as staff read it: "$0.42" per recipient, or "4.1%"."""
    if metric is Metric.DOLLARS:
        return f"${value / 100:,.2f}" if value >= 1 or value == 0 else f"${value / 100:,.3f}"
    return _percent(value)


_VERBS = {
    Metric.DOLLARS: "raised {} per recipient",
    Metric.OPENS: "was opened by {} of recipients",
    Metric.CLICKS: "was clicked by {} of recipients",
    Metric.ACTIONS: "led {} of recipients to act",
    Metric.CONVERSIONS: "converted {} of visitors",
}


def _comparison(decision: Decision, name: str) -> str:
    first = decision.estimate(name)
    others = [e for e in decision.estimates if e.name != name]
    against = " and ".join(f"{figure(decision.metric, e.mean)} for {e.name}" for e in others)
    said = _VERBS[decision.metric].format(figure(decision.metric, first.mean))
    return f"{name} {said} against {against}"


def decision_sentence(decision: Decision, *, remaining_share: float | None = None) -> str:
    """The decision in one sentence for the UI."""
    stopped = [e for e in decision.estimates if e.stopped]
    halted = "".join(f" {e.name} was stopped: {e.stopped}." for e in stopped)
    if decision.state is State.STOPPED:
        return f"The test was stopped by the circuit breaker.{halted}"
    leader = decision.estimate(decision.leader)
    better = "better" if len(decision.estimates) == 2 else "the best"
    certainty = f"{leader.name} is {better} with {chance(leader.prob_best)} probability"
    if decision.state is State.DECIDED:
        if remaining_share is not None:
            then = f"sending {leader.name} to the remaining {remaining_share:.0%}"
        else:
            then = f"{leader.name} can be kept for everyone"
        if stopped and len(stopped) == len(decision.estimates) - 1:
            return f"{leader.name} is the only variant left.{halted} {then[0].upper()}{then[1:]}."
        return f"{_comparison(decision, leader.name)}; {certainty}; {then}."
    if decision.state is State.NO_WINNER:
        return (
            f"No clear winner by the deadline: {_comparison(decision, leader.name)} "
            f"({chance(leader.prob_best)} probability it is {better}).{halted}"
        )
    fewest = min(e.recipients for e in decision.estimates if not e.stopped)
    progress = (
        f" ({fewest:,} of the {decision.min_per_variant:,} needed per variant)"
        if fewest < decision.min_per_variant
        else ""
    )
    return (
        f"Still collecting{progress}: {_comparison(decision, leader.name)} so far "
        f"({chance(leader.prob_best)} probability it is {better}); too early to call.{halted}"
    )
