"""Forms of the compliance pages: resolving holds, offline gifts, best efforts, rule sets."""

from __future__ import annotations

import re
import secrets
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils import timezone

from groundswell.donations.intake.fields import DONOR_FIELDS
from groundswell.donations.models import ComplianceRule, PaymentMethod

_DOLLARS = re.compile(r"^\$?\s*(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?$")


class DollarsField(forms.CharField):
    """An amount typed in dollars ("1,250.50", "$27") cleaned to integer cents."""

    def __init__(self, *, max_cents: int = 10**11, **kwargs):
        self.max_cents = max_cents
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        return {**attrs, "inputmode": "decimal", "autocomplete": "off", "maxlength": "20"}

    def to_python(self, value):
        value = super().to_python(value).strip()
        if value in self.empty_values:
            return None
        if len(value) > 20 or not _DOLLARS.match(value):
            raise forms.ValidationError("Enter an amount in dollars, such as 250 or 1,250.50.")
        try:
            cents = int(Decimal(value.lstrip("$").strip().replace(",", "")) * 100)
        except InvalidOperation as exc:  # pragma: no cover - the pattern above rules it out
            raise forms.ValidationError("Enter an amount in dollars.") from exc
        if cents <= 0:
            raise forms.ValidationError("The amount must be more than $0.")
        if cents > self.max_cents:
            raise forms.ValidationError("That amount is too large.")
        return cents


def new_form_key() -> str:
    """A random key sent with a form, so a double submit records one gift, not two."""
    return secrets.token_urlsafe(18)


class RefundForm(forms.Form):
    form_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    how_much = forms.ChoiceField(
        label="Refund",
        choices=[
            ("excess", "The excess only"),
            ("all", "The whole gift"),
            ("other", "Another amount"),
        ],
        widget=forms.RadioSelect,
        initial="excess",
    )
    amount = DollarsField(label="Other amount ($)", required=False)
    reason = forms.CharField(label="Reason", max_length=300)

    def clean(self):
        data = super().clean()
        if data.get("how_much") == "other" and not data.get("amount"):
            self.add_error("amount", "Enter the amount to refund.")
        return data


class RedesignateForm(forms.Form):
    reason = forms.CharField(
        label="Note (e.g. the donor's written redesignation)", max_length=300, required=False
    )


class ReattributeForm(forms.Form):
    amount = DollarsField(label="Amount to reattribute ($)")
    person_id = forms.IntegerField(
        label="Existing person (their id)",
        required=False,
        min_value=1,
        help_text="The id on the person's page; or give a new donor's details below.",
    )
    given_name = forms.CharField(label="First name", max_length=100, required=False)
    family_name = forms.CharField(label="Last name", max_length=100, required=False)
    address_line1 = forms.CharField(label="Street address", max_length=200, required=False)
    city = forms.CharField(max_length=100, required=False)
    state = forms.CharField(max_length=50, required=False)
    postal_code = forms.CharField(label="ZIP code", max_length=12, required=False)
    employer = forms.CharField(max_length=200, required=False)
    occupation = forms.CharField(max_length=200, required=False)
    email = forms.EmailField(label="E-mail (optional)", required=False)
    reason = forms.CharField(label="Note", max_length=300, required=False)

    def donor(self) -> dict[str, str]:
        # The form asks for some of the donor fields (no phone or second address line).
        return {
            name: self.cleaned_data.get(name) or "" for name in DONOR_FIELDS if name in self.fields
        }


class ReleaseForm(forms.Form):
    reason = forms.CharField(label="Why the hold was wrong", max_length=300)


