"""Input of the sources page: the report's filters and the ad-spend form, both from outside."""

from __future__ import annotations

import re
from datetime import date

from django import forms

from groundswell.analytics.filters import FilterForm
from groundswell.analytics.metrics_sources import DIMENSIONS
from groundswell.analytics.sources.models import AdSpend
from groundswell.core.untrusted import text_clean

FIRST_YEAR, LAST_YEAR = 2000, 2100
MAX_SPEND_DAYS = 366
MAX_SPEND_CENTS = 100_000_000_00  # $100 million: a typo, not a campaign's ad budget
_DOLLARS = re.compile(r"^\$?\s*(\d{1,12})(?:\.(\d{1,2}))?$")
# Refcodes as links carry them: letters, digits and - _ . ~ (no spaces, nothing to escape).
_REFCODE = re.compile(r"^[A-Za-z0-9._~-]{1,100}$")
SORTS = ("key", "count", "net", "gross", "donors", "new", "signups")


def _in_years(value: date | None, field: str) -> None:
    if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise forms.ValidationError(
            f"The {field} must be a day from {FIRST_YEAR} to {LAST_YEAR}.", code="range"
        )


class ReportForm(FilterForm):
    """The report's days, segment and comparison (``filters.FilterForm``, the dashboards' one
    range parser: the last 30 days unless chosen, at most three years), grouping, order and
    page; every field may be left out."""

    default_days = 30
    future = True  # a range may be chosen ahead, as on the overview
    longest_years = 3

    by = forms.ChoiceField(
        required=False, label="Group by", choices=list(DIMENSIONS.items()), initial="refcode"
    )
    sort = forms.ChoiceField(
        required=False, choices=[(s, s) for s in SORTS] + [(f"-{s}", s) for s in SORTS]
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=100_000)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        data["by"] = data.get("by") or "refcode"
        data["page"] = data.get("page") or 1
        return data


def cents_from_dollars(text: str) -> int | None:
    """Dollars as typed ("$1,250.50", "300") in cents; None when it is not an amount."""
    match = _DOLLARS.match(text.replace(",", "").strip())
    if not match:
        return None
    return int(match.group(1)) * 100 + int((match.group(2) or "0").ljust(2, "0"))


class SpendForm(forms.Form):
    refcode = forms.CharField(
        max_length=100,
        help_text="As it appears in the ad's links, e.g. fb-spring.",
        error_messages={"required": "Enter the refcode the ads carried."},
    )
    match = forms.ChoiceField(choices=AdSpend.Match.choices, initial=AdSpend.Match.EXACT)
    start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.CharField(
        max_length=30,
        label="Amount spent ($)",
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    note = forms.CharField(max_length=200, required=False, help_text="Optional: platform, ad set")

    def clean_refcode(self) -> str:
        refcode = text_clean(self.cleaned_data["refcode"]).strip()
        if not _REFCODE.match(refcode):
            raise forms.ValidationError(
                "Use the refcode as in the links: letters, digits and - _ . ~ only."
            )
        return refcode

    def clean_start(self):
        _in_years(self.cleaned_data.get("start"), "first day")
        return self.cleaned_data.get("start")

    def clean_end(self):
        _in_years(self.cleaned_data.get("end"), "last day")
        return self.cleaned_data.get("end")

    def clean_amount(self) -> int:
        cents = cents_from_dollars(text_clean(self.cleaned_data["amount"]))
        if cents is None:
            raise forms.ValidationError("Enter dollars and cents, e.g. 1,250.00.")
        if not 0 < cents <= MAX_SPEND_CENTS:
            raise forms.ValidationError("Enter an amount above $0 and at most $100,000,000.")
        return cents

    def clean_note(self) -> str:
        return text_clean(self.cleaned_data.get("note") or "").strip()

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", "The last day must be on or after the first.")
            elif (end - start).days >= MAX_SPEND_DAYS:
                self.add_error("end", "Enter at most a year at a time (one entry per period).")
        if "amount" in data:
            data["amount_cents"] = data["amount"]
        return data
