"""Cleaning of raw intake values (a CSV row, a form, an API body) into a PersonInput.

Every intake path goes through ``person_input_clean`` so that a bad value is reported the same
way everywhere: which field, what was given, and why it cannot be used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from nameparser import HumanName

from groundswell.core.spreadsheet import formula_strip
from groundswell.people.choices import EmailStatus, PhoneType, SmsStatus
from groundswell.people.normalize import (
    EmailVerdict,
    InvalidAddress,
    InvalidEmail,
    InvalidPhone,
    clean_text,
    email_verify,
    phone_normalize,
    postal_code_normalize,
    state_normalize,
    street_normalize,
)

# The fields an intake may carry. `custom:<name>` adds a custom field.
FIELDS = {
    "full_name": "Full name (split into given/middle/family)",
    "given_name": "Given (first) name",
    "middle_name": "Middle name",
    "family_name": "Family (last) name",
    "email": "E-mail address",
    "email_status": "E-mail subscription status",
    "phone": "Phone",
    "mobile_phone": "Mobile phone",
    "sms_status": "SMS consent",
    "address_line1": "Street address",
    "address_line2": "Address line 2",
    "city": "City",
    "state": "State",
    "postal_code": "ZIP / postal code",
    "country": "Country",
    "latitude": "Latitude",
    "longitude": "Longitude",
    "employer": "Employer",
    "occupation": "Occupation",
    "tags": "Tags (separated by ; or ,)",
    "source": "Source",
    "refcode": "Refcode",
    "van_id": "VAN ID",
    "external_id": "Other system's ID",
}
CUSTOM_PREFIX = "custom:"
# Intake fields that carry an id in another system, and the ExternalId.System each is stored as.
EXTERNAL_ID_FIELDS = {"van_id": "van", "external_id": "other"}

_YES = {"subscribed", "yes", "y", "true", "1", "opt-in", "optin", "opted in", "subscribe"}
_NO = {"unsubscribed", "no", "n", "false", "0", "opt-out", "optout", "opted out", "unsubscribe"}
_EMAIL_STATUS_WORDS = {
    "bouncing": EmailStatus.BOUNCING,
    "bounced": EmailStatus.BOUNCING,
    "previous bounce": EmailStatus.PREVIOUS_BOUNCE,
    "previous_bounce": EmailStatus.PREVIOUS_BOUNCE,
    "spam complaint": EmailStatus.SPAM_COMPLAINT,
    "spam_complaint": EmailStatus.SPAM_COMPLAINT,
}
_COUNTRIES = {
    "us": "US",
    "usa": "US",
    "united states": "US",
    "united states of america": "US",
    "u.s.": "US",
    "u.s.a.": "US",
}


@dataclass
class PhoneInput:
    number: str  # E.164
    phone_type: str = PhoneType.OTHER
    sms_status: str | None = None


@dataclass
class PersonInput:
    given_name: str = ""
    middle_name: str = ""
    family_name: str = ""
    email: str = ""
    email_verdict: EmailVerdict | None = None
    email_status: str | None = None  # None: the intake said nothing, so nothing changes
    phones: list[PhoneInput] = field(default_factory=list)
    address_line1: str = ""
    address_line2: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = "US"
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    employer: str = ""
    occupation: str = ""
    custom_fields: dict = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    source: str = ""
    refcode: str = ""
    external_ids: dict[str, str] = field(default_factory=dict)  # system → value

    @property
    def has_address(self) -> bool:
        return any((self.address_line1, self.city, self.state, self.postal_code))


@dataclass
class FieldError:
    field: str
    value: str
    reason: str


def _status(value: str, *, email: bool) -> str:
    word = value.strip().lower()
    if word in _YES:
        return EmailStatus.SUBSCRIBED if email else SmsStatus.SUBSCRIBED
    if word in _NO:
        return EmailStatus.UNSUBSCRIBED if email else SmsStatus.UNSUBSCRIBED
    if email and word in _EMAIL_STATUS_WORDS:
        return _EMAIL_STATUS_WORDS[word]
    allowed = "subscribed, unsubscribed, yes, no" + (
        ", bouncing, previous bounce, spam complaint" if email else ""
    )
    raise ValueError(f"is not a subscription status (use {allowed})")


def _coordinate(value: str, limit: int) -> Decimal:
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        raise ValueError("is not a number") from None
    if not number.is_finite() or abs(number) > limit:
        raise ValueError(f"must be between -{limit} and {limit}")
    return number.quantize(Decimal("0.000001"))


class _Cleaning:
    """One raw record being cleaned: the input, the PersonInput built so far, its errors."""

    def __init__(self, raw: dict[str, str | None]) -> None:
        self.raw = raw
        self.data = PersonInput()
        self.errors: list[FieldError] = []
        self.from_file = False

    def get(self, name: str) -> str:
        value = self.raw.get(name)
        return "" if value is None else str(value)

    def attempt(self, name: str, func):
        """``func`` of the value, or None when it is blank or invalid (noted as an error)."""
        value = self.get(name)
        if not value.strip():
            return None
        try:
            return func(value)
        except ValueError as exc:
            self.errors.append(FieldError(name, value[:255], str(exc)))
            return None


def person_input_clean(
    raw: dict[str, str | None], *, from_file: bool = False
) -> tuple[PersonInput, list[FieldError]]:
    """Turn raw field values into a normalised PersonInput and a list of field errors.

    ``from_file``: the values come from a spreadsheet or a processor's file, whose number-typed
    ZIP columns lost their leading zeros (repaired); what a person types must be a 5-digit ZIP
    or ZIP+4.
    """
    cleaning = _Cleaning(raw)
    cleaning.from_file = from_file
    _names_clean(cleaning)
    _email_clean(cleaning)
    _phones_clean(cleaning)
    _address_clean(cleaning)
    _details_clean(cleaning)
    _custom_fields_clean(cleaning)
    _external_ids_clean(cleaning)
    data, errors = cleaning.data, cleaning.errors
    if not errors and not data.email and not data.phones and not data.external_ids:
        errors.append(
            FieldError(
                "",
                "",
                "has neither an e-mail address, a phone number nor an external ID (such as a "
                "VAN ID), so it cannot be matched to a person",
            )
        )
    return data, errors


def _names_clean(cleaning: _Cleaning) -> None:
    data, attempt = cleaning.data, cleaning.attempt
    for name in ("given_name", "middle_name", "family_name"):
        setattr(data, name, attempt(name, lambda v: _text(v, 100)) or "")
    full = attempt("full_name", lambda v: _text(v, 300))
    if full and not (data.given_name or data.family_name):
        parsed = HumanName(full)
        data.given_name = parsed.first[:100]
        data.middle_name = data.middle_name or parsed.middle[:100]
        data.family_name = parsed.last[:100]


def _email_verdict(value: str) -> EmailVerdict:
    try:
        return email_verify(value)
    except InvalidEmail as exc:
        raise ValueError(str(exc)) from None


def _email_clean(cleaning: _Cleaning) -> None:
    data, attempt = cleaning.data, cleaning.attempt
    verdict = attempt("email", _email_verdict)
    if verdict:
        data.email, data.email_verdict = verdict.address, verdict
    data.email_status = attempt("email_status", lambda v: _status(v, email=True))


def _phone(value: str) -> str:
    try:
        return phone_normalize(value)
    except InvalidPhone as exc:
        raise ValueError(str(exc)) from None


def _phones_clean(cleaning: _Cleaning) -> None:
    data, attempt = cleaning.data, cleaning.attempt
    sms_status = attempt("sms_status", lambda v: _status(v, email=False))
    mobile = attempt("mobile_phone", _phone)
    phone = attempt("phone", _phone)
    if mobile:
        data.phones.append(PhoneInput(mobile, PhoneType.MOBILE, sms_status))
    if phone and phone != mobile:
        data.phones.append(PhoneInput(phone, PhoneType.OTHER, None if mobile else sms_status))


def _address_part(func):
    """``func``, raising ValueError (what ``attempt`` records) for an invalid address part."""

    def wrapped(value: str):
        try:
            return func(value)
        except InvalidAddress as exc:
            raise ValueError(str(exc)) from None

    return wrapped


def _address_clean(cleaning: _Cleaning) -> None:
    data, attempt = cleaning.data, cleaning.attempt
    country = attempt("country", lambda v: _country(v)) or "US"
    data.country = country
    line1 = attempt("address_line1", lambda v: _text(v, 200))
    line2 = attempt("address_line2", lambda v: _text(v, 200)) or ""
    if line1 and country == "US":
        line1, unit = street_normalize(line1)
        if unit and not line2:
            line2 = unit
    data.address_line1, data.address_line2 = line1 or "", line2
    city = attempt("city", lambda v: _text(v, 100)) or ""
    data.city = city.title() if city.isupper() or city.islower() else city
    if country == "US":
        data.state = attempt("state", _address_part(state_normalize)) or ""
    else:
        data.state = attempt("state", lambda v: _text(v, 50)) or ""
    zeros_lost = cleaning.from_file
    data.postal_code = (
        attempt(
            "postal_code",
            _address_part(lambda v: postal_code_normalize(v, country, zeros_lost=zeros_lost)),
        )
        or ""
    )
    data.latitude = attempt("latitude", lambda v: _coordinate(v, 90))
    data.longitude = attempt("longitude", lambda v: _coordinate(v, 180))


def _details_clean(cleaning: _Cleaning) -> None:
    data, attempt = cleaning.data, cleaning.attempt
    data.employer = attempt("employer", lambda v: _text(v, 200)) or ""
    data.occupation = attempt("occupation", lambda v: _text(v, 200)) or ""
    data.source = attempt("source", lambda v: clean_text(v, 100)) or ""
    data.refcode = attempt("refcode", lambda v: clean_text(v, 100)) or ""
    tags = attempt("tags", lambda v: [clean_text(t, 100) for t in v.replace(";", ",").split(",")])
    data.tags = [t for t in (tags or []) if t]


def _custom_fields_clean(cleaning: _Cleaning) -> None:
    for name, value in cleaning.raw.items():
        if name.startswith(CUSTOM_PREFIX) and value is not None and str(value).strip():
            key = name[len(CUSTOM_PREFIX) :].strip()
            try:
                cleaning.data.custom_fields[key] = clean_text(str(value), 1000)
            except ValueError as exc:
                cleaning.errors.append(FieldError(name, str(value)[:255], str(exc)))


def _external_ids_clean(cleaning: _Cleaning) -> None:
    for name, system in EXTERNAL_ID_FIELDS.items():
        # An id is matched exactly, so only its surrounding spaces are trimmed; a spreadsheet's
        # "123.0" for a number-typed id column is the id 123.
        value = cleaning.attempt(name, lambda v: _external_id(v))
        if value:
            cleaning.data.external_ids[system] = value


def _external_id(value: str) -> str:
    text = clean_text(value, 100)
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    if any(ch.isspace() for ch in text):
        raise ValueError("is not an ID (it contains spaces)")
    return text


def _text(value: str, max_length: int) -> str:
    """A name, street, city, state, employer or occupation: clean text that starts no formula.

    These go unaltered into the FEC Schedule A export, so a leading = + - @ (which no real
    name or place starts with) is dropped here rather than escaped there; e-mail, phone and
    postal code are validated on their own, and tags and custom fields are only exported for
    spreadsheets, escaped.
    """
    return formula_strip(clean_text(value, max_length))


def _country(value: str) -> str:
    word = value.strip().lower()
    if word in _COUNTRIES:
        return _COUNTRIES[word]
    if len(word) == 2 and word.isalpha():
        return word.upper()
    raise ValueError("is not a two-letter country code")
