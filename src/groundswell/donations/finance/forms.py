"""Finance page forms: the overview's range, contribution filters, refunds, Schedule A."""

from __future__ import annotations

import re
import secrets
from datetime import date, timedelta
from decimal import Decimal

from django import forms

from groundswell.donations.compliance.rules import cycle_for
from groundswell.donations.finance.refunds import REASON_MAX
from groundswell.donations.finance.selectors import ContributionFilters
from groundswell.donations.models import (
    ContributionStatus,
    DonationPage,
    Processor,
    cents_display,
)
from groundswell.donations.selectors import DateRange

# A custom range drawn day by day; longer than a cycle and the chart says nothing more.
MAX_RANGE_DAYS = 800


def _dollars_to_cents(value: Decimal | None) -> int | None:
    return None if value is None else int((value * 100).to_integral_value())


class RangeForm(forms.Form):
    PRESETS = (
        ("today", "Today"),
        ("7d", "Last 7 days"),
        ("30d", "Last 30 days"),
        ("quarter", "This quarter"),
        ("cycle", "This cycle"),
        ("custom", "Custom"),
    )
    range = forms.ChoiceField(choices=PRESETS, required=False, initial="30d")
    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    # Not "page": that parameter is the page number of a paginated list.
    donation_page = forms.ModelChoiceField(
        required=False, queryset=DonationPage.objects.order_by("title"), empty_label="All pages"
    )
    refcode = forms.CharField(
        required=False, max_length=100, widget=forms.TextInput(attrs={"placeholder": "Any"})
    )

    def clean(self):
        data = super().clean()
        if data.get("range") == "custom":
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise forms.ValidationError("A custom range needs a start and an end date.")
            if end < start:
                raise forms.ValidationError("The range ends before it starts.")
            if (end - start).days + 1 > MAX_RANGE_DAYS:
                raise forms.ValidationError(f"A range can be at most {MAX_RANGE_DAYS} days.")
        return data

    def period(self, today: date) -> DateRange:
        """The chosen range (the last 30 days when nothing valid was chosen)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        preset = data.get("range") or "30d"
        if preset == "custom" and self.non_field_errors():
            preset = "30d"
        if preset == "today":
            return DateRange(today, today)
        if preset == "7d":
            return DateRange(today - timedelta(days=6), today)
        if preset == "quarter":
            return DateRange(date(today.year, 3 * ((today.month - 1) // 3) + 1, 1), today)
        if preset == "cycle":
            return DateRange(date(cycle_for(today) - 1, 1, 1), today)
        if preset == "custom":
            return DateRange(data["start"], data["end"])
        return DateRange(today - timedelta(days=29), today)


class ContributionFilterForm(forms.Form):
    HELD = (
        ("", "Held or not"),
        ("held", "Held now"),
        ("resolved", "Hold resolved"),
        ("never", "Never held"),
    )
    MEMO = (("", "All rows"), ("exclude", "No memo rows"), ("only", "Memo rows only"))
    SORT = (
        ("-date", "Newest first"),
        ("date", "Oldest first"),
        ("-amount", "Largest first"),
        ("amount", "Smallest first"),
    )
    q = forms.CharField(
        required=False,
        max_length=200,
        label="Search",
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": "Donor name, e-mail, processor id, order number or refcode",
                "aria-label": "Search contributions",
            }
        ),
    )
    start = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )
    processor = forms.ChoiceField(
        required=False, choices=[("", "Any processor"), *Processor.choices]
    )
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), *ContributionStatus.choices]
    )
    election = forms.RegexField(
        required=False,
        regex=r"^[PGRS]\d{4}$",
        max_length=5,
        error_messages={"invalid": "An election looks like P2026 or G2026."},
        widget=forms.TextInput(attrs={"placeholder": "Election (P2026)"}),
    )
    held = forms.ChoiceField(required=False, choices=HELD)
    memo = forms.ChoiceField(required=False, choices=MEMO)
    refcode = forms.CharField(
        required=False, max_length=100, widget=forms.TextInput(attrs={"placeholder": "Refcode"})
    )
    donation_page = forms.ModelChoiceField(
        required=False, queryset=DonationPage.objects.order_by("title"), empty_label="Any page"
    )
    min_amount = forms.DecimalField(
        required=False,
        min_value=0,
        decimal_places=2,
        max_digits=12,
        widget=forms.NumberInput(attrs={"placeholder": "Min $", "step": "0.01"}),
    )
    max_amount = forms.DecimalField(
        required=False,
        min_value=0,
        decimal_places=2,
        max_digits=12,
        widget=forms.NumberInput(attrs={"placeholder": "Max $", "step": "0.01"}),
    )
    sort = forms.ChoiceField(required=False, choices=SORT)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", "The end date is before the start date.")
        low, high = data.get("min_amount"), data.get("max_amount")
        if low is not None and high is not None and high < low:
            self.add_error("max_amount", "The maximum is below the minimum.")
        return data

    def filters(self) -> ContributionFilters:
        """The filters from the fields that are valid (an invalid field filters nothing)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        page = data.get("donation_page")
        return ContributionFilters(
            query=data.get("q") or "",
            start=data.get("start"),
            end=data.get("end"),
            processor=data.get("processor") or "",
            status=data.get("status") or "",
            election=data.get("election") or "",
            held=data.get("held") or "",
            memo=data.get("memo") or "",
            refcode=(data.get("refcode") or "").strip(),
            page_id=page.pk if page else None,
            min_cents=_dollars_to_cents(data.get("min_amount")),
            max_cents=_dollars_to_cents(data.get("max_amount")),
            sort=data.get("sort") or "-date",
        )


