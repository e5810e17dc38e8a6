"""Input parsing for the staff pages."""

from __future__ import annotations

from django import forms

from groundswell.mailings.compose import MergeFieldError, MessageContent, content_check
from groundswell.mailings.models import Mailing, SenderIdentity


def content_errors_add(form: forms.Form, data: dict) -> None:
    """Check a form's subject, HTML and text as one message; an unknown or broken merge field
    becomes an error on the field it is in, with its line (the mailing and welcome forms)."""
    content = MessageContent(
        subject=data.get("subject") or "",
        html=data.get("html") or "",
        text=data.get("text") or "",
    )
    try:
        content_check(content)
    except MergeFieldError as exc:
        field = {"Subject": "subject", "HTML": "html", "Text": "text"}.get(exc.part)
        form.add_error(field, str(exc))


class SenderIdentityForm(forms.ModelForm):
    class Meta:
        model = SenderIdentity
        fields = ["from_name", "from_address", "reply_to", "postal_address", "is_default"]
        widgets = {"postal_address": forms.Textarea(attrs={"rows": 3})}
        labels = {"is_default": "Default sender for new mailings"}


class MailingForm(forms.ModelForm):
    class Meta:
        model = Mailing
        fields = [
            "name",
            "kind",
            "sender",
            "segment",
            "subject",
            "html",
            "text",
            "refcode",
            "exclude_mailed_within_days",
        ]
        widgets = {
            "html": forms.Textarea(attrs={"rows": 16, "class": "mono"}),
            "text": forms.Textarea(attrs={"rows": 8, "class": "mono"}),
        }
        labels = {
            "html": "Message (HTML)",
            "text": "Plain-text part",
            "kind": "Kind (recipients may stop one kind)",
            "exclude_mailed_within_days": "Skip people mailed within (days)",
        }
        help_texts = {
            "html": 'Merge fields: {{ first_name }}, {{ first_name|default:"Friend" }}, '
            "{{ last_name }}, {{ email }}, {{ city }}, {{ state }}, {{ postal_code }}. "
            "The unsubscribe link, postal address and “Paid for by” are added below.",
            "refcode": "Credits sign-ups and gifts to this mailing; blank: m<number>",
        }

    def clean(self):
        data = super().clean()
        content_errors_add(self, data)
        return data


class SendForm(forms.Form):
    when = forms.ChoiceField(
        choices=[("now", "Send now"), ("later", "Schedule")],
        initial="now",
        widget=forms.RadioSelect,
    )
    scheduled_at = forms.DateTimeField(
        required=False,
        label="Send at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    confirmed = forms.IntegerField(
        required=False, min_value=0, label="Type the number of recipients to confirm"
    )

    def clean(self):
        data = super().clean()
        if data.get("when") == "later" and not data.get("scheduled_at"):
            self.add_error("scheduled_at", "Choose when to send.")
        return data
