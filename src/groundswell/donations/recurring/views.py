"""Recurring gifts for finance staff: the list, one series with its installments, cancelling."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from groundswell.accounts.permissions import capability_required
from groundswell.accounts.roles import FINANCE_VIEW
from groundswell.core.pagination import paginate
from groundswell.donations.models import Processor, RecurringSeries
from groundswell.donations.recurring.services import series_cancel

# Series we charge ourselves can be cancelled here; ActBlue charges its own, so it is there
# that an ActBlue recurring gift must be cancelled.
CANCELLABLE = (RecurringSeries.Status.ACTIVE, RecurringSeries.Status.FAILING)


@capability_required(FINANCE_VIEW)
def recurring_list(request):
    """Every recurring series, newest first, filtered by status and processor."""
    status = request.GET.get("status", "")
    processor = request.GET.get("processor", "")
    series = RecurringSeries.objects.select_related("person", "page").order_by("-started_at", "-id")
    if status in RecurringSeries.Status.values:
        series = series.filter(status=status)
    else:
        status = ""
    if processor in Processor.values:
        series = series.filter(processor=processor)
    else:
        processor = ""
    page = paginate(series, request.GET.get("page"))
    filters = {k: v for k, v in (("status", status), ("processor", processor)) if v}
    return render(
        request,
        "donations/recurring/list.html",
        {
            "page": page,
            "status": status,
            "processor": processor,
            "statuses": RecurringSeries.Status.choices,
            "processors": [
                (Processor.STRIPE, "Our pages (Stripe)"),
                (Processor.ACTBLUE, "ActBlue"),
            ],
            "qs": urlencode(filters),
        },
    )


@capability_required(FINANCE_VIEW)
def recurring_detail(request, pk: int):
    """One series: its schedule, state and installments."""
    series = get_object_or_404(RecurringSeries.objects.select_related("person", "page"), pk=pk)
    installments = paginate(
        series.installments.select_related("contribution").order_by("-sequence"),
        request.GET.get("page"),
    )
    contributions = series.contributions.order_by("-received_at", "-id")[:50]
    return render(
        request,
        "donations/recurring/detail.html",
        {
            "series": series,
            "page": installments,
            "contributions": contributions,
            "can_cancel": series.status in CANCELLABLE and series.processor == Processor.STRIPE,
        },
    )


@capability_required(FINANCE_VIEW)
@require_POST
def recurring_cancel(request, pk: int):
    """Stop charging a series (audited); says why the reason is needed when it is missing."""
    series = get_object_or_404(RecurringSeries, pk=pk)
    if series.processor != Processor.STRIPE:
        messages.error(request, "ActBlue charges this gift itself: cancel it in ActBlue.")
        return redirect("donations:recurring_detail", pk=series.pk)
    reason = " ".join(request.POST.get("reason", "").split())[:200]
    if not reason:
        messages.error(request, "Say why the gift is cancelled (e.g. “Donor asked by phone”).")
        return redirect("donations:recurring_detail", pk=series.pk)
    if series.status not in CANCELLABLE:
        messages.error(request, f"This gift is already {series.get_status_display().lower()}.")
        return redirect("donations:recurring_detail", pk=series.pk)
    series_cancel(series=series, reason=reason, user=request.user)
    messages.success(request, "Cancelled: no further installments will be charged.")
    return redirect("donations:recurring_detail", pk=series.pk)
