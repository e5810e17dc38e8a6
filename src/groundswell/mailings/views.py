"""Staff pages: mailings (list, compose, detail, test, send, controls, progress) and senders."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from groundswell.accounts.permissions import capability_required, client_ip
from groundswell.accounts.roles import MAILINGS_SEND
from groundswell.core.htmx import fragment_requested
from groundswell.core.pagination import paginate
from groundswell.mailings import selectors, services
from groundswell.mailings.compose import MergeFieldError
from groundswell.mailings.forms import MailingForm, SenderIdentityForm, SendForm
from groundswell.mailings.message import NotReady
from groundswell.mailings.models import AbTest, Mailing, SenderIdentity
from groundswell.mailings.recipients import recipients_summary
from groundswell.mailings.report import mailing_report
from groundswell.mailings.transport import TransportDown

logger = logging.getLogger(__name__)


@capability_required(MAILINGS_SEND)
def mailing_list(request):
    page = paginate(selectors.mailings_for(user=request.user), request.GET.get("page"))
    counts = selectors.mailings_counts(mailings=list(page.items))
    rows = [(m, counts.get(m.pk, {})) for m in page.items]
    return render(request, "mailings/list.html", {"page": page, "rows": rows})


@capability_required(MAILINGS_SEND)
def mailing_edit(request, pk: int | None = None):
    mailing = get_object_or_404(selectors.mailings_for(user=request.user), pk=pk) if pk else None
    if mailing is not None and not mailing.is_editable:
        messages.error(request, "A mailing that has started sending cannot be edited.")
        return redirect("mailings:detail", pk=mailing.pk)
    initial = {}
    if mailing is None:
        initial["sender"] = SenderIdentity.objects.filter(is_default=True).first()
    form = MailingForm(request.POST or None, instance=mailing, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.mailing_save(mailing=form.save(commit=False), actor=request.user)
        except (MergeFieldError, NotReady) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Mailing saved.")
            return redirect("mailings:detail", pk=saved.pk)
    return render(
        request,
        "mailings/form.html",
        {"form": form, "mailing": mailing, "no_senders": not SenderIdentity.objects.exists()},
    )


def _detail_context(request, mailing: Mailing, send_form: SendForm | None = None) -> dict:
    context = {
        "mailing": mailing,
        "progress": selectors.mailing_progress(mailing=mailing),
        "report": mailing_report(mailing=mailing, user=request.user),
        "send_form": send_form or SendForm(),
        "confirm_above": settings.GROUNDSWELL_MAILING_CONFIRM_ABOVE,
        # A variant of an A/B test links back to its test.
        "abtest_of": AbTest.objects.filter(mailing_id=mailing.parent_id).first()
        if mailing.parent_id
        else None,
    }
    if mailing.is_editable:
        context["summary"] = recipients_summary(mailing=mailing)
        context["needs_confirm"] = (
            context["summary"]["recipients"] > settings.GROUNDSWELL_MAILING_CONFIRM_ABOVE
        )
    return context


@capability_required(MAILINGS_SEND)
def mailing_detail(request, pk: int):
    mailing = get_object_or_404(
        selectors.mailings_for(user=request.user).select_related("created_by"), pk=pk
    )
    return render(request, "mailings/detail.html", _detail_context(request, mailing))


@capability_required(MAILINGS_SEND)
def mailing_progress(request, pk: int):
    mailing = get_object_or_404(selectors.mailings_for(user=request.user), pk=pk)
    context = {"mailing": mailing, "progress": selectors.mailing_progress(mailing=mailing)}
    if not fragment_requested(request):
        return redirect("mailings:detail", pk=pk)
    return render(request, "mailings/_progress.html", context)


def _base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


@require_POST
@capability_required(MAILINGS_SEND)
def mailing_test(request, pk: int):
    mailing = get_object_or_404(selectors.mailings_for(user=request.user), pk=pk)
    try:
        address = services.mailing_test_send(
            mailing=mailing, actor=request.user, base_url=_base_url(request)
        )
    except (MergeFieldError, NotReady) as exc:
        messages.error(request, str(exc))
    except (OSError, TransportDown) as exc:
        logger.warning("test send of mailing %s failed: %s", mailing.pk, exc)
        messages.error(request, f"The mail server did not take the test message: {exc}")
    else:
        messages.success(request, f"A test was sent to {address}.")
    return redirect("mailings:detail", pk=pk)


@require_POST
@capability_required(MAILINGS_SEND)
def mailing_send(request, pk: int):
    mailing = get_object_or_404(selectors.mailings_for(user=request.user), pk=pk)
    form = SendForm(request.POST)
    if not form.is_valid():
        return render(
            request, "mailings/detail.html", _detail_context(request, mailing, form), status=400
        )
    data = form.cleaned_data
    common = {
        "mailing": mailing,
        "actor": request.user,
        "confirmed": data.get("confirmed"),
        "base_url": _base_url(request),
        "ip_address": client_ip(request),
    }
    try:
        if data["when"] == "later":
            services.mailing_schedule(when=data["scheduled_at"], **common)
            local = timezone.localtime(data["scheduled_at"])
            messages.success(request, f"Scheduled for {local:%b %-d, %Y %-I:%M %p}.")
        else:
            services.mailing_send(**common)
            messages.success(request, "Sending has started.")
    except services.ConfirmationNeeded as exc:
        form.add_error("confirmed", str(exc))
        return render(
            request, "mailings/detail.html", _detail_context(request, mailing, form), status=400
        )
    except (MergeFieldError, NotReady) as exc:
        messages.error(request, str(exc))
    return redirect("mailings:detail", pk=pk)


@require_POST
@capability_required(MAILINGS_SEND)
def mailing_control(request, pk: int, action: str):
    if action not in services.CONTROLS:
        raise Http404("No such action.")
    mailing = get_object_or_404(selectors.mailings_for(user=request.user), pk=pk)
    if services.mailing_control(
        mailing=mailing, action=action, actor=request.user, ip_address=client_ip(request)
    ):
        messages.success(request, f"Mailing {mailing.get_status_display().lower()}.")
    else:
        messages.error(
            request, f"A {mailing.get_status_display().lower()} mailing cannot {action}."
        )
    return redirect("mailings:detail", pk=pk)


@capability_required(MAILINGS_SEND)
def sender_list(request, pk: int | None = None):
    sender = get_object_or_404(SenderIdentity, pk=pk) if pk else None
    form = SenderIdentityForm(request.POST or None, instance=sender)
    if request.method == "POST" and form.is_valid():
        services.sender_identity_save(sender=form.save(commit=False), actor=request.user)
        messages.success(request, "Sender saved.")
        return redirect("mailings:senders")
    return render(
        request,
        "mailings/senders.html",
        {"form": form, "sender": sender, "senders": SenderIdentity.objects.all()[:100]},
    )


# ---------------------------------------------------------------- on the person page


def person_mailings_panel(*, request, person) -> dict:
    """The person page's mailings card (see ``people.extensions``; registered in apps.py)."""
    return {
        **selectors.person_mailings(person=person),
        "can_open": request.user.can(MAILINGS_SEND),
    }
