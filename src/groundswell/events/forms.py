"""Staff forms for events: the event and its shifts, the events list's filters, a walk-in.

Shift times are typed in the event's own zone: the view validates the shift formset inside
``timezone.override(event zone)``, so Django reads the typed time there and refuses one that
does not exist or happens twice at a DST change, and the service stores UTC.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.validators import URLValidator

from groundswell.events import staff
from groundswell.events.models import Event, EventStatus, EventType, Repeat

# The zones a US campaign's events happen in; an event saved with another keeps it on the list.
TIMEZONES = [
    ("America/New_York", "Eastern (New York)"),
    ("America/Chicago", "Central (Chicago)"),
    ("America/Denver", "Mountain (Denver)"),
    ("America/Phoenix", "Mountain, no DST (Phoenix)"),
    ("America/Los_Angeles", "Pacific (Los Angeles)"),
    ("America/Anchorage", "Alaska (Anchorage)"),
    ("Pacific/Honolulu", "Hawaii (Honolulu)"),
    ("America/Puerto_Rico", "Atlantic (Puerto Rico)"),
]
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
MAX_REMINDERS = 5
MAX_REMINDER_HOURS = 24 * 14
# A year outside this window is a typo, and near year 9999 the conversion to UTC overflows.
YEARS = (2000, 2100)


def _rows(n: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": n})


class EventForm(forms.ModelForm):
    # Attendees open the join link: web addresses only (no ftp:, no javascript:).
    join_url = forms.URLField(
        max_length=500,
        required=False,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        label="Join link",
        help_text="Sent to attendees only; required for a virtual event.",
    )
    timezone = forms.ChoiceField(
        choices=TIMEZONES, label="Time zone", help_text="Shift times are entered in this zone."
    )
    reminders = forms.CharField(
        required=False,
        max_length=100,
        label="Reminders (hours before each shift)",
        help_text="Separated by commas, e.g. 24, 2. Blank: no reminders.",
    )

    class Meta:
        model = Event
        fields = [
            "title",
            "event_type",
            "description",
            "visibility",
            "timezone",
            "is_virtual",
            "join_url",
            "venue",
            "address_line1",
            "city",
            "state",
            "zip_code",
            "address_private",
            "accessibility",
            "contact_email",
            "repeat",
            "repeat_count",
            "repeat_until",
        ]
        labels = {
            "event_type": "Type",
            "is_virtual": "Virtual event",
            "join_url": "Join link",
            "address_line1": "Street address",
            "zip_code": "ZIP code",
            "address_private": "Show the street address to registered attendees only",
            "contact_email": "Contact e-mail",
            "repeat": "Repeat",
            "repeat_count": "Number of dates",
            "repeat_until": "Last date",
        }
        help_texts = {
            "join_url": "Sent to attendees only; required for a virtual event.",
            "zip_code": "Five digits; required for an event in a place.",
            "repeat": "Each shift below repeats at the same local time.",
            "repeat_count": "The first date included, 2 to 52.",
            "repeat_until": "Or stop on this date (whichever comes first).",
        }
        widgets = {
            "description": _rows(5),
            "accessibility": _rows(2),
            "repeat_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reminders"].initial = ", ".join(
            _hours_words(m) for m in (self.instance.reminder_minutes or [])
        )
        # Not repeating unless staff say so (a form posted without the field, too).
        self.fields["repeat"].required = False
        current = self.instance.timezone if self.instance.pk else None
        if current and current not in dict(TIMEZONES):
            self.fields["timezone"].choices = [*TIMEZONES, (current, current)]

    def clean(self):
        cleaned = super().clean()
        for name, message in staff.event_fields_errors(cleaned).items():
            if name not in self.errors:
                self.add_error(name, message)
        return cleaned

    def clean_repeat(self) -> str:
        return self.cleaned_data.get("repeat") or Repeat.NONE

    def clean_reminders(self) -> list[int]:
        """ "24, 2" → [1440, 120]: minutes before each shift, latest last, each once."""
        minutes = set()
        for part in self.cleaned_data["reminders"].replace(";", ",").split(","):
            if not part.strip():
                continue
            try:
                hours = Decimal(part.strip())
            except InvalidOperation:
                raise forms.ValidationError(
                    f"“{part.strip()[:20]}” is not a number of hours."
                ) from None
            if not hours.is_finite() or not 0 < hours <= MAX_REMINDER_HOURS:
                raise forms.ValidationError(
                    f"Each reminder is between 0 and {MAX_REMINDER_HOURS} hours before the shift."
                )
            minutes.add(max(1, int(hours * 60)))
        if len(minutes) > MAX_REMINDERS:
            raise forms.ValidationError(f"At most {MAX_REMINDERS} reminders.")
        return sorted(minutes, reverse=True)

    def fields_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["reminder_minutes"] = self.cleaned_data["reminders"]
        return data


def _hours_words(minutes: int) -> str:
    hours = Decimal(minutes) / 60
    return str(hours.quantize(Decimal(1)) if hours == hours.to_integral() else hours.normalize())


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=LOCAL_FORMAT, **kwargs)


class ShiftForm(forms.Form):
    shift_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    label = forms.CharField(max_length=100, required=False, label="Label")
    starts_at = forms.DateTimeField(label="Starts", widget=LocalDateTimeInput())
    ends_at = forms.DateTimeField(label="Ends", widget=LocalDateTimeInput())
    capacity = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=1_000_000,
        label="Capacity",
        help_text="Blank: no limit.",
    )

    def clean(self):
        cleaned = super().clean()
        for name in ("starts_at", "ends_at"):
            value = cleaned.get(name)
            if isinstance(value, datetime) and not YEARS[0] <= value.year <= YEARS[1]:
                self.add_error(name, f"Pick a date between {YEARS[0]} and {YEARS[1]}.")
                cleaned.pop(name, None)
        if self.cleaned_data.get("DELETE"):
            return cleaned
        for name, message in staff.shift_errors(
            starts_at=cleaned.get("starts_at"),
            ends_at=cleaned.get("ends_at"),
            capacity=cleaned.get("capacity"),
        ).items():
            if name not in self.errors:
                self.add_error(name, message)
        return cleaned

    def shift_input(self) -> staff.ShiftInput:
        data = self.cleaned_data
        return staff.ShiftInput(
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            label=data.get("label") or "",
            capacity=data.get("capacity"),
            shift_id=data.get("shift_id"),
            delete=bool(data.get("DELETE")),
        )


class BaseShiftFormSet(forms.BaseFormSet):
    def shift_inputs(self) -> list[staff.ShiftInput]:
        items = []
        for form in self.forms:
            if not form.has_changed() and not form.cleaned_data.get("shift_id"):
                continue  # an untouched blank row
            if form.cleaned_data.get("DELETE") and not form.cleaned_data.get("shift_id"):
                continue
            if form.cleaned_data.get("DELETE"):
                items.append(
                    staff.ShiftInput(
                        starts_at=None,
                        ends_at=None,
                        shift_id=form.cleaned_data["shift_id"],
                        delete=True,
                    )
                )
                continue
            items.append(form.shift_input())
        return items


ShiftFormSet = forms.formset_factory(
    ShiftForm,
    formset=BaseShiftFormSet,
    extra=2,
    can_delete=True,
    max_num=50,
    validate_max=True,
    absolute_max=60,
)


def shift_initial(event: Event) -> list[dict]:
    """The event's shifts as the formset shows them: naive times in the event's zone."""
    tz = event.tz
    return [
        {
            "shift_id": s.pk,
            "label": s.label,
            "starts_at": s.starts_at.astimezone(tz).replace(tzinfo=None),
            "ends_at": s.ends_at.astimezone(tz).replace(tzinfo=None),
            "capacity": s.capacity,
        }
        # The dates a repeating shift made follow it; only the shifts entered are edited.
        for s in event.shifts.filter(repeat_of__isnull=True)
    ]


WHEN_CHOICES = [("", "Any date"), ("upcoming", "Upcoming"), ("past", "Past")]


class EventFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=200,
        label="Search by title",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Search by title"}),
    )
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), *EventStatus.choices], label="Status"
    )
    event_type = forms.ChoiceField(
        required=False, choices=[("", "Any type"), *EventType.choices], label="Type"
    )
    when = forms.ChoiceField(required=False, choices=WHEN_CHOICES, label="When")

    def filters(self) -> dict:
        if not self.is_valid():
            return {"q": "", "status": "", "event_type": "", "when": ""}
        return {
            "q": self.cleaned_data["q"].strip(),
            "status": self.cleaned_data["status"],
            "event_type": self.cleaned_data["event_type"],
            "when": self.cleaned_data["when"],
        }


class WalkInForm(forms.Form):
    given_name = forms.CharField(max_length=100, label="First name")
    family_name = forms.CharField(max_length=100, required=False, label="Last name")
    email = forms.CharField(max_length=254, required=False, label="E-mail")
    phone = forms.CharField(max_length=40, required=False, label="Phone")
    postal_code = forms.CharField(max_length=10, required=False, label="ZIP code")

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("email") or "").strip() and not (cleaned.get("phone") or "").strip():
            raise forms.ValidationError("Give an e-mail address or a phone number.")
        return cleaned
