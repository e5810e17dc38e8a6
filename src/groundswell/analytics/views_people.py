"""The People dashboard: list health, mailings, events, the ladder and the referral network."""

from __future__ import annotations

import logging

from django.shortcuts import render
from django.utils import timezone

from groundswell.accounts.permissions import capability_required
from groundswell.accounts.roles import PEOPLE_VIEW
from groundswell.analytics import charts_people, selectors_people
from groundswell.analytics.forms_people import PeopleRangeForm

logger = logging.getLogger(__name__)


def _charts(board: selectors_people.PeopleBoard) -> dict:
    """The page's Vega-Lite specs (only for the sections with something to draw)."""
    specs = {}
    if board.growth:
        specs["growth"] = charts_people.bars_over_time(
            board.growth,
            {"people": "New people", "subscribers": "New subscribers"},
            grain=board.grain,
            title="People",
        )
    if board.churn:
        specs["churn"] = charts_people.bars_over_time(
            board.churn,
            {"unsubscribed": "Unsubscribed", "bounced": "Bounced", "complained": "Complained"},
            grain=board.grain,
            title="People",
            stacked=True,
        )
    if board.events:
        specs["events"] = charts_people.bars_over_time(
            board.events,
            {"rsvps": "RSVPs", "attended": "Attended"},
            grain="month",
            title="People",
        )
    if board.ladder and board.ladder.counts:
        specs["ladder"] = charts_people.bars_by_name(
            [(c.rung.label, c.count) for c in board.ladder.counts], title="People"
        )
    return specs


@capability_required(PEOPLE_VIEW)
def people(request):
    """List growth and churn for a range of days; mailings, events, ladder and recruiters for
    the roles whose pages those are."""
    today = timezone.localdate()
    form = PeopleRangeForm(request.GET, user=request.user, today=today)
    if not form.is_valid():
        logger.warning(
            "analytics: refused the people range %s: %s",
            request.get_full_path()[:300],
            "; ".join(e for errors in form.errors.values() for e in errors)[:300],
        )
        return render(request, "analytics/people.html", {"form": form}, status=400)
    data = form.cleaned_data
    board = selectors_people.people_read(
        user=request.user,
        start=data["start"],
        end=data["end"],
        grain=data["grain"],
        segment=data["segment"],
        compare=data.get("compare") or "",
    )
    context = {"form": form, "board": board, "specs": _charts(board)}
    return render(request, "analytics/people.html", context)
