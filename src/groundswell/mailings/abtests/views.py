"""Staff pages of A/B tests: describe the test, start it, watch the decision, cancel it."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from groundswell.accounts.permissions import capability_required, client_ip
from groundswell.accounts.roles import FINANCE_VIEW, MAILINGS_SEND
from groundswell.mailings import selectors as mailing_selectors
from groundswell.mailings.abtests import selectors, services
from groundswell.mailings.abtests.forms import AbTestForm, StartForm
from groundswell.mailings.compose import MergeFieldError
from groundswell.mailings.message import NotReady
from groundswell.mailings.models import AbTest, AbTestState, MailingStatus
from groundswell.mailings.recipients import recipients_summary
from groundswell.mailings.services import ConfirmationNeeded

logger = logging.getLogger(__name__)


def _mailing(request, pk: int):
    return get_object_or_404(mailing_selectors.mailings_for(user=request.user), pk=pk)


def _context(request, mailing, test, form=None, start_form=None) -> dict:
    context = {
        "mailing": mailing,
        "test": test,
        "form": form,
        "start_form": start_form or StartForm(),
        "money_visible": test is None or selectors.money_visible(user=request.user, test=test),
    }
    if test is not None:
        context["limits"] = [
            f"{100 * limit:.3g}%" for limit in (test.unsubscribe_limit, test.complaint_limit)
        ]
    if test is not None and test.state != AbTestState.DRAFT:
        context["results"] = selectors.abtest_results(test=test)
        context["variants"] = selectors.abtest_variants(test=test)
    elif mailing.status == MailingStatus.DRAFT:
        summary = recipients_summary(mailing=mailing)
        share = round(summary["recipients"] * (test.test_percent if test else 20) / 100)
        count = len(test.variants) + 1 if test else 2
        context.update(
            summary=summary,
            share=share,
            per_variant=share // count,
            rest=summary["recipients"] - share,
            needs_confirm=summary["recipients"] > settings.GROUNDSWELL_MAILING_CONFIRM_ABOVE,
        )
    return context


@capability_required(MAILINGS_SEND)
def abtest_page(request, pk: int):
    """The test's page: its form while a draft, its figures and decision once started."""
    mailing = _mailing(request, pk)
    test = AbTest.objects.filter(mailing=mailing).select_related("winner", "started_by").first()
    if request.headers.get("HX-Request") and test is not None and test.state != "starting":
        # The "Starting" card polls; once the worker is done the whole page changes.
        response = HttpResponse("")
        response["HX-Refresh"] = "true"
        return response
    editable = mailing.status == MailingStatus.DRAFT and (
        test is None or test.state == AbTestState.DRAFT
    )
    if not editable and test is None:
        messages.error(request, "Only a draft mailing can be A/B tested.")
        return redirect("mailings:detail", pk=pk)
    form = None
    if editable:
        finance = request.user.can(FINANCE_VIEW)
        form = AbTestForm(request.POST or None, instance=test, mailing=mailing, finance=finance)
        if request.method == "POST":
            if form.is_valid():
                try:
                    test = services.abtest_save(
                        test=form.save(), actor=request.user, ip_address=client_ip(request)
                    )
                except NotReady as exc:
                    messages.error(request, str(exc))
                else:
                    messages.success(request, "A/B test saved. Check the split, then start it.")
                return redirect("mailings:abtest", pk=pk)
            logger.info("A/B test form of mailing %s refused: %s", pk, form.errors.as_json())
            return render(
                request,
                "mailings/abtests/page.html",
                _context(request, mailing, test, form),
                status=400,
            )
    elif request.method == "POST":
        messages.error(request, "A test that has started cannot be changed.")
        return redirect("mailings:abtest", pk=pk)
    return render(request, "mailings/abtests/page.html", _context(request, mailing, test, form))


@require_POST
@capability_required(MAILINGS_SEND)
def abtest_start(request, pk: int):
    mailing = _mailing(request, pk)
    test = get_object_or_404(AbTest, mailing=mailing)
    form = StartForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "mailings/abtests/page.html",
            _context(request, mailing, test, start_form=form),
            status=400,
        )
    try:
        services.abtest_start(
            test=test,
            actor=request.user,
            confirmed=form.cleaned_data.get("confirmed"),
            base_url=request.build_absolute_uri("/").rstrip("/"),
            ip_address=client_ip(request),
        )
    except ConfirmationNeeded as exc:
        form.add_error("confirmed", str(exc))
        context = _context(request, mailing, test, start_form=form)
        context["form"] = AbTestForm(
            instance=test, mailing=mailing, finance=request.user.can(FINANCE_VIEW)
        )
        return render(request, "mailings/abtests/page.html", context, status=400)
    except (MergeFieldError, NotReady) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            "The test has started: its audience is being dealt out to the variants in the "
            "background, and this page shows when they are going out.",
        )
    return redirect("mailings:abtest", pk=pk)


@require_POST
@capability_required(MAILINGS_SEND)
def abtest_cancel(request, pk: int):
    mailing = _mailing(request, pk)
    test = get_object_or_404(AbTest, mailing=mailing)
    if services.abtest_cancel(test=test, actor=request.user, ip_address=client_ip(request)):
        messages.success(
            request,
            "Test cancelled. The mailing is a draft again; sent, it reaches only the people "
            "who got no variant.",
        )
    else:
        messages.error(request, "Only a running test can be cancelled.")
    return redirect("mailings:abtest", pk=pk)
