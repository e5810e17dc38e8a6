"""The Donors by place page (/analytics/donors/places/): states, ZIP3 bins, the threshold panel."""

from __future__ import annotations

import logging
from datetime import date
from urllib.parse import urlencode

from django import forms
from django.shortcuts import render
from django.utils import timezone

from groundswell.accounts.permissions import capability_required
from groundswell.accounts.roles import PEOPLE_VIEW
from groundswell.analytics import filters
from groundswell.analytics.places import charts, selectors
from groundswell.identity.selectors import counts_default_range
from groundswell.segments.selectors import segments_for

logger = logging.getLogger(__name__)

FIRST_YEAR = 2000
DEFAULT_MINIMUM = 200  # the DNC's per-state minimum of 2019's first debates


class PlacesForm(forms.Form):
    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    minimum = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=10_000_000,
        label="Donors needed per state",
        help_text="Used when the donor goal sets no per-state minimum.",
        widget=forms.NumberInput(attrs={"placeholder": DEFAULT_MINIMUM}),
    )
    segment = forms.ChoiceField(
        required=False,
        label="Segment",
        help_text="Count only the donors among its people (the threshold panel counts everyone).",
    )
    compare = forms.ChoiceField(
        required=False,
        choices=list(filters.COMPARISONS.items()),
        label="Compare with",
        help_text="The states table shows that period's donors beside the range's.",
    )
    page = forms.IntegerField(
        required=False, min_value=1, max_value=100_000, widget=forms.HiddenInput
    )

    def __init__(self, *args, user, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        # Only segments this viewer may see; any other id is refused as if it did not exist.
        self.segments = {str(s.pk): s for s in segments_for(user=user).only("pk", "name")}
        self.fields["segment"].choices = [("", "Everyone")] + [
            (pk, s.name) for pk, s in self.segments.items()
        ]

    def clean_segment(self):
        return self.segments.get(self.cleaned_data.get("segment") or "")

    def clean(self):
        data = super().clean()
        default_start, default_end = counts_default_range(self.today)
        start = data.get("start") or default_start
        end = data.get("end") or default_end
        last = date(self.today.year + 1, 12, 31)
        for name, day in (("start", start), ("end", end)):
            if name not in self.errors and not date(FIRST_YEAR, 1, 1) <= day <= last:
                self.add_error(name, f"Choose a day from {FIRST_YEAR} to {last.year}.")
        if not self.errors and end < start:
            self.add_error("end", "The end must not come before the start.")
        data["start"], data["end"] = start, end
        data["minimum"] = data.get("minimum") or DEFAULT_MINIMUM
        data["page"] = data.get("page") or 1
        return data


@capability_required(PEOPLE_VIEW)
def donor_places(request):
    """Unique donors by state (a map and a table), by ZIP3 area, and the per-state threshold."""
    today = timezone.localdate()
    form = PlacesForm(request.GET or None, user=request.user, today=today)
    if request.GET and not form.is_valid():
        logger.warning(
            "analytics: refused %s: bad %s", request.get_full_path()[:300], sorted(form.errors)
        )
        return render(request, "analytics/places.html", {"form": form}, status=400)
    if not request.GET:
        form = PlacesForm({}, user=request.user, today=today)
        form.is_valid()
    data = form.cleaned_data
    board = selectors.places_read(
        user=request.user,
        start=data["start"],
        end=data["end"],
        today=today,
        minimum=data["minimum"],
        zip3_page=data["page"],
        segment=data["segment"],
        compare=data.get("compare") or "",
    )
    context = {
        "form": form,
        "board": board,
        "states_spec": charts.states_spec(board.states),
        "zip3_spec": charts.zip3_spec(
            board.zip3_page,
            board.zip3.other if board.zip3_number == board.zip3_pages else None,
        ),
        "query": _query(data),
    }
    return render(request, "analytics/places.html", context)


def _query(data: dict) -> str:
    """The range, minimum, segment and comparison as a query string, for the ZIP3 pages' links."""
    fields = {
        "start": f"{data['start']:%Y-%m-%d}",
        "end": f"{data['end']:%Y-%m-%d}",
        "minimum": data["minimum"],
    }
    if data.get("segment"):
        fields["segment"] = data["segment"].pk
    if data.get("compare"):
        fields["compare"] = data["compare"]
    return urlencode(fields)
