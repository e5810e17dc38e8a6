"""Staff views: donor goals (debate thresholds and custom ones) and the progress page."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from groundswell.accounts.permissions import capability_required
from groundswell.accounts.roles import FINANCE_VIEW
from groundswell.identity.figures import goal_progress_read
from groundswell.identity.forms import RuleSetForm
from groundswell.identity.models import ThresholdRuleSet
from groundswell.identity.selectors import RefundedRule
from groundswell.identity.thresholds import (
    Progress,
    active_rule_set,
    rule_set_activate,
    rule_set_delete,
    rule_set_save,
)
from groundswell.identity.views_counts import run_context

CHART_DAYS_AHEAD = 400  # the projection drawn at most this far past today


@capability_required(FINANCE_VIEW)
def goal_list(request):
    """The shipped debate thresholds and the campaign's own goals; which one is active."""
    goals = list(ThresholdRuleSet.objects.order_by("-builtin", "deadline", "name"))
    context = {
        "shipped": [g for g in goals if g.builtin],
        "custom": [g for g in goals if not g.builtin],
        "active": next((g for g in goals if g.active), None),
    }
    return render(request, "identity/goal_list.html", context)


@capability_required(FINANCE_VIEW)
def goal_edit(request, slug: str | None = None):
    """Create a custom goal, or change one (shipped goals are read-only)."""
    rule_set = get_object_or_404(ThresholdRuleSet, slug=slug) if slug else None
    if rule_set is not None and rule_set.builtin:
        messages.error(request, "The DNC's rule sets are read-only; make a custom goal instead.")
        return redirect("identity:goals")
    form = RuleSetForm(request.POST or None, instance=rule_set)
    if request.method == "POST" and form.is_valid():
        try:
            saved = rule_set_save(rule_set=form.save(commit=False), user=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Saved {saved.name}.")
            return redirect("identity:progress", slug=saved.slug)
    return render(request, "identity/goal_form.html", {"form": form, "rule_set": rule_set})


@require_POST
@capability_required(FINANCE_VIEW)
def goal_delete(request, slug: str):
    rule_set = get_object_or_404(ThresholdRuleSet, slug=slug)
    try:
        rule_set_delete(rule_set=rule_set, user=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"Deleted {rule_set.name}.")
    return redirect("identity:goals")


@require_POST
@capability_required(FINANCE_VIEW)
def goal_activate(request, slug: str):
    """Make this the campaign's goal (donation pages show its donors to go), or clear it."""
    rule_set = get_object_or_404(ThresholdRuleSet, slug=slug)
    if request.POST.get("clear") and rule_set.active:
        rule_set_activate(rule_set=None, user=request.user)
        messages.success(request, "The campaign has no donor goal now.")
    else:
        rule_set_activate(rule_set=rule_set, user=request.user)
        messages.success(request, f"{rule_set.name} is the campaign's donor goal.")
    return redirect("identity:progress", slug=rule_set.slug)


@capability_required(FINANCE_VIEW)
def progress_active(request):
    """The active goal's progress, else the list of goals to choose from."""
    rule_set = active_rule_set()
    if rule_set is None:
        return redirect("identity:goals")
    return redirect("identity:progress", slug=rule_set.slug)


_SERIES = ["Unique donors", "Naive count"]
LONG_CHART_DAYS = 120  # past this the time axis is labelled by month and year


def _x_encoding(days: int) -> dict:
    """The time axis. Labels keep a gap and give way in turn (Vega drops only labels that
    touch, which left "Feb 1Mar 1" run together); a chart over months names each month and
    its year, since a goal's history and projection cross New Year."""
    axis = {"labelOverlap": "greedy", "labelSeparation": 10}
    if days > LONG_CHART_DAYS:
        axis |= {"format": "%b %Y", "tickCount": {"interval": "month", "step": 3}}
    else:
        axis |= {"format": "%b %-d"}
    return {"field": "day", "type": "temporal", "title": None, "axis": axis}


def _chart_history(report: Progress) -> list[dict]:
    """One point per day and series: unique donors so far and the naive count."""
    values = []
    for (day, _, total), (_, _, naive) in zip(report.history, report.naive_history, strict=True):
        values.append({"day": day.isoformat(), "donors": total, "series": "Unique donors"})
        values.append({"day": day.isoformat(), "donors": naive, "series": "Naive count"})
    return values


def _chart_band(report: Progress) -> list[dict]:
    """The projection from today: the likely line and the band between fast and slow paces."""
    projection = report.total_projection
    if not (projection and projection.projected and projection.rate_per_day):
        return []
    start = report.as_of
    end_day = projection.late or projection.projected
    end_day = min(end_day, start + timedelta(days=CHART_DAYS_AHEAD))
    span_fast = max(1, (projection.early - start).days) if projection.early else None
    span_slow = (projection.late - start).days if projection.late else None
    remaining = projection.goal - projection.current
    band = []
    for offset in range(0, (end_day - start).days + 1):
        day = start + timedelta(days=offset)
        point = min(projection.goal, projection.current + projection.rate_per_day * offset)
        fast = (
            min(projection.goal, projection.current + remaining * offset / span_fast)
            if span_fast
            else point
        )
        slow = (
            min(projection.goal, projection.current + remaining * offset / span_slow)
            if span_slow
            else projection.current
        )
        band.append({"day": day.isoformat(), "point": point, "low": slow, "high": fast})
    return band


def _history_layers(values: list[dict], goal: int, x: dict) -> list[dict]:
    """The two count lines (solid unique donors, dashed naive count) and the goal's rule."""
    series = {"field": "series", "type": "nominal"}
    return [
        {
            "data": {"values": values},
            "mark": {"type": "line", "tooltip": True},
            "encoding": {
                "x": x,
                "y": {"field": "donors", "type": "quantitative", "title": "Donors so far"},
                "color": {
                    **series,
                    "title": None,
                    "scale": {"domain": _SERIES, "range": ["#0d6b5c", "#9aa3b2"]},
                    "legend": {"orient": "bottom"},
                },
                "strokeDash": {
                    **series,
                    "scale": {"domain": _SERIES, "range": [[1, 0], [4, 3]]},
                    "legend": None,
                },
            },
        },
        {
            "data": {"values": [{"goal": goal}]},
            "mark": {"type": "rule", "color": "#b42318", "strokeDash": [2, 2]},
            "encoding": {"y": {"field": "goal", "type": "quantitative"}},
        },
    ]


def _band_layers(band: list[dict], x: dict) -> list[dict]:
    """The projection band (shaded) and its likely line (dashed)."""
    if not band:
        return []
    return [
        {
            "data": {"values": band},
            "mark": {"type": "area", "opacity": 0.18, "color": "#0d6b5c"},
            "encoding": {
                "x": x,
                "y": {"field": "low", "type": "quantitative"},
                "y2": {"field": "high"},
            },
        },
        {
            "data": {"values": band},
            "mark": {"type": "line", "color": "#0d6b5c", "strokeDash": [6, 4]},
            "encoding": {"x": x, "y": {"field": "point", "type": "quantitative"}},
        },
    ]


def _chart_spec(report: Progress) -> dict:
    """Vega-Lite: unique donors so far, the naive count, the goal, and the projection band."""
    history, band = _chart_history(report), _chart_band(report)
    days = [point["day"] for point in history + band]
    x = _x_encoding((date.fromisoformat(max(days)) - date.fromisoformat(min(days))).days)
    layers = _history_layers(history, report.rule_set.total_donors, x)
    layers += _band_layers(band, x)
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "width": "container",
        "height": 240,
        "layer": layers,
        "config": {"view": {"stroke": None}, "axis": {"labelFontSize": 11}},
    }


@capability_required(FINANCE_VIEW)
def goal_progress(request, slug: str):
    """Donors so far against a goal, states at the minimum, the closest states, projections."""
    rule_set = get_object_or_404(ThresholdRuleSet, slug=slug)
    refunded = request.GET.get("refunded", RefundedRule.EXCLUDE)
    if refunded not in dict(RefundedRule.CHOICES):
        refunded = RefundedRule.EXCLUDE
    report = goal_progress_read(rule_set=rule_set, refunded_rule=refunded)
    context = {
        "report": report,
        "rule_set": rule_set,
        "refunded": refunded,
        "refunded_choices": RefundedRule.CHOICES,
        "refunded_label": RefundedRule.EXPLAINED[refunded],
        "chart_spec": _chart_spec(report) if report.history else None,
        "history_rows": [
            (day, new, total, naive)
            for (day, new, total), (_, _, naive) in zip(
                reversed(report.history), reversed(report.naive_history), strict=True
            )
        ],
        "window_closed": timezone.localdate() > rule_set.window_end,
        **run_context(),
        "goals": ThresholdRuleSet.objects.order_by("-active", "-builtin", "deadline"),
    }
    return render(request, "identity/progress.html", context)
