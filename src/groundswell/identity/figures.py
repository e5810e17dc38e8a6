"""The Donors pages' figures, worked out once when a run finishes and read back by the pages.

Counting a campaign's gifts into unique donors and projecting each state's date takes a second
or more at demo scale; the pages are opened far more often than runs finish. So when a run
finishes, the tallies of the ranges the pages open with (the counts page's default range, each
goal's window, under both refund rules) and each goal's progress report are stored with it
(``RunFigures``), under a key that changes with the run, the goal and any gift. A page reads
its figures by that key, or counts live exactly as before when the key has moved on (a gift
arrived since, another day, another range). Both come from the same functions
(``selectors._tally`` and ``thresholds.progress``): one figure, one definition.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import asdict, fields
from datetime import date

from django.utils import timezone

from groundswell.identity.models import ResolutionRun, RunFigures, ThresholdRuleSet
from groundswell.identity.selectors import (
    RefundedRule,
    counts_default_range,
    latest_run,
    tally_key,
    tally_store,
)
from groundswell.identity.thresholds import Progress, Projection, StateStatus, progress

logger = logging.getLogger(__name__)

RULES = (RefundedRule.EXCLUDE, RefundedRule.INCLUDE)
_DATES = {"met_on", "projected", "early", "late"}


def _projection_json(projection: Projection | None) -> dict | None:
    if projection is None:
        return None
    data = asdict(projection)
    for name in _DATES:
        data[name] = data[name].isoformat() if data[name] else None
    return data


def _projection_load(data: dict | None) -> Projection | None:
    if data is None:
        return None
    values = {f.name: data.get(f.name) for f in fields(Projection)}
    for name in _DATES:
        values[name] = date.fromisoformat(values[name]) if values[name] else None
    return Projection(**values)


def progress_json(report: Progress) -> dict:
    """A progress report as JSON, without the goal and run (stored beside it)."""
    return {
        "as_of": report.as_of.isoformat(),
        "started": report.started,
        "refunded_rule": report.refunded_rule,
        "donors": report.donors,
        "naive": report.naive,
        "contributions": report.contributions,
        "unresolved": report.unresolved,
        "states": [
            {
                "code": s.code,
                "name": s.name,
                "donors": s.donors,
                "minimum": s.minimum,
                "projection": _projection_json(s.projection),
            }
            for s in report.states
        ],
        "states_met": report.states_met,
        "total_projection": _projection_json(report.total_projection),
        "states_projection": _projection_json(report.states_projection),
        "history": [[d.isoformat(), new, total] for d, new, total in report.history],
        "naive_history": [[d.isoformat(), new, total] for d, new, total in report.naive_history],
    }


def progress_load(data: dict, *, rule_set: ThresholdRuleSet, run: ResolutionRun | None):
    """The report ``progress_json`` stored, as ``thresholds.progress`` would have made it."""

    def series(rows: list) -> list[tuple[date, int, int]]:
        return [(date.fromisoformat(d), new, total) for d, new, total in rows]

    return Progress(
        rule_set=rule_set,
        run=run,
        as_of=date.fromisoformat(data["as_of"]),
        started=data["started"],
        refunded_rule=data["refunded_rule"],
        donors=data["donors"],
        naive=data["naive"],
        contributions=data["contributions"],
        unresolved=data["unresolved"],
        states=[
            StateStatus(**{**s, "projection": _projection_load(s["projection"])})
            for s in data["states"]
        ],
        states_met=data["states_met"],
        total_projection=_projection_load(data["total_projection"]),
        states_projection=_projection_load(data["states_projection"]),
        history=series(data["history"]),
        naive_history=series(data["naive_history"]),
    )


def _progress_key(rule_set: ThresholdRuleSet, refunded_rule: str, today: date) -> str:
    as_of = min(today, rule_set.window_end)
    tally = tally_key(start=rule_set.window_start, end=as_of, refunded_rule=refunded_rule)
    parts = [rule_set.pk, rule_set.modified_at.isoformat(), today.isoformat(), tally]
    return "identity:progress:" + hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()


def goal_progress_read(*, rule_set: ThresholdRuleSet, refunded_rule: str) -> Progress:
    """A goal's progress: as stored when the last run finished, else worked out now."""
    today = timezone.localdate()
    key = _progress_key(rule_set, refunded_rule, today)
    stored = RunFigures.objects.filter(key=key).select_related("run").first()
    if stored is not None:
        run = stored.run if stored.figures["donors"] is not None else None
        return progress_load(stored.figures, rule_set=rule_set, run=run)
    return progress(rule_set=rule_set, refunded_rule=refunded_rule, today=today)


def run_figures_precompute(*, run: ResolutionRun) -> int:
    """Store what the Donors pages open with, for the run that just finished; returns how many.

    Figures of earlier runs are dropped: no page can ask for them any more.
    """
    if latest_run() != run:
        return 0  # a newer run finished meanwhile and stores its own
    RunFigures.objects.exclude(run=run).delete()
    today = timezone.localdate()
    start, end = counts_default_range(today)
    stored = 0
    for rule in RULES:
        tally_store(run=run, start=start, end=end, refunded_rule=rule)
        stored += 1
    for rule_set in ThresholdRuleSet.objects.all():
        as_of = min(today, rule_set.window_end)
        for rule in RULES:
            if as_of >= rule_set.window_start:
                tally_store(run=run, start=rule_set.window_start, end=as_of, refunded_rule=rule)
            report = progress(rule_set=rule_set, refunded_rule=rule, today=today)
            RunFigures.objects.update_or_create(
                key=_progress_key(rule_set, rule, today),
                defaults={"run": run, "kind": "progress", "figures": progress_json(report)},
            )
            stored += 1
    return stored
