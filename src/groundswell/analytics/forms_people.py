"""The People dashboard's filter: a range of the campaign's days and a grain, checked."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms

from groundswell.analytics.metrics import GRAINS

FIRST_DAY = date(2000, 1, 1)
LONGEST = timedelta(days=3 * 366)  # three years: a grouping, not a dump
LONGEST_BY_DAY = timedelta(days=92)  # more bars than a phone can show apart
DEFAULT_SPAN = timedelta(days=89)  # the last ninety days, today included


class PeopleRangeForm(forms.Form):
    start = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )
    grain = forms.ChoiceField(
        required=False,
        label="By",
        choices=[("day", "Day"), ("week", "Week"), ("month", "Month")],
    )

    def __init__(self, data, *, today: date):
        # Only our three fields: the rest of a query string (a search's q=…) is no concern here.
        super().__init__({k: data[k] for k in ("start", "end", "grain") if k in data})
        self.today = today

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        end = cleaned.get("end") or self.today
        start = cleaned.get("start") or end - DEFAULT_SPAN
        grain = cleaned.get("grain") or "week"
        if grain not in GRAINS:
            raise forms.ValidationError("Choose day, week or month.")
        if start < FIRST_DAY:
            raise forms.ValidationError("The range starts on January 1, 2000 at the earliest.")
        if end > self.today:
            raise forms.ValidationError("The range cannot end after today.")
        if start > end:
            raise forms.ValidationError("The start must be on or before the end.")
        if end - start > LONGEST:
            raise forms.ValidationError("Choose a range of three years or less.")
        if grain == "day" and end - start > LONGEST_BY_DAY:
            raise forms.ValidationError("Show a range of more than three months by week or month.")
        cleaned.update(start=start, end=end, grain=grain)
        return cleaned
