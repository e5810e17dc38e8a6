"""Clean-up staff do on one person: remove a contact point, choose the primary one, delete a
person, and erase a person's personal data on request.

Every change is on the person's timeline (unless the person is gone) and in the audit log.
Removing a subscribed e-mail address or phone ends its subscription through the consent
services first, so the consent history says the subscription ended, when and by whom.
Other apps' data about a person is handled by those apps (``people.extensions``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from groundswell.accounts.audit import details_words
from groundswell.accounts.roles import PEOPLE_DELETE, PEOPLE_EDIT
from groundswell.accounts.services import audit_record
from groundswell.people.extensions import person_erase_hooks_run, person_removal_blockers
from groundswell.people.models import (
    Activity,
    ConsentEvent,
    EmailAddress,
    EmailStatus,
    MergeRecord,
    Person,
    Phone,
    PostalAddress,
    SmsStatus,
    Tagging,
)
from groundswell.people.normalize import clean_text
from groundswell.people.services import (
    activity_record,
    email_status_set,
    person_summary_refresh,
    sms_status_set,
)

# The audit codes this module writes (registered with their labels in people.apps).
CONTACT_DELETE = "contact_delete"
CONTACT_PRIMARY = "contact_primary"
PERSON_DELETE = "person_delete"
PERSON_ERASE = "person_erase"

CONTACT_KINDS: dict[str, type[models.Model]] = {
    "email": EmailAddress,
    "phone": Phone,
    "address": PostalAddress,
}
CONTACT_NOUNS = {"email": "e-mail address", "phone": "phone number", "address": "postal address"}


def _actor_name(actor) -> str:
    return actor.get_full_name() or actor.username


def _require(actor, capability: str, what: str) -> None:
    if not actor.can(capability):
        raise ValidationError(f"Your role does not allow {what}.")


def contact_label(kind: str, row) -> str:
    """A contact point as staff read it: the address, the number as written, the place."""
    if kind == "phone":
        return row.display
    if kind == "address":
        return str(row) or f"{row.country} address"
    return str(row)


@dataclass
class ContactDeletion:
    """What deleting a contact point did, in sentences for the member of staff."""

    label: str
    notes: list[str] = field(default_factory=list)


def contact_delete_consequences(*, kind: str, row) -> list[str]:
    """What deleting this contact point will do beyond removing it (shown before confirming)."""
    notes = []
    model = CONTACT_KINDS[kind]
    others = model.objects.filter(person_id=row.person_id).exclude(pk=row.pk)
    subscribed = (kind == "email" and row.status == EmailStatus.SUBSCRIBED) or (
        kind == "phone" and row.sms_status == SmsStatus.SUBSCRIBED
    )
    if subscribed:
        channel = "e-mail" if kind == "email" else "text messages"
        notes.append(
            f"It is subscribed to {channel}: the subscription ends with it, and the consent "
            "history keeps a record that it did (and that it had been given)."
        )
        if kind == "email" and not others.filter(status=EmailStatus.SUBSCRIBED).exists():
            notes.append("This person will then receive no e-mail from the campaign.")
    if row.is_primary:
        successor = others.order_by("id").first()
        if successor is not None:
            notes.append(
                f"It is the primary {CONTACT_NOUNS[kind]}; {contact_label(kind, successor)} "
                "becomes the primary one."
            )
        else:
            notes.append(f"It is their only {CONTACT_NOUNS[kind]}.")
    return notes


@transaction.atomic
def person_contact_delete(
    *, kind: str, row, actor, ip_address: str | None = None
) -> ContactDeletion:
    """Delete an e-mail address, phone or postal address; a subscription ends with it."""
    _require(actor, PEOPLE_EDIT, "editing people")
    model = CONTACT_KINDS[kind]
    # Lock the person: two staff deleting the last two addresses at once must not leave the
    # person with no primary one, or with two.
    person = Person.objects.select_for_update().get(pk=row.person_id)
    row = model.objects.filter(pk=row.pk, person=person).first()
    if row is None:
        raise ValidationError(f"This {CONTACT_NOUNS[kind]} has already been removed.")
    result = ContactDeletion(label=contact_label(kind, row))
    result.notes = contact_delete_consequences(kind=kind, row=row)
    by_staff = {
        "method": "staff",
        "source": f"staff: {actor.username} (deleted the {CONTACT_NOUNS[kind]})",
        "actor": actor,
        "ip_address": ip_address,
    }
    if kind == "email" and row.status == EmailStatus.SUBSCRIBED:
        email_status_set(email=row, status=EmailStatus.UNSUBSCRIBED, **by_staff)
    if kind == "phone" and row.sms_status == SmsStatus.SUBSCRIBED:
        sms_status_set(phone=row, status=SmsStatus.UNSUBSCRIBED, **by_staff)
    was_primary = row.is_primary
    row.delete()
    if was_primary:
        successor = model.objects.filter(person=person).order_by("id").first()
        if successor is not None:
            model.objects.filter(pk=successor.pk).update(is_primary=True)
    person_summary_refresh(person)
    activity_record(
        person=person,
        kind="edit",
        summary=f"Edited by {_actor_name(actor)}: deleted {CONTACT_NOUNS[kind]} {result.label}",
        data={"fields": [kind], "actor": actor.username, "deleted": True},
    )
    audit_record(
        actor=actor,
        action=CONTACT_DELETE,
        summary=f"deleted a {CONTACT_NOUNS[kind]} of person #{person.pk}",
        target=person,
        details={"person": person.pk, "kind": CONTACT_NOUNS[kind], "was_primary": was_primary},
        ip_address=ip_address,
    )
    return result


@transaction.atomic
def person_contact_primary_set(*, kind: str, row, actor, ip_address: str | None = None) -> bool:
    """Make one contact point the person's primary one; False if it already was."""
    _require(actor, PEOPLE_EDIT, "editing people")
    model = CONTACT_KINDS[kind]
    person = Person.objects.select_for_update().get(pk=row.person_id)
    row = model.objects.filter(pk=row.pk, person=person).first()
    if row is None:
        raise ValidationError(f"This {CONTACT_NOUNS[kind]} has been removed.")
    if row.is_primary:
        return False
    # Unset first: at most one primary e-mail address per person is a database constraint.
    model.objects.filter(person=person, is_primary=True).update(is_primary=False)
    model.objects.filter(pk=row.pk).update(is_primary=True)
    person_summary_refresh(person)
    label = contact_label(kind, row)
    activity_record(
        person=person,
        kind="edit",
        summary=f"Edited by {_actor_name(actor)}: {label} is now the primary {CONTACT_NOUNS[kind]}",
        data={"fields": [kind], "actor": actor.username, "primary": True},
    )
    audit_record(
        actor=actor,
        action=CONTACT_PRIMARY,
        summary=f"chose the primary {CONTACT_NOUNS[kind]} of person #{person.pk}",
        target=person,
        details={"person": person.pk, "kind": CONTACT_NOUNS[kind]},
        ip_address=ip_address,
    )
    return True


