"""Finance pages: the overview, contributions, a donor's giving history, refunds and exports.

Finance data is for the finance and admin roles only (FINANCE_VIEW), checked on the server in
every view. Views parse input, call one selector or service, and render.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from groundswell.accounts.models import AuditEvent
from groundswell.accounts.permissions import capability_required, client_ip
from groundswell.accounts.roles import FINANCE_VIEW
from groundswell.accounts.services import audit_record
from groundswell.core.htmx import fragment_requested, querystring
from groundswell.core.pagination import paginate
from groundswell.donations import selectors
from groundswell.donations.compliance import itemization
from groundswell.donations.compliance.rules import cycle_for
from groundswell.donations.finance import exports
from groundswell.donations.finance import selectors as finance_selectors
from groundswell.donations.finance.forms import (
    ContributionFilterForm,
    RangeForm,
    RefundForm,
    ScheduleAForm,
)
from groundswell.donations.finance.refunds import HOW_RETURNED, contribution_refund_by_staff
from groundswell.donations.finance.selectors import other_receipts_list, other_receipts_totals
from groundswell.donations.models import (
    BestEffortsRequest,
    Contribution,
    ContributionStatus,
    Processor,
    ReceiptKind,
    cents_display,
)
from groundswell.people.selectors import phone_display

PER_PAGE = 50

# The other finance areas, linked from the overview.
AREA_LINKS = (
    ("donations:holds", "Held contributions", "Gifts over the limit waiting for staff"),
    ("donations:best_efforts", "Best efforts", "Itemized donors missing employer or occupation"),
    ("donations:offline_new", "Record a check or cash", "Offline gifts entered by staff"),
    ("donations:compliance_rules", "Compliance rules", "Limits and thresholds per cycle"),
    ("donations:donation_page_list", "Donation pages", "Our own pages, asks and goals"),
    ("donations:recurring_list", "Recurring gifts", "Monthly and weekly series"),
    ("donations:webhook_settings", "ActBlue webhook", "Credentials and the delivery log"),
)


def _cents_to_dollars(cents: int) -> float:
    # Only for drawing: the chart's axis needs numbers; every figure shown as text stays cents.
    return round(cents / 100, 2)


def _area_links() -> list[dict]:
    # Every area exists now: a misspelt name must fail loudly, not drop the link silently.
    return [
        {"url": reverse(name), "label": label, "note": note} for name, label, note in AREA_LINKS
    ]


# ---------------------------------------------------------------- the overview


def _chart_spec(board: selectors.Dashboard) -> dict:
    """A Vega-Lite bar chart of net dollars per day (drawn by vega-embed in the page)."""
    # "YYYY-MM-DDT00:00": a date-only ISO string is read as UTC midnight by browsers, which
    # west of Greenwich would draw each bar on the day before.
    values = [
        {
            "day": f"{d.day.isoformat()}T00:00",
            "net": _cents_to_dollars(d.net_cents),
            "gifts": d.count,
        }
        for d in board.by_day
    ]
    # Past a quarter, bars are too thin to read: an area, with months and years on the axis.
    long = board.period.days > 92
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "data": {"values": values},
        "width": "container",
        "height": 220,
        "mark": (
            {"type": "area", "color": "#0d6b5c", "opacity": 0.85, "tooltip": True}
            if long
            else {"type": "bar", "color": "#0d6b5c", "tooltip": True}
        ),
        "encoding": {
            "x": {
                "field": "day",
                "type": "temporal",
                "timeUnit": "yearmonthdate",
                "title": None,
                "axis": {
                    "format": "%b %Y" if long else "%b %-d",
                    "labelOverlap": True,
                    "grid": False,
                },
            },
            "y": {
                "field": "net",
                "type": "quantitative",
                "title": "Net raised ($)",
                "axis": {"format": "$,.0f", "tickCount": 5},
            },
            "tooltip": [
                {"field": "day", "type": "temporal", "title": "Day", "format": "%a %b %-d, %Y"},
                {"field": "net", "type": "quantitative", "title": "Net", "format": "$,.2f"},
                {"field": "gifts", "type": "quantitative", "title": "Gifts"},
            ],
        },
        "config": {"view": {"stroke": None}, "axis": {"labelFontSize": 11}},
    }


@capability_required(FINANCE_VIEW)
def finance_home(request):
    """The finance overview: the dashboard numbers for a range, by day and by refcode."""
    params = request.GET.copy()
    if params.get("start") and params.get("end"):
        # Dates typed in are more specific than the preset left in the select.
        params["range"] = "custom"
    form = RangeForm(params or None)
    period = form.period(timezone.localdate())
    data = getattr(form, "cleaned_data", {})
    page = data.get("donation_page")
    refcode = (data.get("refcode") or "").strip() or None
    board = selectors.dashboard(period=period, page_id=page.pk if page else None, refcode=refcode)
    list_params = {"start": period.start.isoformat(), "end": period.end.isoformat()}
    if page:
        list_params["donation_page"] = page.pk
    if refcode:
        list_params["refcode"] = refcode
    context = {
        "form": form,
        "board": board,
        "period": period,
        "chart_spec": _chart_spec(board),
        "has_gifts": board.money.count > 0,
        "area_links": _area_links(),
        "list_qs": urlencode(list_params),
        "scope_page": page,
        "scope_refcode": refcode,
        # Loans, the candidate's and committees' money: shown apart, never as gifts. Only for
        # the whole committee (they belong to no page or refcode).
        "other_receipts": [] if page or refcode else other_receipts_totals(period=period),
    }
    return render(request, "donations/finance/home.html", context)


@capability_required(FINANCE_VIEW)
def other_receipts(request):
    """Receipts that are not individuals' gifts (loans, candidate and committee money, …)."""
    kind = request.GET.get("kind", "")
    page = paginate(other_receipts_list(kind=kind), request.GET.get("page"), per_page=PER_PAGE)
    context = {
        "page": page,
        "kinds": ReceiptKind.choices,
        "kind": kind if kind in ReceiptKind.values else "",
        "querystring": querystring(request, page=None),
    }
    return render(request, "donations/finance/other_receipts.html", context)


