"""Staff dashboards: the campaign overview and the lapsed-donor lists."""

from __future__ import annotations

import logging

from django.shortcuts import render
from django.utils import timezone

from groundswell.accounts.permissions import capability_required
from groundswell.accounts.roles import FINANCE_VIEW, PEOPLE_VIEW
from groundswell.analytics import charts, metrics, selectors
from groundswell.core.untrusted import whole_number

logger = logging.getLogger(__name__)


@capability_required(PEOPLE_VIEW)
def overview(request):
    """Today, this week and this quarter; money for finance roles, donor counts for all."""
    board = selectors.overview_read(user=request.user, today=timezone.localdate())
    spec = charts.months_spec(board.months, board.month_donors, finance=board.finance)
    return render(request, "analytics/overview.html", {"board": board, "months_spec": spec})


def _refuse(request, message: str):
    logger.warning("analytics: refused %s: %s", request.get_full_path()[:300], message)
    return render(request, "analytics/refused.html", {"message": message}, status=400)


@capability_required(FINANCE_VIEW)
def lapsed(request, kind: str):
    """LYBUNT or SYBUNT donors as of a year (this year by default), largest giving first."""
    if kind not in metrics.LAPSED_KINDS:
        return _refuse(request, "There is no such list; choose LYBUNT or SYBUNT.")
    this_year = timezone.localdate().year
    year_text = request.GET.get("year", "")
    year = whole_number(year_text, max_digits=4) if year_text else this_year
    if year is None or not 2000 <= year <= this_year + 1:
        return _refuse(request, f"The year must be a year from 2000 to {this_year + 1}.")
    page_text = request.GET.get("page", "")
    page = whole_number(page_text, max_digits=6) if page_text else 1
    if not page:
        return _refuse(request, "The page must be a whole number from 1.")
    result = selectors.lapsed_read(user=request.user, kind=kind, year=year, page=page)
    context = {
        "result": result,
        "kind": kind,
        "explained": metrics.LAPSED_KINDS[kind],
        "year": year,
        "years": list(range(this_year + 1, this_year - 6, -1)),
    }
    return render(request, "analytics/lapsed.html", context)
