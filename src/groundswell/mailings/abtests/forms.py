"""The A/B test form: the decision rule, and variants B–D as changes to the mailing."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from groundswell.mailings.compose import MergeFieldError, MessageContent, content_check
from groundswell.mailings.models import AbMetric, AbTest, Mailing, SenderIdentity

VARIANT_LETTERS = ("b", "c", "d")
HTML_LIMIT = 200_000


class AbTestForm(forms.ModelForm):
    unsubscribe_percent = forms.DecimalField(
        label="Stop a variant if its unsubscribes exceed (% of recipients)",
        min_value=Decimal("0.01"),
        max_value=Decimal("20"),
        decimal_places=2,
        initial=Decimal("1.00"),
    )
    complaint_percent = forms.DecimalField(
        label="…or its spam complaints exceed (% of recipients)",
        min_value=Decimal("0.01"),
        max_value=Decimal("5"),
        decimal_places=2,
        initial=Decimal("0.10"),
    )

    class Meta:
        model = AbTest
        fields = ["metric", "test_percent", "min_per_variant", "wait_hours", "send_on_decision"]
        labels = {
            "metric": "The winner is the variant with the most",
            "test_percent": "Test on (% of recipients, split evenly between the variants)",
            "min_per_variant": "Minimum recipients per variant before a winner can be named",
            "wait_hours": "Send the winner at the latest after (hours)",
            "send_on_decision": "Send the winner as soon as the test is decided",
        }
        help_texts = {
            "send_on_decision": "Unticked: the winner waits for the deadline.",
            "wait_hours": "At the deadline the variant ahead goes to the rest, "
            "decided or not (the page says which).",
        }

    def __init__(self, *args, mailing: Mailing, finance: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.mailing = mailing
        choices = [(v, label) for v, label in AbMetric.choices if finance or v != AbMetric.DOLLARS]
        self.fields["metric"] = forms.ChoiceField(
            choices=choices, label=self.fields["metric"].label, initial=AbMetric.CLICKS
        )
        self.fields["test_percent"] = forms.IntegerField(
            min_value=2, max_value=50, initial=20, label=self.fields["test_percent"].label
        )
        self.fields["min_per_variant"] = forms.IntegerField(
            min_value=100,
            max_value=1_000_000,
            initial=1000,
            label=self.fields["min_per_variant"].label,
        )
        self.fields["wait_hours"] = forms.IntegerField(
            min_value=1,
            max_value=24 * 14,
            initial=4,
            label=self.fields["wait_hours"].label,
            help_text=self.Meta.help_texts["wait_hours"],
        )
        if self.instance.pk:
            self.initial["unsubscribe_percent"] = round(
                Decimal(str(self.instance.unsubscribe_limit * 100)), 2
            )
            self.initial["complaint_percent"] = round(
                Decimal(str(self.instance.complaint_limit * 100)), 2
            )
        saved = list(self.instance.variants or []) if self.instance.pk else []
        for index, letter in enumerate(VARIANT_LETTERS):
            spec = saved[index] if index < len(saved) else {}
            upper = letter.upper()
            self.fields[f"{letter}_subject"] = forms.CharField(
                required=False,
                max_length=300,
                label=f"Variant {upper}: subject",
                initial=spec.get("subject", ""),
            )
            self.fields[f"{letter}_sender"] = forms.ModelChoiceField(
                queryset=SenderIdentity.objects.all(),
                required=False,
                label=f"Variant {upper}: sender",
                empty_label="same as A",
                initial=spec.get("sender_id"),
            )
            self.fields[f"{letter}_html"] = forms.CharField(
                required=False,
                max_length=HTML_LIMIT,
                label=f"Variant {upper}: message (HTML)",
                widget=forms.Textarea(attrs={"rows": 6, "class": "mono"}),
                initial=spec.get("html", ""),
                help_text="Blank: the same as A.",
            )

    def variant_blocks(self):
        """The three variant blocks' bound fields, for the template."""
        return [
            (letter.upper(), [self[f"{letter}_{part}"] for part in ("subject", "sender", "html")])
            for letter in VARIANT_LETTERS
        ]

    def _variant(self, letter: str) -> dict:
        data = self.cleaned_data
        spec = {}
        subject = (data.get(f"{letter}_subject") or "").strip()
        if subject and subject != self.mailing.subject:
            spec["subject"] = subject
        sender = data.get(f"{letter}_sender")
        if sender is not None and sender.pk != self.mailing.sender_id:
            spec["sender_id"] = sender.pk
        html = (data.get(f"{letter}_html") or "").strip()
        if html and html != self.mailing.html.strip():
            spec["html"] = html
        if spec:
            try:
                content_check(
                    MessageContent(
                        subject=spec.get("subject", self.mailing.subject),
                        html=spec.get("html", self.mailing.html),
                        text="",
                    )
                )
            except MergeFieldError as exc:
                part = "html" if exc.part != "Subject" else "subject"
                self.add_error(f"{letter}_{part}", str(exc))
        return spec

    def clean(self):
        data = super().clean()
        variants, seen = [], []
        for index, letter in enumerate(VARIANT_LETTERS):
            spec = self._variant(letter)
            filled = any(self.data.get(f"{letter}_{p}") for p in ("subject", "sender", "html"))
            if not spec:
                if filled:
                    self.add_error(f"{letter}_subject", "This variant is the same as A.")
                continue
            if len(variants) < index:
                self.add_error(
                    f"{letter}_subject", "Fill the variants in order (B, then C, then D)."
                )
            if spec in seen:
                self.add_error(f"{letter}_subject", "This variant repeats an earlier one.")
            seen.append(spec)
            variants.append(spec)
        if not variants and not self.errors:
            self.add_error(None, "Describe at least variant B: a subject, sender or message.")
        data["variants"] = variants
        return data

    def save(self, commit: bool = False) -> AbTest:
        test = super().save(commit=False)
        test.mailing = self.mailing
        test.variants = self.cleaned_data["variants"]
        test.unsubscribe_limit = float(self.cleaned_data["unsubscribe_percent"]) / 100
        test.complaint_limit = float(self.cleaned_data["complaint_percent"]) / 100
        return test


class StartForm(forms.Form):
    confirmed = forms.IntegerField(
        required=False, min_value=0, label="Type the number of recipients to confirm"
    )