class RefundForm(forms.Form):
    amount = forms.DecimalField(
        min_value=Decimal("0.01"),
        decimal_places=2,
        max_digits=12,
        label="Amount to refund ($)",
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    reason = forms.CharField(
        max_length=REASON_MAX,
        label="Reason",
        help_text="Kept in the audit log, e.g. “over the limit” or “donor asked”.",
    )
    # Generated with the form and sent back with it: a double-clicked or retried submit
    # carries the same key, and the refund service makes one refund per key.
    key = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, refundable_cents: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.refundable_cents = refundable_cents
        self.fields["amount"].initial = f"{refundable_cents // 100}.{refundable_cents % 100:02d}"
        self.fields["key"].initial = secrets.token_hex(8)

    def clean_key(self):
        # A form without a key (or with a tampered one) still works, as a refund of its own.
        key = self.cleaned_data.get("key") or ""
        return key if re.fullmatch(r"[0-9a-f]{16}", key) else secrets.token_hex(8)

    def clean_amount(self):
        cents = _dollars_to_cents(self.cleaned_data["amount"])
        if cents > self.refundable_cents:
            raise forms.ValidationError(
                f"At most {cents_display(self.refundable_cents)} is left to refund."
            )
        return cents


class ScheduleAForm(forms.Form):
    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    cycle = forms.IntegerField(
        required=False,
        min_value=2000,
        max_value=2100,
        help_text="Or a whole two-year cycle, by its election year (2026).",
    )
    committee = forms.RegexField(
        required=False,
        regex=r"^C\d{8}$",
        label="FEC committee id",
        help_text="Written in every row's filer column (C followed by 8 digits).",
        error_messages={"invalid": "An FEC committee id is C followed by 8 digits."},
    )

    def clean_cycle(self):
        cycle = self.cleaned_data.get("cycle")
        if cycle is not None and cycle % 2:
            raise forms.ValidationError("A cycle is named by its even (election) year.")
        return cycle

    def clean(self):
        data = super().clean()
        start, end, cycle = data.get("start"), data.get("end"), data.get("cycle")
        if self.errors:
            return data
        if cycle is not None and (start or end):
            raise forms.ValidationError("Choose either a date range or a cycle, not both.")
        if cycle is not None:
            data["period"] = DateRange(date(cycle - 1, 1, 1), date(cycle, 12, 31))
        elif start and end:
            if end < start:
                raise forms.ValidationError("The range ends before it starts.")
            data["period"] = DateRange(start, end)
        else:
            raise forms.ValidationError("Choose a date range (start and end) or a cycle.")
        return data
