"""The Donors pages' figures stored when a run finishes equal the live count (one figure, one
definition), and a gift after the run sends the pages back to counting live."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from groundswell.identity import selectors
from groundswell.identity.figures import RULES, goal_progress_read, run_figures_precompute
from groundswell.identity.models import RunFigures, ThresholdRuleSet
from groundswell.identity.selectors import DateRange, counts_default_range, donor_tally
from groundswell.identity.tests.helpers import finished_run, gift
from groundswell.identity.thresholds import progress, rule_set_activate

pytestmark = pytest.mark.django_db
STATES = ["IA", "NH", "SC", "NV", "CA", "TX", "NY", "PR", "DC", ""]


@pytest.fixture
def campaign():
    """Donors over seven weeks in ten places, some giving twice, a few refunded."""
    run = finished_run()
    today = timezone.localdate()
    for n in range(160):
        day = today - timedelta(days=n % 49)
        state = STATES[n % len(STATES)]
        status = "refunded" if n % 13 == 0 else "paid"
        gift(given=f"Donor{n}", family="Synthetic", state=state, postal=f"{50000 + n % 7}",
             on=day, cluster=f"c:{n // 2}", run=run, status=status)  # fmt: skip
    goal = ThresholdRuleSet.objects.create(
        name="Synthetic goal", slug="synthetic-goal", total_donors=200, per_state_minimum=9,
        states_required=5, window_start=today - timedelta(days=60),
        window_end=today + timedelta(days=30), deadline=today + timedelta(days=30),
    )  # fmt: skip
    rule_set_activate(rule_set=goal)
    return run, goal


def _live_tally(start, end, rule):
    return selectors._tally(DateRange(start, end), rule, resolved=True)


def test_the_stored_figures_equal_the_live_computation(campaign):
    run, goal = campaign
    stored = run_figures_precompute(run=run)
    assert stored == RunFigures.objects.filter(kind="progress").count() + len(RULES)
    today = timezone.localdate()
    start, end = counts_default_range(today)
    for rule in RULES:
        cache.clear()
        assert donor_tally(start=start, end=end, refunded_rule=rule) == _live_tally(
            start, end, rule
        )
        cache.clear()
        from_store = goal_progress_read(rule_set=goal, refunded_rule=rule)
        RunFigures.objects.all().delete()  # nothing stored: the same function counts live
        cache.clear()
        assert from_store == progress(rule_set=goal, refunded_rule=rule, today=today)
        run_figures_precompute(run=run)
    assert from_store.donors and from_store.states_met >= 0 and from_store.history


def test_a_page_reads_stored_figures_without_counting(campaign, persona_client, monkeypatch):
    run, goal = campaign
    run_figures_precompute(run=run)
    cache.clear()

    def no_counting(*args, **kwargs):
        raise AssertionError("counted live although the figures were stored")

    monkeypatch.setattr(selectors, "_tally", no_counting)
    client = persona_client("finance")
    assert client.get(reverse("identity:progress", args=[goal.slug])).status_code == 200
    assert client.get(reverse("identity:counts")).status_code == 200


def test_a_gift_after_the_run_is_counted_live(campaign, persona_client):
    run, goal = campaign
    run_figures_precompute(run=run)
    before = goal_progress_read(rule_set=goal, refunded_rule=RULES[0])
    gift(given="Newcomer", family="Synthetic", state="IA", on=timezone.localdate())
    cache.clear()
    after = goal_progress_read(rule_set=goal, refunded_rule=RULES[0])
    assert after.unresolved == before.unresolved + 1
    assert after.naive == before.naive + 1
