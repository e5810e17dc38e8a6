"""The demo campaign's donor goal and a first resolution run, so its donor pages show counts."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from groundswell.identity.models import ResolutionRun, ThresholdRuleSet
from groundswell.identity.services import identity_resolve
from groundswell.identity.thresholds import rule_set_activate, rule_set_save

DEMO_GOAL = "Debate stage (demo scale)"


def _quarter_end(day: date) -> date:
    month = 3 * ((day.month - 1) // 3) + 3
    following = date(day.year + (month == 12), month % 12 + 1, 1)
    return following - timedelta(days=1)


def demo_identity_seed(*, today: date | None = None) -> ResolutionRun | None:
    """An active demo goal (a debate-style rule scaled to the demo) and one resolution run.

    Idempotent: a goal already there is kept, and no second run is made once one finished.
    """
    today = today or timezone.localdate()
    if not ThresholdRuleSet.objects.filter(name=DEMO_GOAL).exists():
        goal = rule_set_save(
            rule_set=ThresholdRuleSet(
                name=DEMO_GOAL,
                description="The debate rules' shape at the demo's size: unique donors overall "
                "and a minimum in each of 20 states.",
                total_donors=6_000,
                per_state_minimum=60,
                states_required=20,
                # The demo's gifts go back about 540 days.
                window_start=today - timedelta(days=600),
                window_end=_quarter_end(today),
                deadline=_quarter_end(today),
            )
        )
        rule_set_activate(rule_set=goal)
    if ResolutionRun.objects.filter(status=ResolutionRun.Status.DONE).exists():
        return None
    return identity_resolve()
