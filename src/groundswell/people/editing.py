"""Edits staff make to one person from the staff UI.

Values are cleaned by the same ``person_input_clean`` that imports and forms use, so a bad
value reads the same everywhere. Every change of consent goes through the consent services with
the staff member named as its source, and every edit leaves a line on the person's timeline.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from groundswell.accounts.roles import PEOPLE_EDIT
from groundswell.people.intake import FIELDS, person_input_clean
from groundswell.people.models import (
    ConsentMethod,
    EmailAddress,
    Person,
    Phone,
    PostalAddress,
    Tag,
    Tagging,
)
from groundswell.people.normalize import clean_text
from groundswell.people.sensitivity import PERSON_FIELDS, person_fields_hidden
from groundswell.people.services import (
    activity_record,
    email_status_set,
    person_summary_refresh,
    sms_status_set,
)

NAME_FIELDS = ("given_name", "middle_name", "family_name")
_LABELS = {
    "given_name": "given name",
    "middle_name": "middle name",
    "family_name": "family name",
    "employer": "employer",
    "occupation": "occupation",
    "custom_fields": "custom fields",
}


def staff_source(actor) -> str:
    """How a staff member is named in consent history."""
    return f"staff: {actor.username}"


def _actor_name(actor) -> str:
    return actor.get_full_name() or actor.username


def _require_edit(actor) -> None:
    if not actor.can(PEOPLE_EDIT):
        raise ValidationError("Your role does not allow editing people.")


def _clean(raw: dict[str, str], fields: tuple[str, ...]) -> object:
    """Clean raw values through the intake rules; raise ValidationError keyed by field."""
    data, errors = person_input_clean(raw)
    # The intake also complains when a row has neither e-mail nor phone, which only matters
    # for a whole person, not for one contact point added to someone who already exists.
    errors = [e for e in errors if e.field in fields and (e.value or raw.get(e.field))]
    if errors:
        raise ValidationError(
            {e.field: f"{FIELDS.get(e.field, e.field)} {e.reason}" for e in errors}
        )
    return data


@transaction.atomic
def person_update(*, person: Person, data: dict, actor) -> list[str]:
    """Change names, finance fields and custom fields; return what changed (for the timeline).

    ``data`` holds raw values; keys missing from it are left alone. Employer and occupation
    are ignored unless the actor may see finance data, whatever the form sent.
    """
    _require_edit(actor)
    person = Person.objects.select_for_update().get(pk=person.pk)
    hidden = person_fields_hidden(user=actor)
    allowed = NAME_FIELDS + tuple(name for name in PERSON_FIELDS if name not in hidden)
    errors = {}
    changed = []
    for name in allowed:
        if name not in data:
            continue
        limit = Person._meta.get_field(name).max_length
        try:
            value = clean_text(data[name], limit)
        except ValueError as exc:
            errors[name] = f"{FIELDS.get(name, name)} {exc}"
            continue
        if getattr(person, name) != value:
            setattr(person, name, value)
            changed.append(name)
    if "custom_fields" in data:
        custom = {}
        for key, value in data["custom_fields"].items():
            try:
                key = clean_text(key, 100)
                value = clean_text(value, 1000)
            except ValueError as exc:
                errors["custom_fields"] = f"Custom field {key[:40]!r} {exc}"
                continue
            if key and value:
                custom[key] = value
        if custom != person.custom_fields:
            person.custom_fields = custom
            changed.append("custom_fields")
    if errors:
        raise ValidationError(errors)
    if not changed:
        return []
    person.save(update_fields=[*changed, "modified_at"])
    person_summary_refresh(person)
    labels = [_LABELS[name] for name in changed]
    _edit_record(
        person=person,
        actor=actor,
        what=", ".join(labels),
        fields=changed,
    )
    return changed


@transaction.atomic
def person_email_add(*, person: Person, address: str, status: str, actor) -> EmailAddress:
    """Add an e-mail address to a person; with a status, the consent is recorded as staff's."""
    _require_edit(actor)
    data = _clean({"email": address}, ("email",))
    existing = EmailAddress.objects.filter(address=data.email).select_related("person").first()
    if existing is not None:
        if existing.person_id == person.pk:
            raise ValidationError({"email": f"{data.email} is already one of this person's."})
        owner = existing.person
        raise ValidationError(
            {
                "email": f"{data.email} belongs to {owner} (#{owner.pk}). "
                "If they are the same person, merge them instead."
            }
        )
    verdict = data.email_verdict
    # Lock the person so two staff adding addresses at once cannot both make theirs primary.
    Person.objects.select_for_update().filter(pk=person.pk).first()
    try:
        with transaction.atomic():
            email = EmailAddress.objects.create(
                person=person,
                address=data.email,
                is_primary=not person.emails.filter(is_primary=True).exists(),
                verdict=verdict.verdict,
                is_disposable=verdict.is_disposable,
                is_role=verdict.is_role,
                suggestion=verdict.suggestion,
            )
    except IntegrityError:
        # Someone else added the same address a moment ago.
        raise ValidationError({"email": f"{data.email} has just been added to someone."}) from None
    if status:
        email_status_set(
            email=email,
            status=status,
            **_by_staff(actor),
        )
    person_summary_refresh(person)
    _edit_record(
        person=person,
        actor=actor,
        what=f"added e-mail {email.address}",
        fields=["email"],
    )
    _check_mx_later([email.pk])
    return email


def _by_staff(actor) -> dict:
    """How a consent change made on a staff page is recorded: by staff, naming them."""
    return {"method": ConsentMethod.STAFF, "source": staff_source(actor), "actor": actor}


