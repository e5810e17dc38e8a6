"""Staff pages of the welcome series: list, create/edit, activate/pause, steps and counts."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from groundswell.accounts.permissions import capability_required, client_ip
from groundswell.accounts.roles import MAILINGS_SEND
from groundswell.core.pagination import paginate
from groundswell.mailings.compose import MergeFieldError
from groundswell.mailings.message import NotReady
from groundswell.mailings.models import SenderIdentity
from groundswell.mailings.services import mailing_test_send
from groundswell.mailings.transport import TransportDown
from groundswell.mailings.welcome import selectors, services
from groundswell.mailings.welcome.forms import SeriesForm, StepForm

logger = logging.getLogger(__name__)


def _base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


@capability_required(MAILINGS_SEND)
def series_list(request):
    page = paginate(selectors.series_for(user=request.user), request.GET.get("page"))
    counts = selectors.series_list_counts(series=list(page.items))
    rows = [(s, counts.get(s.pk, {})) for s in page.items]
    return render(request, "mailings/welcome/list.html", {"page": page, "rows": rows})


@capability_required(MAILINGS_SEND)
def series_edit(request, pk: int | None = None):
    series = get_object_or_404(selectors.series_for(user=request.user), pk=pk) if pk else None
    initial = {}
    if series is None:
        initial["sender"] = SenderIdentity.objects.filter(is_default=True).first()
    form = SeriesForm(request.POST or None, instance=series, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.series_save(
                series=form.save(commit=False),
                pages=form.cleaned_data["pages"],
                actor=request.user,
                ip_address=client_ip(request),
            )
        except NotReady as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Welcome series saved.")
            return redirect("mailings:welcome_detail", pk=saved.pk)
    return render(
        request,
        "mailings/welcome/form.html",
        {"form": form, "series": series, "no_senders": not SenderIdentity.objects.exists()},
    )


@capability_required(MAILINGS_SEND)
def series_detail(request, pk: int):
    series = get_object_or_404(selectors.series_for(user=request.user), pk=pk)
    counts = selectors.steps_counts(series=series)
    steps = [
        (step, counts.get(step.mailing_id, {})) for step in series.steps.select_related("mailing")
    ]
    return render(
        request,
        "mailings/welcome/detail.html",
        {
            "series": series,
            "steps": steps,
            "entrants": selectors.series_entrants(series=series),
            "pages": list(series.pages.order_by("title")),
        },
    )


@require_POST
@capability_required(MAILINGS_SEND)
def series_control(request, pk: int, action: str):
    if action not in ("activate", "pause"):
        raise Http404("No such action.")
    series = get_object_or_404(selectors.series_for(user=request.user), pk=pk)
    try:
        changed = services.series_control(
            series=series,
            action=action,
            actor=request.user,
            base_url=_base_url(request),
            ip_address=client_ip(request),
        )
    except (MergeFieldError, NotReady) as exc:
        messages.error(request, f"The series cannot start yet: {exc}")
    else:
        if changed and action == "activate":
            messages.success(request, "Active: people who sign up from now on enter the series.")
        elif changed:
            messages.success(request, "Paused: no one enters and nothing is sent until resumed.")
        else:
            messages.info(
                request, f"The series already is {'active' if series.is_active else 'paused'}."
            )
    return redirect("mailings:welcome_detail", pk=pk)


@capability_required(MAILINGS_SEND)
def step_edit(request, pk: int, step_pk: int | None = None):
    series = get_object_or_404(selectors.series_for(user=request.user), pk=pk)
    step = (
        get_object_or_404(series.steps.select_related("mailing"), pk=step_pk) if step_pk else None
    )
    initial = {}
    if step is not None:
        initial = {
            "delay_days": step.delay_days,
            "delay_hours": step.delay_hours,
            "subject": step.mailing.subject,
            "html": step.mailing.html,
            "text": step.mailing.text,
        }
    form = StepForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.step_save(
                series=series,
                step=step,
                subject=data["subject"],
                html=data["html"],
                text=data["text"],
                delay_days=data["delay_days"],
                delay_hours=data["delay_hours"],
                actor=request.user,
                ip_address=client_ip(request),
            )
        except MergeFieldError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Message saved.")
            return redirect("mailings:welcome_detail", pk=series.pk)
    return render(
        request, "mailings/welcome/step_form.html", {"form": form, "series": series, "step": step}
    )


@require_POST
@capability_required(MAILINGS_SEND)
def step_delete(request, pk: int, step_pk: int):
    series = get_object_or_404(selectors.series_for(user=request.user), pk=pk)
    step = get_object_or_404(series.steps.select_related("mailing"), pk=step_pk)
    try:
        services.step_delete(step=step, actor=request.user, ip_address=client_ip(request))
    except NotReady as exc:
        messages.error(request, str(exc))
        return redirect("mailings:welcome_step_edit", pk=pk, step_pk=step_pk)
    messages.success(request, "Message removed.")
    return redirect("mailings:welcome_detail", pk=pk)


@require_POST
@capability_required(MAILINGS_SEND)
def step_test(request, pk: int):
    step = get_object_or_404(selectors.steps_for(user=request.user), pk=pk)
    try:
        address = mailing_test_send(
            mailing=step.mailing, actor=request.user, base_url=_base_url(request)
        )
    except (MergeFieldError, NotReady) as exc:
        messages.error(request, str(exc))
    except (OSError, TransportDown) as exc:
        logger.warning("test send of welcome step %s failed: %s", step.pk, exc)
        messages.error(request, f"The mail server did not take the test message: {exc}")
    else:
        messages.success(request, f"A test of “{step.mailing.subject}” was sent to {address}.")
    return redirect("mailings:welcome_detail", pk=step.series_id)
