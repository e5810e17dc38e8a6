"""Staff dashboards: the campaign overview, the donors page and the donor lists."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from groundswell.accounts.permissions import capability_required
from groundswell.accounts.roles import FINANCE_VIEW, PEOPLE_VIEW
from groundswell.analytics import charts, filters, metrics, selectors
from groundswell.analytics.conditions import definition_for
from groundswell.core.untrusted import whole_number
from groundswell.segments.services import segment_create

logger = logging.getLogger(__name__)


def _overview_filters(request, today):
    """The overview's filter form, bound to the query string (no query: the defaults)."""
    return filters.filter_form(request.GET, user=request.user, today=today)


@capability_required(PEOPLE_VIEW)
def overview(request):
    """Today, this week and this quarter, the selected range beside its comparison period and
    the next FEC report's due date; money for finance roles, donor counts for all."""
    today = timezone.localdate()
    form = _overview_filters(request, today)
    if not form.is_valid():
        logger.warning(
            "analytics: refused filters %s: %s", request.get_full_path()[:300], form.errors
        )
        context = {"form": form, "segments": form.segment_choices}
        return render(request, "analytics/overview.html", context, status=400)
    chosen = filters.filters_from_form(form)
    board = selectors.overview_read(user=request.user, today=today, filters=chosen)
    query = chosen.query()
    drawn = [
        replace(chart, csv_url=f"{reverse('analytics:chart_csv', args=[chart.slug])}?{query}")
        for chart in selectors.overview_charts(board)
    ]
    context = {"board": board, "charts": drawn, "form": form, "segments": form.segment_choices}
    return render(request, "analytics/overview.html", context)


@capability_required(PEOPLE_VIEW)
def chart_csv(request, chart: str):
    """One overview chart's table as CSV, with the overview's filters (money for finance only)."""
    today = timezone.localdate()
    form = _overview_filters(request, today)
    if not form.is_valid():
        message = filters.form_message(form)
        logger.warning("analytics: refused CSV %s: %s", request.get_full_path()[:300], message)
        return HttpResponseBadRequest(
            f"Those filters cannot be used: {message}", content_type="text/plain; charset=utf-8"
        )
    chosen = filters.filters_from_form(form)
    board = selectors.overview_read(user=request.user, today=today, filters=chosen)
    found = [c for c in selectors.overview_charts(board) if c.slug == chart]
    if not found:
        raise Http404("There is no such chart on the overview.")
    response = HttpResponse(
        charts.chart_csv(found[0].table), content_type="text/csv; charset=utf-8"
    )
    # The name is built from our own slug and ISO dates only: nothing from the query string.
    name = f"overview-{found[0].slug}-{chosen.start:%Y%m%d}-{chosen.end:%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _refuse(request, message: str):
    logger.warning("analytics: refused %s: %s", request.get_full_path()[:300], message)
    return render(request, "analytics/refused.html", {"message": message}, status=400)


def _year(request, this_year: int) -> int | None:
    """The year asked for (this year when none), or None when it is not one we can list."""
    text = request.GET.get("year", "") if request.method == "GET" else request.POST.get("year", "")
    year = whole_number(text, max_digits=4) if text else this_year
    return year if year is not None and 2000 <= year <= this_year + 1 else None


@capability_required(FINANCE_VIEW)
def lapsed(request, kind: str):
    """LYBUNT or SYBUNT donors as of a year (this year by default), largest giving first."""
    if kind not in metrics.LAPSED_KINDS:
        return _refuse(request, "There is no such list; choose LYBUNT or SYBUNT.")
    this_year = timezone.localdate().year
    year = _year(request, this_year)
    if year is None:
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
        "qs": urlencode({"year": year}),
    }
    return render(request, "analytics/lapsed.html", context)


@require_POST
@capability_required(FINANCE_VIEW)
def lapsed_segment(request, kind: str):
    """Save the lapsed list as a segment (kept up to date: it is the list, not a copy)."""
    if kind not in metrics.LAPSED_KINDS:
        return _refuse(request, "There is no such list; choose LYBUNT or SYBUNT.")
    this_year = timezone.localdate().year
    year = _year(request, this_year)
    if year is None:
        return _refuse(request, f"The year must be a year from 2000 to {this_year + 1}.")
    name = f"{kind.upper()} donors {year}"
    try:
        segment = segment_create(
            name=name,
            definition=definition_for(kind=kind, year=year),
            actor=request.user,
            description=f"Donors who {metrics.LAPSED_KINDS[kind]} ({year}), from Analytics.",
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(f"{reverse('analytics:lapsed', args=[kind])}?year={year}")
    messages.success(request, f"Saved the segment “{segment.name}”.")
    return redirect("segments:detail", pk=segment.pk)


# ---------------------------------------------------------------- the donors page

DEFAULT_DAYS = 90


def _donors_form(request, today: date) -> filters.FilterForm:
    """The donors page's filters: the last 90 days up to today unless chosen, a segment the
    viewer may see and a comparison period (``filters.FilterForm``, every dashboard's parser)."""
    return filters.FilterForm(
        request.GET, user=request.user, today=today, default_days=DEFAULT_DAYS
    )


def _periods(form: filters.FilterForm) -> selectors.Periods | str:
    """The period, segment and comparison asked for, else why they cannot be used."""
    if not form.is_valid():
        return filters.form_message(form)
    chosen = filters.filters_from_form(form)
    return selectors.Periods(
        start=chosen.start, end=chosen.end, segment=chosen.segment, compare=chosen.compare
    )


@capability_required(FINANCE_VIEW)
def donors(request):
    """Retention cohorts, recurring donors and revenue, upgraded and downgraded donors and the
    period's totals, for a segment and beside a comparison period when asked."""
    today = timezone.localdate()
    form = _donors_form(request, today)
    periods = _periods(form)
    if isinstance(periods, str):
        return _refuse(request, periods)
    board = selectors.donors_read(user=request.user, periods=periods)
    context = {
        "board": board,
        "cohorts_spec": charts.cohorts_spec(board.cohorts),
        "recurring_spec": charts.recurring_spec(board.recurring),
        "after": range(1, selectors.COHORT_MONTHS),
        "kinds": metrics.CHANGE_KINDS,
        "today": today,
        "form": form,
        "qs": periods.query(),
    }
    return render(request, "analytics/donors.html", context)


@capability_required(FINANCE_VIEW)
def donor_changes(request, kind: str):
    """The upgraded or downgraded donors of a period, largest change first, with their pages."""
    if kind not in metrics.CHANGE_KINDS:
        return _refuse(request, "There is no such list; choose upgraded or downgraded.")
    periods = _periods(_donors_form(request, timezone.localdate()))
    if isinstance(periods, str):
        return _refuse(request, periods)
    page_text = request.GET.get("page", "")
    page = whole_number(page_text, max_digits=6) if page_text else 1
    if not page:
        return _refuse(request, "The page must be a whole number from 1.")
    result = selectors.donor_changes_read(user=request.user, kind=kind, periods=periods, page=page)
    context = {
        "result": result,
        "kind": kind,
        "explained": metrics.CHANGE_KINDS[kind],
        "qs": periods.query(),
    }
    return render(request, "analytics/donor_changes.html", context)