# ---------------------------------------------------------------- delete and erase


def _reason_clean(reason: str) -> str:
    try:
        reason = clean_text(reason or "", 500)
    except ValueError as exc:
        raise ValidationError({"reason": f"The reason {exc}"}) from None
    if not reason:
        raise ValidationError({"reason": "Say why (it goes in the audit log)."})
    return reason


def _merged_shells(person: Person) -> list[Person]:
    """Everyone merged into ``person``, directly or through a chain (a → b → person)."""
    found: dict[int, Person] = {}
    frontier = [person.pk]
    while frontier:
        rows = list(
            Person.objects.select_for_update()
            .filter(merged_into_id__in=frontier)
            .exclude(pk__in=[*found, person.pk])
        )
        found.update((p.pk, p) for p in rows)
        frontier = [p.pk for p in rows]
    return list(found.values())


def removal_blockers(*, person: Person, action: str) -> list[str]:
    """Why this person (with everyone merged into them) may not be deleted or erased now."""
    if person.merged_into_id:
        return [
            f"This record was merged into #{person.merged_into_id}; "
            f"{'delete' if action == 'delete' else 'erase'} that person instead."
        ]
    reasons = []
    for one in [person, *Person.objects.filter(merged_into=person)]:
        reasons.extend(person_removal_blockers(person=one, action=action))
    return list(dict.fromkeys(reasons))


@transaction.atomic
def person_delete(*, person: Person, actor, reason: str, ip_address: str | None = None) -> int:
    """Delete a person and the records merged into them; returns how many rows went.

    Refused while an app keeps something about them that must not go (a contribution the law
    requires us to keep): erasure is the way to remove such a person's personal data.
    """
    _require(actor, PEOPLE_DELETE, "deleting people")
    reason = _reason_clean(reason)
    person = Person.objects.select_for_update().get(pk=person.pk)
    shells = _merged_shells(person)
    blockers = removal_blockers(person=person, action="delete")
    for shell in shells:
        blockers.extend(person_removal_blockers(person=shell, action="delete"))
    if blockers:
        raise ValidationError(list(dict.fromkeys(blockers)))
    person_id = person.pk
    # Recorded first, with the id only: the audit log must not keep what was just deleted.
    audit_record(
        actor=actor,
        action=PERSON_DELETE,
        summary=f"deleted person #{person_id}",
        details={
            "person": person_id,
            "merged_records": [s.pk for s in shells],
            "reason": reason,
        },
        ip_address=ip_address,
    )
    for shell in shells:
        shell.delete()
    person.delete()
    return 1 + len(shells)


