"""The organizers' ladder pages: counts per rung with their movement by month, the next-step
lists, and the person page's rung card. Reading needs EVENTS_VIEW (nothing here is changed)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render

from groundswell.accounts.permissions import capability_required
from groundswell.accounts.roles import EVENTS_VIEW
from groundswell.core.htmx import querystring
from groundswell.core.pagination import paginate
from groundswell.events import ladder


@capability_required(EVENTS_VIEW)
def ladder_overview(request):
    figures = ladder.ladder_figures(user=request.user)
    rungs = ladder.rungs_for(request.user)
    # Each figure with its rung: on a phone the month table stacks, and a cell names its rung.
    months = [
        {
            "month": row.month,
            "cells": list(zip(rungs, row.counts, strict=True)),
            "moved_up": row.moved_up,
        }
        for row in figures.months
    ]
    context = {
        "figures": figures,
        "counts": figures.counts,
        "total": sum(c.count for c in figures.counts),
        "rungs": rungs,
        "months": months,
        "next_steps": ladder.next_steps_for(request.user),
    }
    return render(request, "events/ladder/overview.html", context)


@capability_required(EVENTS_VIEW)
def ladder_next(request, kind: str):
    try:
        people = ladder.next_step_people(user=request.user, kind=kind)
    except KeyError:
        raise Http404("No such list.") from None
    page = paginate(people, request.GET.get("page"), per_page=50)
    context = {
        "title": ladder.NEXT_STEPS[kind],
        "kind": kind,
        "page": page,
        "qs": querystring(request, page=None),
    }
    return render(request, "events/ladder/next.html", context)


def person_ladder_panel(*, request, person) -> dict:
    """The person page's rung card (``people.extensions``; registered in apps.py)."""
    steps = ladder.person_steps(user=request.user, person=person)
    # The highest step taken is the rung (what the ladder's CASE picks): one query for both.
    rung = max(steps, default=ladder.Rung.NONE)
    return {"rung": rung, "rungs": ladder.rungs_for(request.user)[1:], "steps": steps}
