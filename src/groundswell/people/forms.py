"""Forms of the supporter CRM's staff UI: they parse input; the services do the writing."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from groundswell.people.imports import IGNORE
from groundswell.people.intake import CUSTOM_PREFIX, FIELDS
from groundswell.people.models import EmailStatus, Phone, SmsStatus
from groundswell.people.normalize import US_STATES

CONSENT_CHOICES = [
    ("", "No consent recorded"),
    (EmailStatus.SUBSCRIBED, "Subscribed"),
    (EmailStatus.UNSUBSCRIBED, "Unsubscribed"),
]
CUSTOM = "__custom__"


class _TagChoiceField(forms.MultipleChoiceField):
    """Tags by name; unknown names are dropped by the form's clean_tag, not refused."""

    def validate(self, value):
        pass


class PersonFilterForm(forms.Form):
    """The search box and filters of the supporter list (a GET form; every field optional)."""

    q = forms.CharField(
        required=False,
        max_length=200,
        label="Search",
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": "Name, e-mail, phone or ZIP",
                "autocomplete": "off",
                "aria-label": "Search people by name, e-mail, phone or ZIP code",
            }
        ),
    )
    tag = _TagChoiceField(required=False, label="Tags", widget=forms.CheckboxSelectMultiple)
    match = forms.ChoiceField(
        required=False,
        label="People with",
        choices=[("any", "any of these tags"), ("all", "all of these tags")],
    )
    state = forms.ChoiceField(
        required=False,
        label="State",
        choices=[
            ("", "Any state"),
            *((code, f"{code} – {name}") for code, name in US_STATES.items()),
        ],
    )
    status = forms.ChoiceField(
        required=False,
        label="E-mail status",
        choices=[("", "E-mail: any"), *EmailStatus.choices],
    )
    source = forms.CharField(
        required=False,
        max_length=100,
        label="Source",
        widget=forms.TextInput(attrs={"placeholder": "Source"}),
    )
    # The people one import added or updated: the link on an import's result page.
    imported = forms.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput
    )

    def __init__(self, *args, tags: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tag"].choices = [(name, name) for name in tags]
        self._tags = set(tags)

    def clean_tag(self):
        # A link to a tag deleted since (or mistyped) drops that tag, not the whole filter.
        return [name for name in self.cleaned_data["tag"] if name in self._tags][:50]

    def filters(self) -> dict:
        """The cleaned filters; an invalid value (e.g. a deleted tag) is simply dropped."""
        if self.is_bound:
            self.is_valid()
        data = getattr(self, "cleaned_data", {})
        tags = data.get("tag") or []
        return {
            "query": data.get("q") or "",
            "tag": tags,
            "match": "all" if data.get("match") == "all" and len(tags) > 1 else "",
            "state": data.get("state") or "",
            "status": data.get("status") or "",
            "source": (data.get("source") or "").strip(),
            "imported": data.get("imported"),
        }


class PersonEditForm(forms.Form):
    given_name = forms.CharField(required=False, max_length=100, label="Given (first) name")
    middle_name = forms.CharField(required=False, max_length=100, label="Middle name")
    family_name = forms.CharField(required=False, max_length=100, label="Family (last) name")
    employer = forms.CharField(required=False, max_length=200)
    occupation = forms.CharField(required=False, max_length=200)

    # Blank rows for new custom fields under the existing ones.
    EXTRA_CUSTOM_ROWS = 2

    def __init__(self, *args, person, show_finance: bool, **kwargs):
        initial = {
            "given_name": person.given_name,
            "middle_name": person.middle_name,
            "family_name": person.family_name,
        }
        if show_finance:
            initial |= {"employer": person.employer, "occupation": person.occupation}
        custom = list((person.custom_fields or {}).items())
        for index, (key, value) in enumerate(custom):
            initial[f"custom_key_{index}"] = key
            initial[f"custom_value_{index}"] = value
        super().__init__(*args, initial=initial, **kwargs)
        if not show_finance:
            # Not rendered and not accepted: only finance roles see or change these.
            del self.fields["employer"]
            del self.fields["occupation"]
        self.custom_rows = []
        for index in range(len(custom) + self.EXTRA_CUSTOM_ROWS):
            key_name, value_name = f"custom_key_{index}", f"custom_value_{index}"
            self.fields[key_name] = forms.CharField(required=False, max_length=100, label="Name")
            self.fields[value_name] = forms.CharField(
                required=False, max_length=1000, label="Value"
            )
            self.custom_rows.append((key_name, value_name))

    def custom_row_fields(self):
        return [(self[k], self[v]) for k, v in self.custom_rows]

    def service_data(self) -> dict:
        """The values for editing.person_update: scalars plus the whole custom-field dict."""
        data = {
            name: self.cleaned_data[name]
            for name in ("given_name", "middle_name", "family_name", "employer", "occupation")
            if name in self.fields
        }
        custom = {}
        for key_name, value_name in self.custom_rows:
            key = (self.cleaned_data.get(key_name) or "").strip()
            value = (self.cleaned_data.get(value_name) or "").strip()
            if key and value:
                custom[key] = value
        data["custom_fields"] = custom
        return data


class EmailAddForm(forms.Form):
    email = forms.CharField(max_length=254, label="E-mail address")
    email_status = forms.ChoiceField(required=False, choices=CONSENT_CHOICES, label="Subscription")


class PhoneAddForm(forms.Form):
    phone = forms.CharField(max_length=40, label="Phone number")
    phone_type = forms.ChoiceField(choices=Phone.Type.choices, initial=Phone.Type.MOBILE)
    sms_status = forms.ChoiceField(required=False, choices=CONSENT_CHOICES, label="SMS consent")


class AddressAddForm(forms.Form):
    address_line1 = forms.CharField(required=False, max_length=200, label="Street address")
    address_line2 = forms.CharField(required=False, max_length=200, label="Apt, suite, unit")
    city = forms.CharField(required=False, max_length=100)
    state = forms.CharField(required=False, max_length=50)
    postal_code = forms.CharField(required=False, max_length=12, label="ZIP code")
    country = forms.CharField(required=False, max_length=30, initial="US")
    make_primary = forms.BooleanField(
        required=False, initial=True, label="This is where they live now (primary)"
    )


class EmailStatusForm(forms.Form):
    status = forms.ChoiceField(choices=EmailStatus.choices, label="Subscription")


class SmsStatusForm(forms.Form):
    status = forms.ChoiceField(choices=SmsStatus.choices, label="SMS consent")


class TagAddForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        label="Add a tag",
        widget=forms.TextInput(attrs={"placeholder": "Tag name", "list": "tag-names"}),
    )


