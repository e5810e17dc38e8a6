"""The message-planning page: what language worked, for whom, with its uncertainty."""

from __future__ import annotations

import logging

from django.shortcuts import render
from django.utils import timezone

from groundswell.accounts.permissions import capability_required
from groundswell.accounts.roles import MAILINGS_SEND, PAGES_EDIT, PEOPLE_VIEW
from groundswell.analytics.planning.forms import PlanningFilter
from groundswell.analytics.planning.segments import DIMENSIONS
from groundswell.analytics.planning.selectors import MAIL_METRICS, planning_read
from groundswell.analytics.planning.shares import TOO_FEW
from groundswell.core.periods import days_range

logger = logging.getLogger(__name__)


@capability_required(PEOPLE_VIEW)
def planning(request):
    """Issues, page variants and mailing variants by segment (the donor split for finance)."""
    form = PlanningFilter(request.GET, user=request.user, today=timezone.localdate())
    if not form.is_valid():
        logger.warning(
            "analytics: refused %s: %s", request.get_full_path()[:300], form.errors.as_text()
        )
        return render(request, "analytics/planning/planning.html", {"form": form}, status=400)
    data = form.cleaned_data
    dimension = data["dimension"]
    board = planning_read(
        user=request.user, dimension=dimension, during=days_range(data["start"], data["end"])
    )
    context = {
        "form": form,
        "board": board,
        "start": data["start"],
        "end": data["end"],
        "dimension_label": next(d.label for d in DIMENSIONS if d.key == dimension),
        "metrics": [label for _, label in MAIL_METRICS],
        "too_few": TOO_FEW,
        "can_pages": request.user.can(PAGES_EDIT),
        "can_mail": request.user.can(MAILINGS_SEND),
    }
    return render(request, "analytics/planning/planning.html", context)