@dataclass
class Erasure:
    """What an erasure did (or that the person had already been erased)."""

    person: Person
    already: bool = False
    records: int = 0
    removed: dict[str, int] = field(default_factory=dict)
    apps: dict[str, list[str]] = field(default_factory=dict)


_ERASED_FIELDS = {
    "given_name": "",
    "middle_name": "",
    "family_name": "",
    "employer": "",
    "occupation": "",
    "custom_fields": {},
    "refcode": "",
}


def _person_scrub(person: Person, actor, erasure: Erasure) -> None:
    """Remove the people app's personal data about one record (the row itself stays)."""
    # Other apps first: an eraser may need the addresses to find what it holds (a payment
    # attempt is known by the donor's e-mail, not by the person).
    for app, lines in person_erase_hooks_run(person=person, actor=actor).items():
        erasure.apps.setdefault(app, []).extend(lines)
    for model in (EmailAddress, Phone, PostalAddress, Tagging, Activity):
        count, _ = model.objects.filter(person=person).delete()
        if count:
            label = model._meta.label_lower
            erasure.removed[label] = erasure.removed.get(label, 0) + count
    # The consent history stays (when consent was given or withdrawn, and how), without the
    # address it was given for or where from.
    ConsentEvent.objects.filter(person=person).update(address="", ip_address=None)
    Person.objects.filter(pk=person.pk).update(
        **_ERASED_FIELDS, erased_at=timezone.now(), modified_at=timezone.now()
    )
    person.refresh_from_db()
    person_summary_refresh(person)


@transaction.atomic
def person_erase(*, person: Person, actor, reason: str, ip_address: str | None = None) -> Erasure:
    """Erase a person's personal data on request, keeping what the law requires us to keep.

    Names, e-mail addresses, phones, postal addresses, tags, custom fields, the timeline and
    the tracking of mailings go, here and in every app that registered an eraser (submitted
    forms, share codes, opens and clicks). Contributions stay with the donor's name, address,
    employer and occupation as given, which FEC reports must show (52 U.S.C. 30104(b)(3)),
    and keep pointing at the erased person so limits and totals still count them. Running it
    again on an erased person changes nothing.
    """
    _require(actor, PEOPLE_DELETE, "erasing people's data")
    reason = _reason_clean(reason)
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.erased_at is not None:
        return Erasure(person=person, already=True)
    blockers = removal_blockers(person=person, action="erase")
    if blockers:
        raise ValidationError(blockers)
    erasure = Erasure(person=person)
    group = [person, *_merged_shells(person)]
    for one in group:
        _person_scrub(one, actor, erasure)
    erasure.records = len(group)
    # A merge's undo data holds the removed duplicates' values (addresses, names): it goes,
    # and with it the undo (people.merge refuses to undo an erased merge).
    MergeRecord.objects.filter(models.Q(survivor__in=group) | models.Q(merged__in=group)).update(
        snapshot={"erased": True}
    )
    person.refresh_from_db()
    Activity.objects.create(
        person=person,
        kind="erasure",
        summary=f"Personal data erased by {_actor_name(actor)}",
        data={"actor": actor.username},
    )
    audit_record(
        actor=actor,
        action=PERSON_ERASE,
        summary=f"erased the personal data of person #{person.pk}",
        target=person,
        details={
            "person": person.pk,
            "reason": reason,
            "records": erasure.records,
            "removed": erasure.removed,
            "other_apps": [line for lines in erasure.apps.values() for line in lines],
        },
        ip_address=ip_address,
    )
    return erasure


def cleanup_audit_words(details: dict) -> list[str]:
    """A clean-up event's details in words: "Person #5", the reason, what went, by app."""
    lines = []
    rest = dict(details)
    if isinstance(rest.get("person"), int):
        lines.append(f"Person #{rest.pop('person')}")
    if rest.get("merged_records"):
        merged = ", ".join(f"#{pk}" for pk in rest.pop("merged_records"))
        lines.append(f"With the records merged into them: {merged}")
    rest.pop("merged_records", None)
    if isinstance(rest.get("records"), int):
        count = rest.pop("records")
        lines.append(f"{count} record{'s' if count != 1 else ''} (with those merged in)")
    other = rest.pop("other_apps", None) or []
    lines += details_words(rest)
    lines += [f"Also: {line}" for line in other]
    return lines
