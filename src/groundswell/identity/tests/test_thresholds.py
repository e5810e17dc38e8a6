"""Donor goals: the shipped DNC rule sets, progress per state, projection, donors to go."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from groundswell.identity.models import ThresholdRuleSet
from groundswell.identity.tests.helpers import finished_run, gift
from groundswell.identity.thresholds import (
    donors_to_go,
    progress,
    project,
    rule_set_activate,
    rule_set_delete,
    rule_set_save,
)

pytestmark = pytest.mark.django_db


def series(start: date, daily: list[int]) -> list[tuple[date, int, int]]:
    rows, total = [], 0
    for offset, new in enumerate(daily):
        total += new
        rows.append((start + timedelta(days=offset), new, total))
    return rows


def test_the_dnc_debate_rule_sets_ship_with_their_figures():
    shipped = {
        r.slug: (r.total_donors, r.per_state_minimum, r.states_required)
        for r in ThresholdRuleSet.objects.filter(builtin=True)
    }
    assert shipped == {
        "dnc-2019-06": (65_000, 200, 20),
        "dnc-2019-07": (65_000, 200, 20),
        "dnc-2019-09": (130_000, 400, 20),
        "dnc-2019-10": (130_000, 400, 20),
        "dnc-2019-11": (165_000, 600, 20),
        "dnc-2019-12": (200_000, 800, 20),
        "dnc-2020-01": (225_000, 1_000, 20),
    }
    june = ThresholdRuleSet.objects.get(slug="dnc-2019-06")
    assert "in each of at least 20 states" in june.description
    assert june.window_start == date(2019, 1, 1)


def test_a_linear_trend_is_projected_to_the_right_day():
    history = series(date(2019, 3, 1), [100] * 40)  # 4,000 donors by April 9
    result = project(history, 10_000)

    # 6,000 more at 100 a day: 60 days after the last day.
    assert result.projected == date(2019, 4, 9) + timedelta(days=60)
    assert result.rate_per_day == pytest.approx(100.0)
    # A perfectly steady trend leaves no uncertainty.
    assert result.early == result.late == result.projected


def test_a_noisy_trend_gets_a_band_around_the_projection():
    daily = [60, 140] * 20
    result = project(series(date(2019, 3, 1), daily), 10_000)

    assert result.early < result.projected < result.late
    assert abs((result.projected - date(2019, 4, 9)).days - 60) <= 2


def test_a_goal_already_met_reports_the_day_and_a_stalled_one_has_no_projection():
    met = project(series(date(2019, 3, 1), [10, 10, 10, 10]), 25)
    assert met.met_on == date(2019, 3, 3)
    stalled = project(series(date(2019, 3, 1), [5, 0, 0, 0, 0]), 25)
    assert stalled.projected is None and "No new donors" in stalled.reason
    short = project(series(date(2019, 3, 1), [5, 5]), 25)
    assert short.projected is None


def small_goal(**overrides) -> ThresholdRuleSet:
    values = {
        "name": "Test goal",
        "total_donors": 10,
        "per_state_minimum": 2,
        "states_required": 2,
        "window_start": date(2019, 1, 1),
        "window_end": date(2019, 1, 31),
        "deadline": date(2019, 1, 31),
    }
    return rule_set_save(rule_set=ThresholdRuleSet(**(values | overrides)))


def test_progress_counts_states_at_the_minimum_and_orders_the_closest_ones():
    run = finished_run()
    n = 0
    for state, donors in {"IA": 3, "NH": 2, "SC": 1, "NV": 1, "CA": 0}.items():
        for i in range(donors):
            n += 1
            gift(
                given=f"Donor{n}",
                family="Test",
                state=state,
                on=date(2019, 1, 5 + i),
                cluster=f"c:{n}",
                run=run,
            )
    goal = small_goal(per_state_minimum=3, states_required=3)

    report = progress(rule_set=goal, today=date(2019, 1, 20))

    assert report.donors == 7 and report.to_go == 3
    assert report.states_met == 1  # IA only
    assert report.states_to_go == 2
    closest = [(s.code, s.needed) for s in report.closest[:3]]
    assert closest == [("NH", 1), ("NV", 2), ("SC", 2)]
    assert len(report.closest) == 10  # the ten nearest, of 55 below the minimum
    assert report.history[-1] == (date(2019, 1, 20), 0, 7)
    assert report.naive == 7


def test_progress_projects_the_overall_goal_and_the_states_part():
    run = finished_run()
    n = 0
    # Two donors a day from January 1 to 10, one in Iowa and one in Ohio.
    for day in range(1, 11):
        for state in ("IA", "OH"):
            n += 1
            gift(
                given=f"D{n}",
                family="Trend",
                state=state,
                on=date(2019, 1, day),
                cluster=f"c:{n}",
                run=run,
            )
    goal = small_goal(
        total_donors=40,
        per_state_minimum=15,
        states_required=2,
        window_end=date(2019, 3, 31),
        deadline=date(2019, 3, 31),
    )

    report = progress(rule_set=goal, today=date(2019, 1, 10))

    assert report.total_projection.projected == date(2019, 1, 20)
    # Each state gains one a day: 5 more days to 15.
    assert report.states_projection.projected == date(2019, 1, 15)


def test_the_window_bounds_what_counts():
    run = finished_run()
    gift(given="In", family="Window", on=date(2019, 1, 10), cluster="c:1", run=run)
    gift(given="After", family="Window", on=date(2019, 2, 10), cluster="c:2", run=run)
    goal = small_goal()

    assert progress(rule_set=goal, today=date(2019, 3, 1)).donors == 1
    early = progress(rule_set=goal, today=date(2018, 12, 1))
    assert not early.started and early.history == []


def test_donors_to_go_comes_from_the_active_goal_and_is_none_when_unknown():
    assert donors_to_go() is None  # no goal active
    goal = small_goal(
        window_end=date.today() + timedelta(days=30),
        deadline=date.today() + timedelta(days=30),
        window_start=date.today() - timedelta(days=30),
    )
    rule_set_activate(rule_set=goal)
    assert donors_to_go() is None  # no run yet: no made-up number
    run = finished_run()
    gift(given="One", family="Donor", on=date.today() - timedelta(days=1), cluster="c:1", run=run)
    gift(given="Two", family="Donor", on=date.today() - timedelta(days=2), cluster="c:2", run=run)
    assert donors_to_go() == 8
    other = ThresholdRuleSet.objects.get(slug="dnc-2019-06")
    assert donors_to_go(rule_set=other) == 65_000  # nothing given in 2019


def test_one_goal_is_active_at_a_time():
    first = small_goal(name="First")
    second = small_goal(name="Second")
    rule_set_activate(rule_set=first)
    rule_set_activate(rule_set=second)
    assert list(ThresholdRuleSet.objects.filter(active=True)) == [second]
    rule_set_activate(rule_set=None)
    assert not ThresholdRuleSet.objects.filter(active=True).exists()


def test_custom_goals_get_a_unique_slug_and_shipped_ones_cannot_be_changed_or_deleted():
    a = small_goal(name="Matching challenge")
    a2 = small_goal(name="Matching  challenge!")
    assert a.slug == "matching-challenge" and a2.slug == "matching-challenge-2"
    shipped = ThresholdRuleSet.objects.get(slug="dnc-2019-09")
    shipped.total_donors = 1
    with pytest.raises(ValidationError):
        rule_set_save(rule_set=shipped)
    with pytest.raises(ValidationError):
        rule_set_delete(rule_set=shipped)
    rule_set_delete(rule_set=a)
    assert not ThresholdRuleSet.objects.filter(pk=a.pk).exists()


def test_a_custom_goal_with_a_window_that_ends_before_it_starts_is_refused():
    with pytest.raises(ValidationError):
        small_goal(window_start=date(2019, 2, 1), window_end=date(2019, 1, 1))


def test_a_goal_without_a_state_part_has_no_state_projection():
    run = finished_run()
    gift(given="Only", family="Total", on=date(2019, 1, 5), cluster="c:1", run=run)
    goal = small_goal(states_required=0)

    report = progress(rule_set=goal, today=date(2019, 1, 20))

    assert report.states_projection is None
    assert report.states_to_go == 0
    assert report.to_go == 9
