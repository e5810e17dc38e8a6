"""Forms of relational organizing and the kiosk: what a person types, before the intake."""

from __future__ import annotations

from django import forms

from groundswell.events.relational.models import Relationship


def _one_way_to_reach(cleaned: dict) -> None:
    if not (cleaned.get("email") or "").strip() and not (cleaned.get("phone") or "").strip():
        raise forms.ValidationError("Give an e-mail address or a phone number.")


def _name_input() -> forms.TextInput:
    return forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "words"})


class _ReachableForm(forms.Form):
    """A person someone else types in (a volunteer's contact, a kiosk sign-in): a name and at
    least one way to reach them. ``autocomplete`` is off: the device is shared or the person
    is not the one typing, and the browser must not offer anyone else's details."""

    given_name = forms.CharField(max_length=100, label="First name", widget=_name_input())
    family_name = forms.CharField(
        max_length=100, required=False, label="Last name", widget=_name_input()
    )
    email = forms.CharField(
        max_length=254,
        required=False,
        label="E-mail",
        widget=forms.EmailInput(attrs={"autocomplete": "off", "inputmode": "email"}),
    )
    phone = forms.CharField(
        max_length=40,
        required=False,
        label="Phone",
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    )

    def clean(self):
        cleaned = super().clean()
        _one_way_to_reach(cleaned)
        return cleaned


class ContactForm(_ReachableForm):
    relationship = forms.ChoiceField(choices=Relationship.choices, label="How you know them")
    notes = forms.CharField(
        max_length=2000,
        required=False,
        label="Notes",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=(
            "What they care about, when to reach them. Other volunteers do not see your contacts."
        ),
    )


class KioskForm(_ReachableForm):
    postal_code = forms.CharField(
        max_length=10,
        required=False,
        label="ZIP code",
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    email_consent = forms.BooleanField(
        required=False, label="Yes, send me e-mail about the campaign"
    )
