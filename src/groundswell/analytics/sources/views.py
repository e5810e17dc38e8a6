"""The sources page (/analytics/sources/) and the ad-spend entries (finance only)."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from groundswell.accounts.permissions import capability_required, client_ip
from groundswell.accounts.roles import FINANCE_VIEW, PEOPLE_VIEW
from groundswell.analytics import charts
from groundswell.analytics.sources import selectors, services
from groundswell.analytics.sources.forms import SORTS, ReportForm, SpendForm
from groundswell.analytics.sources.models import AdSpend
from groundswell.core.htmx import querystring
from groundswell.core.pagination import paginate

logger = logging.getLogger(__name__)

_COLUMNS = {
    "key": "",
    "count": "Gifts",
    "gross": "Gross",
    "net": "Net",
    "donors": "Donors",
    "new": "New donors",
    "signups": "Sign-ups",
}
_MONEY = ("count", "gross", "net")


def _refuse(request, form) -> object:
    errors = " ".join(str(e) for errors in form.errors.values() for e in errors)
    logger.warning("analytics: refused %s: %s", request.get_full_path()[:300], errors[:300])
    context = {"form": form, "refused": True}
    return render(request, "analytics/sources/sources.html", context, status=400)


def _headers(request, report) -> list[dict]:
    """The table's sortable column headers: link, state (for aria-sort) and label."""
    out = []
    current = report.sort.lstrip("-")
    for name in SORTS:
        if (name in _MONEY and not report.finance) or (
            name == "signups" and report.dimension == "page"
        ):
            continue
        label = _COLUMNS[name] or report.dimension_label
        if name == current:
            state = "descending" if report.sort.startswith("-") else "ascending"
            flip = name if state == "descending" else f"-{name}"
        else:
            state, flip = "none", name if name == "key" else f"-{name}"
        out.append(
            {
                "name": name,
                "label": label,
                "state": state,
                "query": querystring(request, sort=flip, page=None),
                "num": name != "key",
            }
        )
    return out


@capability_required(PEOPLE_VIEW)
def sources_page(request):
    """Money (finance), donors and sign-ups by refcode, channel or page, for a segment and
    beside a comparison period when asked; spend; conversion."""
    today = timezone.localdate()
    form = ReportForm(request.GET, user=request.user, today=today)
    if not form.is_valid():
        return _refuse(request, form)
    data = form.cleaned_data
    report = selectors.sources_read(
        user=request.user,
        start=data["start"],
        end=data["end"],
        dimension=data["by"],
        sort=data.get("sort") or None,
        page=data["page"],
        segment=data["segment"],
        compare=data.get("compare") or "",
    )
    context = {
        "form": form,
        "report": report,
        "headers": _headers(request, report),
        "chart": charts.sources_spec(
            report.chart, finance=report.finance, dimension_label=report.dimension_label
        ),
        "conversion": selectors.conversion_rows(user=request.user),
        "qs": querystring(request, page=None),
    }
    return render(request, "analytics/sources/sources.html", context)


@capability_required(FINANCE_VIEW)
def spend_list(request):
    """Ad spend entered so far, newest period first, and the form to enter more."""
    form = SpendForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            spend = services.adspend_add(
                data=form.cleaned_data, actor=request.user, ip_address=client_ip(request)
            )
            messages.success(request, f"Saved the spend on {spend.target_label}.")
            return redirect("analytics:spend_list")
        logger.info("analytics: spend form refused: %s", list(form.errors))
    page = paginate(AdSpend.objects.all(), request.GET.get("page"), 25)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "analytics/sources/spend.html", {"form": form, "page": page}, status=status
    )


@require_POST
@capability_required(FINANCE_VIEW)
def spend_delete(request, pk: int):
    spend = get_object_or_404(AdSpend, pk=pk)
    services.adspend_delete(spend=spend, actor=request.user, ip_address=client_ip(request))
    messages.success(request, f"Removed the spend on {spend.target_label}.")
    return redirect("analytics:spend_list")
