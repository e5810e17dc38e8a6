"""The People dashboard's filter: the dashboards' range, segment and comparison, and a grain."""

from __future__ import annotations

from datetime import timedelta

from django import forms

from groundswell.analytics.filters import FilterForm
from groundswell.analytics.metrics import GRAINS

LONGEST_BY_DAY = timedelta(days=92)  # more bars than a phone can show apart


class PeopleRangeForm(FilterForm):
    """The last ninety days up to today unless chosen (at most three years: a grouping, not a
    dump), parsed by ``filters.FilterForm`` as on every dashboard, and the grain of the bars."""

    default_days = 90
    longest_years = 3

    grain = forms.ChoiceField(
        required=False,
        label="By",
        choices=[("day", "Day"), ("week", "Week"), ("month", "Month")],
    )

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        grain = cleaned.get("grain") or "week"
        if grain not in GRAINS:
            raise forms.ValidationError("Choose day, week or month.")
        if grain == "day" and cleaned["end"] - cleaned["start"] > LONGEST_BY_DAY:
            raise forms.ValidationError("Show a range of more than three months by week or month.")
        cleaned["grain"] = grain
        return cleaned
