"""Staff views: the merge review queue."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from groundswell.accounts.permissions import capability_required, client_ip
from groundswell.accounts.roles import PEOPLE_MERGE
from groundswell.core.pagination import paginate
from groundswell.core.untrusted import whole_number
from groundswell.identity.forms import DecideForm, ReviewFilterForm
from groundswell.identity.models import MergeSuggestion, ReviewDecision
from groundswell.identity.review import open_suggestions, review_items, suggestion_decide
from groundswell.identity.selectors import latest_run
from groundswell.people.models import MergeRecord

PER_PAGE = 20


@capability_required(PEOPLE_MERGE)
def review_queue(request):
    """Open merge suggestions, two records side by side with each field's match weight."""
    form = ReviewFilterForm(request.GET or None)
    band = form.cleaned_data["band"] if form.is_valid() else ""
    page = paginate(
        open_suggestions(user=request.user, band=band), request.GET.get("page"), PER_PAGE
    )
    context = {
        "form": form,
        "band": band,
        "page": page,
        "items": review_items(page.items, user=request.user),
        "qs": urlencode({"band": band}) if band else "",
        "run": latest_run(),
        "decided": ReviewDecision.objects.count(),
        "any_open": MergeSuggestion.objects.filter(status=MergeSuggestion.Status.OPEN).exists(),
        "last_merge": _last_merge(request),
    }
    return render(request, "identity/review_queue.html", context)


def _last_merge(request):

    merge_id = whole_number(request.GET.get("merged", ""))
    if merge_id is None:
        return None
    return MergeRecord.objects.filter(pk=merge_id, undone_at__isnull=True).first()


@require_POST
@capability_required(PEOPLE_MERGE)
def review_decide_view(request, pk: int):
    """Accept or reject one suggestion, then back to the same place in the queue."""
    suggestion = get_object_or_404(MergeSuggestion, pk=pk)
    back = reverse("identity:review")
    params = {k: request.POST[k] for k in ("band", "page") if request.POST.get(k)}
    if params:
        back = f"{back}?{urlencode(params)}"
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose “same person” or “different people”.")
        return redirect(back)
    try:
        outcome = suggestion_decide(
            suggestion=suggestion,
            verdict=form.cleaned_data["verdict"],
            user=request.user,
            ip_address=client_ip(request),
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(back)
    if outcome.decision.verdict == ReviewDecision.Verdict.REJECTED:
        messages.success(request, "Kept apart: later runs will not suggest this pair again.")
    elif outcome.merge_id:
        messages.success(request, f"Merged: the two people are now person #{outcome.survivor_id}.")
        # The queue then offers to undo that merge (people.merge keeps what moved).
        joiner = "&" if "?" in back else "?"
        back = f"{back}{joiner}merged={outcome.merge_id}"
    else:
        messages.success(request, f"Marked as the same person. {outcome.note}".strip())
    return redirect(back)
