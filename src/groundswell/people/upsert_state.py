"""One person inside an upsert batch: the rows loaded for them, and the rules by which one
input changes them (fields, e-mail and its consent, phones, the address, external ids, tags).

``people.upsert`` loads and writes the batch; this module decides, row by row, what changes,
without touching the database (except ``person_summary_refresh``, for edits and merges).
"""

from __future__ import annotations

from groundswell.people.intake import PersonInput
from groundswell.people.models import (
    ConsentEvent,
    EmailAddress,
    EmailStatus,
    Person,
    Phone,
    PostalAddress,
    SmsStatus,
)
from groundswell.people.normalize import name_key

# Plain fields an input overwrites when it carries a value.
SCALARS = ("given_name", "middle_name", "family_name", "employer", "occupation")


class PersonState:
    """One person being upserted: the loaded rows and what must be written."""

    def __init__(self, person: Person, created: bool):
        self.person = person
        self.created = created
        self.emails: list[EmailAddress] = []
        self.phones: list[Phone] = []
        self.addresses: list[PostalAddress] = []
        self.tag_names: set[str] = set()
        self.external: set[tuple[str, str]] = set()  # known (system, value); new ones below
        self.new_external: set[tuple[str, str]] = set()
        self.changes: list[str] = []
        self.new_tags: set[str] = set()
        self.person_dirty = False
        self.touched = False


def item_apply(state: PersonState, item: PersonInput, record_consent, now) -> None:
    _apply_fields(state, item)
    if item.email:
        _apply_email(state, item, record_consent, now)
    for phone_in in item.phones:
        _apply_phone(state, phone_in, record_consent, now)
    if item.has_address:
        _apply_address(state, item, now)
    new_external = set(item.external_ids.items()) - state.external
    if new_external:
        state.external |= new_external
        state.new_external |= new_external
        state.changes.append("external ID")
    new_tags = set(item.tags) - state.tag_names
    if new_tags:
        state.tag_names |= new_tags
        state.new_tags |= new_tags
        state.changes.append("tags")


def _apply_fields(state: PersonState, item: PersonInput) -> None:
    person = state.person
    for name in SCALARS:
        value = getattr(item, name)
        if value and getattr(person, name) != value:
            setattr(person, name, value)
            state.person_dirty = True
            state.changes.append(name)
    if item.custom_fields:
        merged = {**person.custom_fields, **item.custom_fields}
        if merged != person.custom_fields:
            person.custom_fields = merged
            state.person_dirty = True
            state.changes.append("custom fields")
    for name in ("source", "refcode"):
        # The source and refcode of *first* contact are never overwritten.
        if getattr(item, name) and not getattr(person, name):
            setattr(person, name, getattr(item, name))
            state.person_dirty = True


def _apply_email(state: PersonState, item: PersonInput, record_consent, now) -> None:
    email = next((e for e in state.emails if e.address == item.email), None)
    if email is None:
        verdict = item.email_verdict
        status = item.email_status or EmailStatus.UNKNOWN
        email = EmailAddress(
            address=item.email,
            is_primary=not state.emails,
            status=status,
            verdict=verdict.verdict if verdict else "valid",
            is_disposable=bool(verdict and verdict.is_disposable),
            is_role=bool(verdict and verdict.is_role),
            suggestion=verdict.suggestion if verdict else "",
        )
        state.emails.append(email)
        state.person_dirty = True
        state.changes.append("e-mail")
        if item.email_status:
            record_consent(state, ConsentEvent.Channel.EMAIL, item.email, "", status)
    elif item.email_status and email.status != item.email_status:
        record_consent(
            state, ConsentEvent.Channel.EMAIL, email.address, email.status, item.email_status
        )
        email.status = item.email_status
        email.modified_at = now
        email._dirty = True
        state.person_dirty = True
        state.changes.append("e-mail status")


def _apply_phone(state: PersonState, phone_in, record_consent, now) -> None:
    phone = next((p for p in state.phones if p.number == phone_in.number), None)
    if phone is None:
        status = phone_in.sms_status or SmsStatus.UNKNOWN
        phone = Phone(
            number=phone_in.number,
            phone_type=phone_in.phone_type,
            sms_status=status,
            is_primary=not state.phones,
        )
        state.phones.append(phone)
        state.person_dirty = True
        state.changes.append("phone")
        if phone_in.sms_status:
            record_consent(state, ConsentEvent.Channel.SMS, phone.number, "", status)
        return
    if phone_in.sms_status and phone.sms_status != phone_in.sms_status:
        record_consent(
            state,
            ConsentEvent.Channel.SMS,
            phone.number,
            phone.sms_status,
            phone_in.sms_status,
        )
        phone.sms_status = phone_in.sms_status
        phone._dirty = True
        state.changes.append("SMS consent")
    if phone_in.phone_type != Phone.Type.OTHER and phone.phone_type != phone_in.phone_type:
        phone.phone_type = phone_in.phone_type
        phone._dirty = True
        state.changes.append("phone type")
    if getattr(phone, "_dirty", False):
        phone.modified_at = now


def _apply_address(state: PersonState, item: PersonInput, now) -> None:
    incoming = PostalAddress(
        line1=item.address_line1,
        line2=item.address_line2,
        city=item.city,
        state=item.state,
        postal_code=item.postal_code,
        country=item.country,
        latitude=item.latitude,
        longitude=item.longitude,
        is_primary=True,
    )
    existing = next((a for a in state.addresses if a.same_place(incoming)), None)
    if existing is None:
        # A new address is where the person lives now: it becomes primary.
        for old in state.addresses:
            if old.is_primary:
                old.is_primary = False
                old.modified_at = now
                old._dirty = True
        state.addresses.append(incoming)
        state.person_dirty = True
        state.changes.append("address")
    elif item.latitude is not None and existing.latitude is None:
        existing.latitude, existing.longitude = item.latitude, item.longitude
        existing.modified_at = now
        existing._dirty = True
        state.changes.append("coordinates")


def person_summary_refresh(person: Person) -> None:
    """Recompute the search keys and primary contact summary after an edit or merge."""
    state = PersonState(person, created=False)
    state.emails = list(person.emails.all())
    state.phones = list(person.phones.all())
    state.addresses = list(person.addresses.all())
    summary_fill(state)
    Person.objects.filter(pk=person.pk).update(
        given_key=person.given_key,
        family_key=person.family_key,
        primary_email=person.primary_email,
        email_status=person.email_status,
        primary_phone=person.primary_phone,
        state=person.state,
        postal_code=person.postal_code,
    )


def summary_fill(state: PersonState) -> None:
    """Copy the primary contact points onto the person row for fast search and filters."""
    person = state.person
    person.given_key = name_key(person.given_name)
    person.family_key = name_key(person.family_name)
    email = next((e for e in state.emails if e.is_primary), None)
    person.primary_email = email.address if email else ""
    person.email_status = email.status if email else ""
    phone = next((p for p in state.phones if p.is_primary), None)
    person.primary_phone = phone.number if phone else ""
    address = next((a for a in state.addresses if a.is_primary), None)
    person.state = (address.state if address and address.country == "US" else "")[:2]
    person.postal_code = address.postal_code[:5] if address else ""