# ---------------------------------------------------------------- contributions


@capability_required(FINANCE_VIEW)
@vary_on_headers("HX-Request")
def contribution_list(request):
    """Contributions with search, filters, sorting and pagination."""
    form = ContributionFilterForm(request.GET or None)
    filters = form.filters()
    page = paginate(
        finance_selectors.contribution_list(filters=filters),
        request.GET.get("page"),
        per_page=PER_PAGE,
    )
    context = {
        "form": form,
        "page": page,
        "filtered": bool(filters.as_dict()),
        # The list's filters, for the pager and for the export of exactly what is listed.
        "querystring": querystring(request, page=None),
    }
    template = (
        "donations/finance/_contribution_results.html"
        if fragment_requested(request)
        else "donations/finance/contribution_list.html"
    )
    return render(request, template, context)


def _contribution_or_404(pk: int) -> Contribution:
    return get_object_or_404(
        Contribution.objects.select_related(
            "person", "page", "series", "hold_resolved_by", "reattributed_from"
        ),
        pk=pk,
    )


def _phone(number: str) -> str:
    return phone_display(number) if number else ""


def _snapshot_rows(contribution: Contribution) -> list[dict]:
    """The donor as given with the gift beside the linked person as they are now."""
    given = contribution
    person = contribution.person
    address = person.addresses.order_by("-is_primary", "pk").first() if person else None

    def join(*parts: str) -> str:
        return " ".join(p for p in parts if p)

    rows = [
        (
            "Name",
            join(given.donor_given_name, given.donor_family_name),
            person and person.full_name,
        ),
        ("E-mail", given.donor_email, person and person.primary_email),
        (
            "Phone",
            _phone(given.donor_phone),
            person and _phone(person.primary_phone),
        ),
        (
            "Address",
            join(given.donor_address_line1, given.donor_address_line2),
            address and join(address.line1, address.line2),
        ),
        (
            "City, state, ZIP",
            join(given.donor_city, given.donor_state, given.donor_postal_code),
            address and join(address.city, address.state, address.postal_code),
        ),
        ("Employer", given.donor_employer, person and person.employer),
        ("Occupation", given.donor_occupation, person and person.occupation),
    ]
    return [
        {
            "label": label,
            "given": then or "",
            "now": now or "",
            "changed": person is not None and (then or "") != (now or ""),
        }
        for label, then, now in rows
    ]


def _detail_page(request, contribution: Contribution, refund_form: RefundForm | None = None):
    refundable = contribution.amount_cents - contribution.refunded_cents
    refund_events = AuditEvent.objects.filter(
        action=AuditEvent.Action.REFUND,
        target_type=Contribution._meta.label_lower,
        target_id=str(contribution.pk),
    ).select_related("actor")
    context = {
        "c": contribution,
        "donor": selectors.donor_identity_of(contribution),
        "snapshot": _snapshot_rows(contribution),
        "deliveries": contribution.deliveries.order_by("-received_at")[:20],
        "refund_events": refund_events,
        "reattributions": contribution.reattributions.all(),
        "itemization": itemization.gift_itemization(contribution=contribution),
        "best_efforts": BestEffortsRequest.objects.filter(contribution=contribution).first(),
        "refund_form": refund_form or RefundForm(refundable_cents=refundable),
        "can_refund": refundable > 0 and contribution.status not in _NOT_REFUNDABLE,
        "refundable_cents": refundable,
        # Only Stripe refunds go back by themselves; the others are recorded for staff to pay.
        "refund_how": (
            ""
            if contribution.processor == Processor.STRIPE
            else HOW_RETURNED.get(contribution.processor, "must be refunded to the donor")
        ),
    }
    status = 400 if refund_form is not None else 200
    return render(request, "donations/finance/contribution_detail.html", context, status=status)