class MergeForm(forms.Form):
    survivor = forms.TypedChoiceField(coerce=int, widget=forms.RadioSelect, label="Keep")

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["survivor"].choices = [(p.pk, f"#{p.pk} {p}") for p in people]


def upload_too_large_message(size: int, limit: int) -> str:
    return (
        f"This file is {filesizeformat(size)}; the largest file this server accepts is "
        f"{filesizeformat(limit)}. Split it into smaller files, or import it with the "
        "`groundswell import` command on the server."
    )


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.tsv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.GROUNDSWELL_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(upload_too_large_message(upload.size, limit))
        if upload.size == 0:
            raise forms.ValidationError("The file is empty.")
        return upload


# Shorter words where a field's own label would not fit a phone's select (the page explains).
MAPPING_LABELS = {"full_name": "Full name (split in parts)"}


class ImportMappingForm(forms.Form):
    """One select per CSV column (a person field, a custom field, or ignore) plus options."""

    tags = forms.CharField(
        required=False,
        max_length=500,
        label="Tags to apply to every row",
        help_text="Separate tags with commas.",
    )
    source = forms.CharField(
        required=False,
        max_length=100,
        label="Source",
        help_text="Recorded for people this file adds (unless a column gives one).",
    )
    default_email_status = forms.ChoiceField(
        required=False,
        label="E-mail status for rows that do not say",
        choices=[("", "Leave as it is"), *EmailStatus.choices],
    )

    def __init__(self, *args, job, samples: list[list[str]], **kwargs):
        initial = {
            "tags": ", ".join(job.tags or []),
            "source": job.source,
            "default_email_status": job.default_email_status,
        }
        for index, _header in enumerate(job.headers):
            current = (job.mapping or {}).get(str(index), IGNORE)
            if current.startswith(CUSTOM_PREFIX):
                initial[f"col_{index}"] = CUSTOM
                initial[f"custom_{index}"] = current[len(CUSTOM_PREFIX) :]
            else:
                initial[f"col_{index}"] = current
        super().__init__(*args, initial=initial, **kwargs)
        choices = [
            (IGNORE, "— Ignore this column —"),
            *((name, MAPPING_LABELS.get(name, label)) for name, label in FIELDS.items()),
            (CUSTOM, "Custom field…"),
        ]
        self.columns = []
        for index, header in enumerate(job.headers):
            self.fields[f"col_{index}"] = forms.ChoiceField(
                choices=choices, label=header or f"Column {index + 1}"
            )
            self.fields[f"custom_{index}"] = forms.CharField(
                required=False,
                max_length=100,
                label="Custom field name",
                widget=forms.TextInput(attrs={"placeholder": "custom field name"}),
            )
            self.columns.append(
                {
                    "number": index + 1,
                    "header": header,
                    "samples": samples[index] if index < len(samples) else [],
                    "field": f"col_{index}",
                    "custom": f"custom_{index}",
                }
            )

    def column_rows(self):
        return [
            {**column, "field": self[column["field"]], "custom": self[column["custom"]]}
            for column in self.columns
        ]

    def clean(self):
        cleaned = super().clean()
        mapping = {}
        for column in self.columns:
            choice = cleaned.get(column["field"]) or IGNORE
            if choice == CUSTOM:
                name = (cleaned.get(column["custom"]) or "").strip()
                if not name:
                    self.add_error(column["custom"], "Name the custom field, or ignore the column.")
                    continue
                choice = CUSTOM_PREFIX + name
            # Several columns may feed one field: the import takes the first non-empty value,
            # which is how "Home phone" and "Work phone" both become a phone.
            mapping[str(column["number"] - 1)] = choice
        cleaned["mapping"] = mapping
        cleaned["tag_list"] = [
            t.strip() for t in (cleaned.get("tags") or "").replace(";", ",").split(",") if t.strip()
        ]
        return cleaned


class PersonRemoveForm(forms.Form):
    """Delete a person, or erase their personal data: which, and why (for the audit log)."""

    action = forms.ChoiceField(
        choices=[
            ("erase", "Erase their personal data (keeps the gifts the law requires)"),
            ("delete", "Delete the record entirely"),
        ],
        widget=forms.RadioSelect,
        label="What to do",
    )
    reason = forms.CharField(
        max_length=500,
        label="Reason",
        help_text="Goes in the audit log, e.g. “Erasure requested by e-mail on 4 Dec”.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    confirm = forms.BooleanField(label="I understand this cannot be undone")


class BulkActionForm(forms.Form):
    """A change to every person of a filtered list, confirmed with the number it will touch."""

    action = forms.ChoiceField(
        choices=[("tag", "Add a tag"), ("untag", "Remove a tag")], label="Action"
    )
    tag_name = forms.CharField(
        max_length=100,
        label="Tag",
        widget=forms.TextInput(attrs={"list": "tag-names", "autocomplete": "off"}),
    )
    # The count staff saw and confirmed: if the list has changed since, they confirm again.
    expected = forms.IntegerField(min_value=0, max_value=10**9, widget=forms.HiddenInput)
