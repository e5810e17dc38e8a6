"""Forms of the identity pages: the counts range, the review filter, custom donor goals."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms

from groundswell.identity.models import ThresholdRuleSet
from groundswell.identity.review import BANDS
from groundswell.identity.selectors import STATES, RefundedRule, counts_default_range

MAX_RANGE_DAYS = 366 * 6  # longer than any cycle; a typo like year 20019 is refused


class CountsForm(forms.Form):
    start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))
    refunded = forms.ChoiceField(
        label="Donors whose every gift was refunded",
        choices=RefundedRule.CHOICES,
        initial=RefundedRule.EXCLUDE,
        required=False,
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", "The range ends before it starts.")
            elif (end - start).days > MAX_RANGE_DAYS:
                self.add_error("end", "Pick a range of six years or less.")
        data["refunded"] = data.get("refunded") or RefundedRule.EXCLUDE
        return data

    @classmethod
    def defaults(cls, today: date) -> dict:
        """The campaign so far this cycle: from January 1 of the odd year to today."""
        start, end = counts_default_range(today)
        return {"start": start, "end": end, "refunded": RefundedRule.EXCLUDE}


class ReviewFilterForm(forms.Form):
    band = forms.ChoiceField(
        label="Probability",
        choices=[(key, label) for key, (label, _, _) in BANDS.items()],
        required=False,
    )


class DecideForm(forms.Form):
    verdict = forms.ChoiceField(choices=[("accepted", "Same person"), ("rejected", "Different")])


class RuleSetForm(forms.ModelForm):
    class Meta:
        model = ThresholdRuleSet
        fields = [
            "name",
            "description",
            "total_donors",
            "per_state_minimum",
            "states_required",
            "window_start",
            "window_end",
            "deadline",
        ]
        labels = {
            "total_donors": "Unique donors overall",
            "per_state_minimum": "Donors needed in a state",
            "states_required": "In at least this many states",
            "window_start": "Count gifts from",
            "window_end": "Count gifts to",
        }
        help_texts = {
            "total_donors": "",
            "per_state_minimum": "",
            "states_required": "DC and the territories count as states: 56 in all.",
            "window_start": "Gifts before this day do not count.",
            "window_end": "Gifts after this day do not count.",
            "deadline": "The projection says whether each part is met before it.",
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "window_start": forms.DateInput(attrs={"type": "date"}),
            "window_end": forms.DateInput(attrs={"type": "date"}),
            "deadline": forms.DateInput(attrs={"type": "date"}),
        }

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("Give the goal a name.")
        return name

    def clean_total_donors(self):
        value = self.cleaned_data["total_donors"]
        if value < 1:
            raise forms.ValidationError("The goal needs at least one donor.")
        if value > 100_000_000:
            raise forms.ValidationError("That is more donors than any campaign has had.")
        return value

    def clean_states_required(self):
        value = self.cleaned_data["states_required"]
        if value > len(STATES):
            raise forms.ValidationError(
                f"There are {len(STATES)} states, DC and territories; pick {len(STATES)} or fewer."
            )
        return value

    def clean(self):
        data = super().clean()
        start, end, deadline = (
            data.get("window_start"),
            data.get("window_end"),
            data.get("deadline"),
        )
        if start and end and end < start:
            self.add_error("window_end", "The counting window ends before it starts.")
        if start and end and (end - start) > timedelta(days=MAX_RANGE_DAYS):
            self.add_error("window_end", "Pick a counting window of six years or less.")
        if end and deadline and deadline < end:
            self.add_error("deadline", "The deadline comes before the counting window ends.")
        return data