@capability_required(FINANCE_VIEW)
def contribution_detail(request, pk: int):
    """One contribution: the gift, the donor then and now, refunds, hold, series, deliveries."""
    return _detail_page(request, _contribution_or_404(pk))


_NOT_REFUNDABLE = (ContributionStatus.VOIDED, ContributionStatus.CHARGED_BACK)


@capability_required(FINANCE_VIEW)
@require_POST
def contribution_refund(request, pk: int):
    """Refund part or all of a contribution (through Stripe, or recorded for the others)."""
    contribution = _contribution_or_404(pk)
    refundable = contribution.amount_cents - contribution.refunded_cents
    if contribution.status in _NOT_REFUNDABLE or refundable <= 0:
        messages.error(request, "This contribution has nothing left to refund.")
        return redirect("donations:contribution_detail", pk=pk)
    form = RefundForm(request.POST, refundable_cents=refundable)
    if not form.is_valid():
        return _detail_page(request, contribution, form)
    amount = form.cleaned_data["amount"]
    try:
        contribution_refund_by_staff(
            contribution=contribution,
            amount_cents=amount,
            user=request.user,
            reason=form.cleaned_data["reason"],
            key=form.cleaned_data["key"],
        )
    except ValidationError as exc:
        _add_service_errors(form, exc)
        return _detail_page(request, contribution, form)
    if contribution.processor == Processor.STRIPE:
        messages.success(request, f"Refunded {cents_display(amount)} through Stripe.")
    else:
        how = HOW_RETURNED.get(contribution.processor, "must be refunded to the donor")
        messages.success(request, f"Recorded a refund of {cents_display(amount)}: it {how}.")
    return redirect("donations:contribution_detail", pk=pk)


def _add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: on its field when it names one."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# ---------------------------------------------------------------- donors


@capability_required(FINANCE_VIEW)
def donor_detail(request, donor: str):
    """A donor's giving history: every contribution, totals per election and per cycle."""
    if not re.fullmatch(r"[a-z]:.{1,118}", donor):
        raise Http404("No such donor.")
    history = finance_selectors.donor_history(identity=donor)
    if history is None:
        raise Http404("No such donor.")
    page = paginate(
        finance_selectors.donor_contributions(identity=donor),
        request.GET.get("page"),
        per_page=PER_PAGE,
    )
    context = {"history": history, "page": page, "donor": donor}
    return render(request, "donations/finance/donor_detail.html", context)


# ---------------------------------------------------------------- exports


@capability_required(FINANCE_VIEW)
def export_contributions(request):
    """Every contribution the list's filters match, all columns, as a streamed CSV."""
    filters = ContributionFilterForm(request.GET or None).filters()
    queryset = finance_selectors.contribution_list(filters=filters)
    # Pinned to the rows that exist now, so the audit log's row count is the file's.
    newest = Contribution.objects.order_by("-pk").values_list("pk", flat=True).first()
    queryset = queryset.filter(pk__lte=newest) if newest is not None else queryset.none()
    row_count = queryset.count()
    # Recorded before the first row leaves: an interrupted export of donor data is an export.
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.EXPORT,
        summary=f"exported {row_count} contribution{'s' if row_count != 1 else ''} to CSV",
        details={"export": "contributions", "filters": filters.as_dict(), "row_count": row_count},
        ip_address=client_ip(request),
    )
    response = StreamingHttpResponse(
        exports.contributions_csv(queryset), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="contributions-{stamp}.csv"'
    return response


@capability_required(FINANCE_VIEW)
def export_schedule_a(request):
    """Itemized receipts in the FEC Schedule A layout for a date range or cycle (a CSV)."""
    form = ScheduleAForm(request.GET or None)
    if not request.GET or not form.is_valid():
        today = timezone.localdate()
        context = {"form": form, "cycle": cycle_for(today)}
        status = 400 if request.GET else 200
        return render(request, "donations/finance/schedule_a.html", context, status=status)
    period = form.cleaned_data["period"]
    committee = form.cleaned_data.get("committee") or ""
    # Built before anything is sent so the audit log holds the exact row count; a report's
    # itemized receipts are thousands of short lines, not millions.
    lines = list(exports.schedule_a_lines(period=period, committee_id=committee))
    row_count = len(lines) - 1
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.EXPORT,
        summary=f"exported {row_count} itemized receipt{'s' if row_count != 1 else ''} "
        f"(Schedule A) for {period.start:%b %-d, %Y}–{period.end:%b %-d, %Y}",
        details={
            "export": "schedule_a",
            "filters": {
                "start": period.start.isoformat(),
                "end": period.end.isoformat(),
                "cycle": form.cleaned_data.get("cycle"),
                "committee": committee,
            },
            "row_count": row_count,
        },
        ip_address=client_ip(request),
    )
    response = StreamingHttpResponse(iter(lines), content_type="text/csv; charset=utf-8")
    name = f"schedule-a-{period.start:%Y%m%d}-{period.end:%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
