"""A/B decisions on simulated responses: the right winner, no false winners under peeking, the
circuit breaker, and dollars per recipient with skewed gifts. Every simulation is seeded."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from groundswell.core.experiments import (
    Arm,
    Metric,
    Policy,
    State,
    breaker_reason,
    chance,
    decide,
    msprt_ratio,
    prob_rate_above,
)
from groundswell.core.tests.hostile import EXAMPLES

# Gifts cluster on an ask ladder with a long tail (cents), like a small-donor campaign's.
LADDER = np.array([500, 1000, 2500, 5000, 10000, 25000])
LADDER_P = np.array([0.35, 0.25, 0.2, 0.1, 0.07, 0.03])
HEAVY_LADDER = np.array([500, 1000, 2500, 5000, 10000, 25000, 100000])
HEAVY_P = np.array([0.3, 0.25, 0.2, 0.1, 0.08, 0.05, 0.02])


def run_rate_tests(*, rates, sims, looks, batch, seed, policy):
    """Each simulated test decides after every batch (peeking) until it names a winner."""
    rng = np.random.default_rng(seed)
    cumulative = [rng.binomial(batch, p, size=(sims, looks)).cumsum(axis=1) for p in rates]
    names = [chr(ord("A") + i) for i in range(len(rates))]
    winners = []
    for s in range(sims):
        winner = None
        for look in range(looks):
            arms = [
                Arm(name, batch * (look + 1), successes=int(c[s, look]))
                for name, c in zip(names, cumulative, strict=True)
            ]
            decision = decide(arms=arms, policy=policy)
            if decision.state is State.DECIDED:
                winner = decision.winner
                break
        winners.append(winner)
    return winners


def gifts_of(rng, recipients, give_rate, ladder=LADDER, p=LADDER_P):
    return list(rng.choice(ladder, size=rng.binomial(recipients, give_rate), p=p))


def run_dollar_tests(*, give_rates, sims, looks, batch, seed, policy, ladder=LADDER, p=LADDER_P):
    rng = np.random.default_rng(seed)
    winners = []
    for _ in range(sims):
        gifts = [[], []]
        winner = None
        for look in range(looks):
            for arm_gifts, rate in zip(gifts, give_rates, strict=True):
                arm_gifts += gifts_of(rng, batch, rate, ladder, p)
            n = batch * (look + 1)
            arms = [Arm("A", n, gifts_cents=gifts[0]), Arm("B", n, gifts_cents=gifts[1])]
            decision = decide(arms=arms, policy=policy)
            if decision.state is State.DECIDED:
                winner = decision.winner
                break
        winners.append(winner)
    return winners


CLICKS = Policy(metric=Metric.CLICKS, min_per_variant=1000, draws=1000)
DOLLARS = Policy(metric=Metric.DOLLARS, min_per_variant=1000, draws=1000)


# ---------------------------------------------------------------- rates


def test_a_real_difference_in_clicks_picks_the_right_winner_in_at_least_95_percent_of_tests():
    winners = run_rate_tests(
        rates=[0.05, 0.065], sims=200, looks=20, batch=500, seed=11, policy=CLICKS
    )
    assert winners.count("B") / len(winners) >= 0.95
    assert winners.count("A") == 0


def test_with_no_difference_peeking_after_every_batch_names_a_false_winner_at_most_5_percent():
    winners = run_rate_tests(
        rates=[0.05, 0.05], sims=300, looks=20, batch=500, seed=12, policy=CLICKS
    )
    false_winners = sum(w is not None for w in winners)
    assert false_winners / len(winners) <= CLICKS.alpha


def test_three_variants_with_no_difference_stay_under_the_error_when_peeked_at():
    winners = run_rate_tests(
        rates=[0.04, 0.04, 0.04], sims=150, looks=15, batch=500, seed=13, policy=CLICKS
    )
    assert sum(w is not None for w in winners) / len(winners) <= CLICKS.alpha


def test_the_best_of_three_variants_is_found():
    winners = run_rate_tests(
        rates=[0.05, 0.05, 0.07], sims=100, looks=20, batch=500, seed=14, policy=CLICKS
    )
    assert winners.count("C") / len(winners) >= 0.95


def test_no_winner_is_named_before_the_minimum_sample_however_large_the_difference():
    arms = [Arm("A", 400, successes=4), Arm("B", 400, successes=80)]
    decision = decide(arms=arms, policy=CLICKS)
    assert decision.state is State.COLLECTING
    assert decision.winner is None and decision.leader == "B"
    assert decision.estimate("B").prob_best > 0.99
    assert "too early to call" in decision.sentence


def test_an_undecided_test_at_its_deadline_has_no_clear_winner():
    arms = [Arm("A", 2000, successes=100), Arm("B", 2000, successes=104)]
    decision = decide(arms=arms, policy=CLICKS, deadline_reached=True)
    assert decision.state is State.NO_WINNER and decision.winner is None
    assert decision.sentence.startswith("No clear winner by the deadline: B was clicked by")


def test_each_variant_has_an_interval_around_its_rate_and_probabilities_sum_to_one():
    arms = [Arm("A", 5000, successes=250), Arm("B", 5000, successes=350)]
    decision = decide(arms=arms, policy=Policy(metric=Metric.OPENS, draws=4000))
    a, b = decision.estimate("A"), decision.estimate("B")
    assert a.low < 0.05 < a.high and b.low < 0.07 < b.high
    assert a.high - a.low == pytest.approx(2 * 1.645 * (0.05 * 0.95 / 5000) ** 0.5, rel=0.1)
    assert a.prob_best + b.prob_best == pytest.approx(1)
    assert b.expected_loss < a.expected_loss


def test_credible_intervals_cover_the_true_rate_about_90_percent_of_the_time():
    rng = np.random.default_rng(15)
    covered = 0
    for clicks in rng.binomial(2000, 0.05, size=200):
        arms = [Arm("A", 2000, successes=int(clicks)), Arm("B", 2000, successes=100)]
        e = decide(arms=arms, policy=Policy(draws=2000)).estimate("A")
        covered += e.low <= 0.05 <= e.high
    assert 0.84 <= covered / 200 <= 0.96


def test_the_same_counts_give_the_same_figures():
    arms = [Arm("A", 1500, successes=60), Arm("B", 1500, successes=75)]
    first, second = decide(arms=arms, policy=CLICKS), decide(arms=arms, policy=CLICKS)
    assert first.estimates == second.estimates


def test_a_decided_mailing_test_says_what_it_will_send_to_the_rest():
    arms = [Arm("Subject A", 8000, successes=400), Arm("Subject B", 8000, successes=560)]
    decision = decide(arms=arms, policy=CLICKS, remaining_share=0.8)
    assert decision.state is State.DECIDED and decision.winner == "Subject B"
    assert decision.sentence == (
        "Subject B was clicked by 7.0% of recipients against 5.0% for Subject A; "
        f"Subject B is better with {chance(decision.estimate('Subject B').prob_best)} probability; "
        "sending Subject B to the remaining 80%."
    )


def test_a_test_needs_two_variants():
    with pytest.raises(ValueError):
        decide(arms=[Arm("A", 10)], policy=CLICKS)


def test_the_mixture_ratio_grows_with_the_evidence_and_is_below_one_with_none():
    assert msprt_ratio(difference=0.0, variance=1e-5, tau2=1e-4) < 1
    weak = msprt_ratio(difference=0.01, variance=1e-5, tau2=1e-4)
    strong = msprt_ratio(difference=0.02, variance=1e-5, tau2=1e-4)
    assert 1 < weak < strong
    assert msprt_ratio(difference=1e6, variance=1e-9, tau2=1.0) < float("inf")


# ---------------------------------------------------------------- dollars per recipient


def test_dollars_per_recipient_with_skewed_gifts_picks_the_variant_that_raises_more():
    winners = run_dollar_tests(
        give_rates=[0.02, 0.03], sims=100, looks=25, batch=2000, seed=21, policy=DOLLARS
    )
    assert winners.count("B") / len(winners) >= 0.95
    assert winners.count("A") == 0


def test_dollars_with_a_heavy_tail_and_no_difference_name_few_false_winners_when_peeked_at():
    winners = run_dollar_tests(
        give_rates=[0.02, 0.02],
        sims=150,
        looks=20,
        batch=1000,
        seed=22,
        policy=DOLLARS,
        ladder=HEAVY_LADDER,
        p=HEAVY_P,
    )
    assert sum(w is not None for w in winners) / len(winners) <= DOLLARS.alpha


def test_dollars_per_recipient_is_the_giving_rate_times_the_mean_gift_with_an_interval():
    rng = np.random.default_rng(23)
    gifts = gifts_of(rng, 20000, 0.02)
    truth = 0.02 * float((LADDER * LADDER_P).sum())  # cents per recipient
    decision = decide(
        arms=[Arm("A", 20000, gifts_cents=gifts), Arm("B", 20000, gifts_cents=[2500] * 400)],
        policy=Policy(metric=Metric.DOLLARS, draws=4000),
    )
    a = decision.estimate("A")
    assert a.mean == pytest.approx(sum(gifts) / 20000, rel=0.05)
    assert a.low < truth < a.high
    assert "raised $" in decision.sentence and "per recipient" in decision.sentence


def test_a_variant_with_no_gifts_yet_is_near_zero_not_an_error():
    arms = [Arm("A", 1200, gifts_cents=[]), Arm("B", 1200, gifts_cents=[2500, 500, 10000])]
    decision = decide(arms=arms, policy=DOLLARS)
    assert decision.estimate("A").mean < decision.estimate("B").mean
    nothing = decide(arms=[Arm("A", 50), Arm("B", 50)], policy=DOLLARS)
    assert [e.prob_best for e in nothing.estimates] == [0.5, 0.5]
    assert "$0.00" in nothing.sentence


# ---------------------------------------------------------------- the circuit breaker


def test_the_exact_tail_probability_agrees_with_sampling_the_posterior():
    rng = np.random.default_rng(31)
    for events, recipients, limit in [(3, 200, 0.01), (12, 900, 0.01), (0, 5000, 0.001)]:
        sampled = (rng.beta(1 + events, 1 + recipients - events, 200_000) > limit).mean()
        exact = prob_rate_above(events=events, recipients=recipients, limit=limit)
        assert exact == pytest.approx(sampled, abs=0.005)


def test_one_unlucky_unsubscribe_does_not_trip_the_breaker():
    assert breaker_reason(Arm("A", 20, unsubscribes=1), Policy()) == ""
    assert breaker_reason(Arm("A", 40, unsubscribes=2), Policy()) == ""


def test_the_breaker_fires_on_an_unsubscribe_spike_and_not_on_ordinary_noise():
    rng = np.random.default_rng(32)
    policy = Policy(unsubscribe_limit=0.01)
    noise = rng.binomial(1500, 0.004, size=400)  # an ordinary 0.4% unsubscribe rate
    spike = rng.binomial(1500, 0.03, size=400)  # a subject that angers people: 3%
    fired_on_noise = sum(
        bool(breaker_reason(Arm("A", 1500, unsubscribes=int(u)), policy)) for u in noise
    )
    fired_on_spike = sum(
        bool(breaker_reason(Arm("A", 1500, unsubscribes=int(u)), policy)) for u in spike
    )
    assert fired_on_noise / 400 <= 0.01
    assert fired_on_spike / 400 >= 0.95


def test_complaints_trip_the_breaker_at_their_own_lower_limit():
    reason = breaker_reason(Arm("A", 2000, complaints=9), Policy(complaint_limit=0.001))
    assert reason.startswith("its complaint rate is above 0.1% with")


def test_a_stopped_variant_cannot_win_and_the_other_is_sent():
    arms = [Arm("A", 3000, successes=300, unsubscribes=90), Arm("B", 3000, successes=150)]
    decision = decide(arms=arms, policy=CLICKS, remaining_share=0.5)
    assert decision.state is State.DECIDED and decision.winner == "B"
    assert decision.estimate("A").stopped.startswith("its unsubscribe rate is above 1.0%")
    assert "A was stopped" in decision.sentence
    assert decision.sentence.endswith("Sending B to the remaining 50%.")


def test_when_every_variant_trips_the_breaker_the_test_stops():
    arms = [Arm("A", 1000, unsubscribes=40), Arm("B", 1000, complaints=20)]
    decision = decide(arms=arms, policy=CLICKS)
    assert decision.state is State.STOPPED and decision.winner is None
    assert decision.sentence.startswith("The test was stopped by the circuit breaker.")


# ---------------------------------------------------------------- any counts


counts = st.integers(min_value=0, max_value=10**7)


@st.composite
def arms_of(draw):
    arms = []
    for index in range(draw(st.integers(min_value=2, max_value=4))):
        recipients = draw(counts)
        gifts = draw(st.lists(st.integers(min_value=1, max_value=10**8), max_size=30))
        arms.append(
            Arm(
                f"V{index}",
                recipients,
                successes=draw(st.integers(min_value=0, max_value=recipients + 5)),
                gifts_cents=gifts,
                unsubscribes=draw(st.integers(min_value=0, max_value=recipients + 5)),
                complaints=draw(st.integers(min_value=0, max_value=50)),
            )
        )
    return arms


@settings(max_examples=min(EXAMPLES, 300), deadline=None)
@given(arms_of(), st.sampled_from(list(Metric)), st.booleans())
def test_any_counts_give_a_coherent_decision(arms, metric, deadline_reached):
    decision = decide(
        arms=arms,
        policy=Policy(metric=metric, draws=500),
        deadline_reached=deadline_reached,
    )
    assert sum(e.prob_best for e in decision.estimates) == pytest.approx(1)
    for e in decision.estimates:
        assert e.low <= e.high and e.expected_loss >= 0
        assert metric is Metric.DOLLARS or 0 <= e.mean <= 1
    assert (decision.winner is None) == (decision.state is not State.DECIDED)
    assert decision.sentence and "nan" not in decision.sentence
