"""The message-planning page's filters: a split of supporters and a range of campaign days."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms

from groundswell.analytics.planning.segments import DIMENSIONS, dimensions_for

# A quarter by default: long enough for a few tests and forms, short enough to be "lately".
DEFAULT_DAYS = 90
EARLIEST_YEAR = 2000


class PlanningFilter(forms.Form):
    dimension = forms.ChoiceField(label="Split supporters by", required=False)
    start = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, data, *, user, today: date):
        super().__init__(data)
        self.today = today
        self.fields["dimension"].choices = [(d.key, d.label) for d in dimensions_for(user)]

    def clean_dimension(self) -> str:
        # A split the role may not use (the donor split without finance rights) is refused by
        # ChoiceField before this: it is not among the choices.
        return self.cleaned_data.get("dimension") or DIMENSIONS[0].key

    def clean(self):
        data = super().clean()
        end = data.get("end") or self.today
        start = data.get("start") or end - timedelta(days=DEFAULT_DAYS - 1)
        latest = self.today + timedelta(days=366)
        for name, day in (("start", start), ("end", end)):
            if not date(EARLIEST_YEAR, 1, 1) <= day <= latest:
                self.add_error(name, f"Choose a day from {EARLIEST_YEAR} to next year.")
        if start > end:
            self.add_error("end", "The last day must not be before the first.")
        data["start"], data["end"] = start, end
        return data