def _edit_record(
    *, person: Person, actor, what: str, fields: list[str], kind: str = "edit"
) -> None:
    """Say on the person's timeline which staff member changed what."""
    activity_record(
        person=person,
        kind=kind,
        summary=f"Edited by {_actor_name(actor)}: {what}",
        data={"fields": fields, "actor": actor.username},
    )


def _check_mx_later(address_ids: list[int]) -> None:
    if settings.GROUNDSWELL_CHECK_MX:
        # tasks.py imports this module (a task runs a service): the task is imported when used.
        from groundswell.people.tasks import email_check_mx

        transaction.on_commit(lambda: email_check_mx.enqueue(address_ids=address_ids))


@transaction.atomic
def person_phone_add(
    *, person: Person, number: str, phone_type: str, sms_status: str, actor
) -> Phone:
    """Add a phone number to a person; with an SMS status, the consent is recorded."""
    _require_edit(actor)
    data = _clean({"phone": number}, ("phone",))
    normalized = data.phones[0].number
    Person.objects.select_for_update().filter(pk=person.pk).first()
    if Phone.objects.filter(person=person, number=normalized).exists():
        raise ValidationError({"phone": "This number is already one of this person's."})
    phone = Phone.objects.create(
        person=person,
        number=normalized,
        phone_type=phone_type or Phone.Type.OTHER,
        is_primary=not person.phones.filter(is_primary=True).exists(),
    )
    if sms_status:
        sms_status_set(
            phone=phone,
            status=sms_status,
            **_by_staff(actor),
        )
    person_summary_refresh(person)
    _edit_record(
        person=person,
        actor=actor,
        what=f"added phone {phone.display}",
        fields=["phone"],
    )
    return phone


ADDRESS_FIELDS = ("address_line1", "address_line2", "city", "state", "postal_code", "country")


@transaction.atomic
def person_address_add(
    *, person: Person, raw: dict[str, str], make_primary: bool, actor
) -> PostalAddress:
    """Add a postal address; a primary one becomes the person's state and ZIP for search."""
    _require_edit(actor)
    raw = {k: raw.get(k, "") for k in ADDRESS_FIELDS}
    data = _clean(raw, ADDRESS_FIELDS)
    if not data.has_address:
        raise ValidationError({"address_line1": "Enter at least a street, city, state or ZIP."})
    Person.objects.select_for_update().filter(pk=person.pk).first()
    address = PostalAddress(
        person=person,
        line1=data.address_line1,
        line2=data.address_line2,
        city=data.city,
        state=data.state,
        postal_code=data.postal_code,
        country=data.country,
    )
    existing = list(person.addresses.all())
    if any(a.same_place(address) for a in existing):
        raise ValidationError({"address_line1": "This address is already one of this person's."})
    make_primary = make_primary or not existing
    if make_primary:
        person.addresses.filter(is_primary=True).update(is_primary=False)
    address.is_primary = make_primary
    address.save()
    person_summary_refresh(person)
    _edit_record(
        person=person,
        actor=actor,
        what=f"added address {address}",
        fields=["address"],
    )
    return address


def person_email_status_change(*, email: EmailAddress, status: str, actor) -> bool:
    """Staff change an address's subscription; the consent history names them."""
    _require_edit(actor)
    with transaction.atomic():
        changed = email_status_set(email=email, status=status, **_by_staff(actor))
        if changed:
            # The person's row carries the primary address's status (the list filters on it).
            person_summary_refresh(email.person)
            _edit_record(
                person=email.person,
                kind="consent",
                actor=actor,
                what=f"e-mail {email.address} set to {status}",
                fields=["email_status"],
            )
    return changed


def person_sms_status_change(*, phone: Phone, status: str, actor) -> bool:
    """Staff change a phone's SMS consent; the consent history names them."""
    _require_edit(actor)
    with transaction.atomic():
        changed = sms_status_set(phone=phone, status=status, **_by_staff(actor))
        if changed:
            _edit_record(
                person=phone.person,
                kind="consent",
                actor=actor,
                what=f"SMS for {phone.display} set to {status}",
                fields=["sms_status"],
            )
    return changed


@transaction.atomic
def tag_ensure(*, name: str, actor) -> tuple[Tag, bool]:
    """The tag of this name, created if new; True when it was created."""
    _require_edit(actor)
    try:
        name = clean_text(name, 100)
    except ValueError as exc:
        raise ValidationError({"name": f"Tag {exc}"}) from None
    if not name:
        raise ValidationError({"name": "Enter a tag name."})
    # Tag names are unique; an existing tag differing only in case is reused rather than
    # creating a near-duplicate that would split the list.
    tag = Tag.objects.filter(name__iexact=name).order_by("pk").first()
    if tag is not None:
        return tag, False
    return Tag.objects.get_or_create(name=name)


@transaction.atomic
def person_tag_add(*, person: Person, name: str, actor) -> Tag:
    """Tag a person (creating the tag if it is new); tagging twice changes nothing."""
    tag, _ = tag_ensure(name=name, actor=actor)
    _, created = Tagging.objects.get_or_create(person=person, tag=tag)
    if created:
        activity_record(
            person=person,
            kind="tag",
            summary=f"Tagged “{tag.name}” by {_actor_name(actor)}",
            data={"tag": tag.name, "actor": actor.username},
        )
    return tag


@transaction.atomic
def person_tag_remove(*, person: Person, tag: Tag, actor) -> bool:
    """Remove a tag from a person; False if they did not have it."""
    _require_edit(actor)
    deleted, _ = Tagging.objects.filter(person=person, tag=tag).delete()
    if deleted:
        activity_record(
            person=person,
            kind="tag",
            summary=f"Tag “{tag.name}” removed by {_actor_name(actor)}",
            data={"tag": tag.name, "removed": True, "actor": actor.username},
        )
    return bool(deleted)