class OfflineGiftForm(forms.Form):
    form_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    amount = DollarsField(label="Amount ($)")
    received_on = forms.DateField(
        label="Date received", widget=forms.DateInput(attrs={"type": "date"})
    )
    method = forms.ChoiceField(
        label="Method",
        choices=[
            (PaymentMethod.CHECK, "Check"),
            (PaymentMethod.CASH, "Cash"),
            (PaymentMethod.OTHER, "Other"),
        ],
    )
    check_number = forms.CharField(label="Check number", max_length=30, required=False)
    is_anonymous = forms.BooleanField(label="Anonymous (no donor known)", required=False)
    given_name = forms.CharField(label="First name", max_length=100, required=False)
    family_name = forms.CharField(label="Last name", max_length=100, required=False)
    email = forms.EmailField(label="E-mail", required=False)
    phone = forms.CharField(max_length=30, required=False)
    address_line1 = forms.CharField(label="Street address", max_length=200, required=False)
    address_line2 = forms.CharField(label="Apt, suite", max_length=200, required=False)
    city = forms.CharField(max_length=100, required=False)
    state = forms.CharField(max_length=50, required=False)
    postal_code = forms.CharField(label="ZIP code", max_length=12, required=False)
    employer = forms.CharField(max_length=200, required=False)
    occupation = forms.CharField(max_length=200, required=False)
    election = forms.CharField(
        label="Election (override)",
        max_length=5,
        required=False,
        help_text="Leave blank for the next election after the date received; or e.g. G2026.",
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=1000
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("form_key", new_form_key())
            self.initial.setdefault("received_on", timezone.localdate())

    def donor(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name) or "" for name in DONOR_FIELDS}


class BestEffortsAnswerForm(forms.Form):
    """The donor's (or staff's, from a phone call) employer and occupation."""

    employer = forms.CharField(
        label="Employer", max_length=200, error_messages={"required": "Enter your employer."}
    )
    occupation = forms.CharField(
        label="Occupation", max_length=200, error_messages={"required": "Enter your occupation."}
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employer"].help_text = 'If you are self-employed, write "Self-employed".'
        self.fields["occupation"].help_text = "If you are retired or not employed, say so."


class ComplianceRuleForm(forms.ModelForm):
    per_election_limit = DollarsField(label="Limit per donor per election ($)")
    itemization_threshold = DollarsField(label="Itemization threshold ($)")
    cash_limit = DollarsField(label="Cash limit per donor ($)")
    anonymous_limit = DollarsField(label="Anonymous gift limit ($)")

    MONEY = {
        "per_election_limit": "per_election_limit_cents",
        "itemization_threshold": "itemization_threshold_cents",
        "cash_limit": "cash_limit_cents",
        "anonymous_limit": "anonymous_limit_cents",
    }

    class Meta:
        model = ComplianceRule
        fields = ["cycle", "redesignation_window_days", "primary_date", "general_date"]
        widgets = {
            "primary_date": forms.DateInput(attrs={"type": "date"}),
            "general_date": forms.DateInput(attrs={"type": "date"}),
        }
        labels = {
            "cycle": "Cycle (the even year it ends)",
            "redesignation_window_days": "Days to redesignate or reattribute",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.MONEY.items():
            cents = getattr(self.instance, field)
            self.initial.setdefault(name, f"{cents // 100}.{cents % 100:02d}")
        if self.instance.pk:
            self.fields["cycle"].disabled = True

    def clean_cycle(self):
        cycle = self.cleaned_data["cycle"]
        if cycle % 2:
            raise forms.ValidationError("A cycle is named by its even year, such as 2026.")
        if not 2000 <= cycle <= 2100:
            raise forms.ValidationError("Enter a cycle year between 2000 and 2100.")
        return cycle

    def clean(self):
        data = super().clean()
        primary, general = data.get("primary_date"), data.get("general_date")
        if primary and general and primary >= general:
            self.add_error("general_date", "The general election comes after the primary.")
        cycle = data.get("cycle") or self.instance.cycle
        for name in ("primary_date", "general_date"):
            day = data.get(name)
            if day and cycle and day.year not in (cycle - 1, cycle):
                self.add_error(name, f"The date must fall in the {cycle - 1}–{cycle} cycle.")
        if (
            not self.instance.pk
            and cycle
            and ComplianceRule.objects.filter(committee_id="", cycle=cycle).exists()
        ):
            self.add_error("cycle", "That cycle already has rules: edit them instead.")
        if data.get("redesignation_window_days") is not None and not (
            1 <= data["redesignation_window_days"] <= 365
        ):
            self.add_error("redesignation_window_days", "Enter between 1 and 365 days.")
        return data

    def save(self, commit=True):
        for name, field in self.MONEY.items():
            setattr(self.instance, field, self.cleaned_data[name])
        return super().save(commit=commit)
