"""Input parsing for the welcome series' staff pages."""

from __future__ import annotations

from django import forms

from groundswell.actions.models import ActionPage
from groundswell.mailings.forms import content_errors_add
from groundswell.mailings.welcome.models import WelcomeSeries, WelcomeTrigger

MERGE_HELP = (
    'Merge fields: {{ first_name }}, {{ first_name|default:"Friend" }}, {{ last_name }}, '
    "{{ email }}, {{ city }}, {{ state }}, {{ postal_code }}, {{ ask_ladder }}, {{ donate_url }}. "
    "The unsubscribe link, postal address and “Paid for by” are added below."
)


class SeriesForm(forms.ModelForm):
    pages = forms.ModelMultipleChoiceField(
        queryset=ActionPage.objects.order_by("title"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only with “Sign-ups on the pages chosen below”.",
    )

    class Meta:
        model = WelcomeSeries
        fields = ["name", "sender", "kind", "trigger", "pages"]
        labels = {
            "trigger": "Who enters the series",
            "kind": "Kind (recipients may stop one kind)",
        }
        widgets = {"trigger": forms.RadioSelect}

    def clean(self):
        data = super().clean()
        if data.get("trigger") == WelcomeTrigger.PAGES and not data.get("pages"):
            self.add_error("pages", "Choose at least one page, or let sign-ups on any page in.")
        return data


class StepForm(forms.Form):
    delay_days = forms.IntegerField(
        min_value=0, max_value=365, initial=0, label="Days after sign-up"
    )
    delay_hours = forms.IntegerField(
        min_value=0, max_value=23, initial=0, label="and hours", help_text="0 and 0: at once"
    )
    subject = forms.CharField(max_length=300)
    html = forms.CharField(
        label="Message (HTML)",
        widget=forms.Textarea(attrs={"rows": 14, "class": "mono"}),
        help_text=MERGE_HELP,
    )
    text = forms.CharField(
        label="Plain-text part",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "class": "mono"}),
        help_text="Generated from the HTML when blank",
    )

    def clean(self):
        data = super().clean()
        content_errors_add(self, data)
        return data
