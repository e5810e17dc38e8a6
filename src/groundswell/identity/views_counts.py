"""Staff views: unique-donor counts beside the naive count, and starting a resolution run."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from groundswell.accounts.permissions import capability_required, client_ip
from groundswell.accounts.roles import FINANCE_VIEW
from groundswell.accounts.services import audit_record
from groundswell.identity.forms import CountsForm
from groundswell.identity.selectors import (
    RefundedRule,
    failed_run,
    latest_run,
    running_run,
    state_counts_sorted,
    unique_donors,
)
from groundswell.identity.tasks import (
    identity_resolve_run,
    progress_queued,
    progress_read,
    progress_request,
    progress_stages,
)

SORTS = {
    "name": "State",
    "unique": "Unique donors",
    "naive": "Naive count",
    "difference": "Naive over by",
}


def _sort_links(current: str, params: dict) -> dict[str, dict]:
    """Each column's link: a click sorts by it, a second click reverses it."""
    links = {}
    for column, label in SORTS.items():
        active = current.lstrip("-") == column
        descending = current.startswith("-")
        if active:
            target = column if descending else f"-{column}"
        else:
            target = column if column == "name" else f"-{column}"
        links[column] = {
            "label": label,
            "url": "?" + urlencode({**params, "sort": target}),
            "aria": ("descending" if descending else "ascending") if active else "none",
        }
    return links


def run_context() -> dict:
    """What the pages say about runs: one under way or queued (with its stages), the last one."""
    progress = progress_read()
    return {
        "running": running_run(),
        "queued": progress_queued(),
        "failed": failed_run(),
        "progress": progress,
        "stages": progress_stages(progress),
    }


@capability_required(FINANCE_VIEW)
def donor_counts(request):
    """Unique donors (real people) and the naive first+last+ZIP5 count, overall and by state."""
    today = timezone.localdate()
    form = CountsForm(request.GET or None, initial=CountsForm.defaults(today))
    valid = form.is_bound and form.is_valid()
    data = form.cleaned_data if valid else CountsForm.defaults(today)
    counts = unique_donors(start=data["start"], end=data["end"], refunded_rule=data["refunded"])
    params = {
        "start": data["start"].isoformat(),
        "end": data["end"].isoformat(),
        "refunded": data["refunded"],
    }
    sort = request.GET.get("sort", "-unique")
    if sort.lstrip("-") not in SORTS:
        sort = "-unique"
    rows = state_counts_sorted(counts.by_state, sort)
    context = {
        "form": form,
        "counts": counts,
        "rows": rows,
        "sort_links": _sort_links(sort, params),
        "refunded_label": RefundedRule.EXPLAINED[data["refunded"]],
        "qs": urlencode({**params, "sort": sort}),
        **run_context(),
    }
    return render(request, "identity/counts.html", context)


@require_POST
@capability_required(FINANCE_VIEW)
def run_start(request):
    """Queue a resolution run in the background (one at a time; a second click waits for it)."""
    back = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    # Idempotent: a click while a run is under way or queued (no worker has picked it up yet)
    # starts nothing; the task itself also skips a request a newer run already answers.
    if running_run() or progress_queued():
        messages.info(request, "A resolution run is already under way.")
        return redirect(back or "identity:counts")
    requested_at = timezone.now().isoformat()
    progress_request(requested_at)
    audit_record(
        actor=request.user,
        action="identity.run_request",
        summary="Asked for an identity resolution run",
        ip_address=client_ip(request),
    )
    # After commit, so an immediate backend or a fast worker sees the audit row committed.
    transaction.on_commit(lambda: identity_resolve_run.enqueue(requested_at=requested_at))
    messages.success(
        request,
        "Resolution run queued. It reads every person and gift, so it can take a few minutes.",
    )
    return redirect(back or "identity:counts")


@capability_required(FINANCE_VIEW)
def run_status(request):
    """The run under way (its stages, records and share done) or the last one.

    Polled by the pages every two seconds while a run is queued or going; answered from the
    runs table and the cache, so it stays cheap however large the campaign.
    """
    context = {**run_context(), "run": latest_run(), "polled": True}
    response = render(request, "identity/_run_status.html", context)
    if request.headers.get("HX-Request") and context["running"] is None and not context["queued"]:
        # The page polled while a run was going and it has ended: reload it for the new counts.
        response["HX-Refresh"] = "true"
    return response
