"""Writes for relational organizing and the rally-table kiosk.

A volunteer's contact goes through the shared intake to be matched or created, but records no
consent: the person did not ask to hear from us, their friend told us about them. The kiosk is
the opposite: people type their own details, so the e-mail box they tick is their consent.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from groundswell.accounts.services import audit_record
from groundswell.events.models import Attendance, Event, Shift
from groundswell.events.relational.models import RelationalContact, Relationship
from groundswell.events.staff import walk_in_add
from groundswell.people.choices import ConsentMethod, EmailStatus
from groundswell.people.intake import person_input_clean
from groundswell.people.models import EmailAddress, Person, Phone
from groundswell.people.services import IntakeContext, people_upsert

AUDIT_CONTACT = "events.relational_contact"
AUDIT_ACTIONS = ((AUDIT_CONTACT, "Relational contact added by a volunteer"),)
KIOSK_SOURCE = "event kiosk"
CONTACT_FIELDS = ("given_name", "family_name", "email", "phone")
NOTES_MAX = 2000


def _errors(errors) -> ValidationError:
    return ValidationError(
        {
            (e.field or "__all__"): (f"“{e.value}” {e.reason}" if e.field else e.reason)
            for e in errors
        }
    )


def volunteer_person_of(user) -> Person | None:
    """The volunteer's own person record, when one holds their login e-mail."""
    email = (getattr(user, "email", "") or "").strip().lower()
    if not email:
        return None
    return Person.objects.active().filter(emails__address=email).order_by("pk").first()


def _known(data) -> bool:
    """Whether the intake will match someone already on file (by e-mail, then phone)."""
    if data.email and EmailAddress.objects.filter(address=data.email).exists():
        return True
    numbers = [p.number for p in data.phones]
    return bool(numbers) and Phone.objects.filter(number__in=numbers).exists()


def relational_contact_add(
    *,
    actor,
    raw: dict,
    relationship: str,
    notes: str = "",
    ip_address: str | None = None,
    now: datetime | None = None,
) -> RelationalContact:
    """A volunteer adds someone they know: matched or created through the shared intake with
    no subscription status (no consent from a third party), and credited to the volunteer.

    Adding the same person again updates the volunteer's own note rather than adding a row.
    """
    if relationship not in Relationship.values:
        raise ValidationError({"relationship": "Choose how you know them."})
    notes = (notes or "").strip()
    if len(notes) > NOTES_MAX or "\x00" in notes:
        raise ValidationError({"notes": f"Notes are at most {NOTES_MAX} characters of text."})
    # Only these fields: a status or a tag in the raw input must never reach the intake here.
    fields = {name: raw.get(name) or "" for name in CONTACT_FIELDS}
    data, errors = person_input_clean(fields)
    if errors:
        raise _errors(errors)
    data.email_status = None
    for phone in data.phones:
        phone.sms_status = None
    typed_name = " ".join(p for p in (data.given_name, data.family_name) if p)
    if not typed_name:
        raise ValidationError({"given_name": "Give their name."})
    now = now or timezone.now()
    source = f"relational: {actor.get_username()}"[:100]
    data.source = source
    with transaction.atomic():
        if _known(data):
            # Someone already on file keeps the name they gave us; a friend's spelling of it
            # does not overwrite it.
            data.given_name = data.middle_name = data.family_name = ""
        result = people_upsert(
            [data],
            context=IntakeContext(
                method=ConsentMethod.STAFF,
                source=source,
                actor=actor,
                ip_address=ip_address,
                activity_kind="relational_contact",
                activity_summary="Added by a volunteer who knows them",
                always_record=True,
                occurred_at=now,
            ),
        )[0]
        contact, created = RelationalContact.objects.select_for_update().get_or_create(
            volunteer_user=actor,
            person_id=result.person_id,
            defaults={"created_at": now},
        )
        contact.volunteer_person = volunteer_person_of(actor)
        contact.relationship, contact.notes = relationship, notes
        contact.name = typed_name[:200]
        contact.contact = (data.email or (data.phones[0].number if data.phones else ""))[:254]
        contact.save()
        audit_record(
            actor=actor,
            action=AUDIT_CONTACT,
            summary=f"added a relational contact ({contact.get_relationship_display().lower()})",
            target=contact,
            details={"person": result.person_id, "new_person": result.created, "new": created},
            ip_address=ip_address,
        )
    return contact


# ---------------------------------------------------------------- the kiosk


def kiosk_shift(event: Event, now: datetime | None = None) -> Shift | None:
    """The shift a kiosk signs people in to: the one under way, else the next to start, else
    the one that ended last."""
    now = now or timezone.now()
    shifts = event.shifts.all()
    current = shifts.filter(starts_at__lte=now, ends_at__gt=now).order_by("starts_at").first()
    if current is not None:
        return current
    upcoming = shifts.filter(starts_at__gt=now).order_by("starts_at", "pk").first()
    return upcoming or shifts.order_by("-ends_at", "-pk").first()


def kiosk_sign_in(
    *,
    shift: Shift,
    raw: dict,
    email_consent: bool,
    actor,
    ip_address: str | None = None,
    now: datetime | None = None,
) -> Attendance:
    """Someone signs in at the table: upserted with source "event kiosk" and checked in as a
    walk-in. Their e-mail is subscribed only if they ticked the box themselves."""
    fields = {name: raw.get(name) or "" for name in (*CONTACT_FIELDS, "postal_code")}
    if email_consent and fields["email"].strip():
        fields["email_status"] = EmailStatus.SUBSCRIBED
    return walk_in_add(
        shift=shift,
        raw=fields,
        actor=actor,
        now=now,
        ip_address=ip_address,
        source=KIOSK_SOURCE,
        method=ConsentMethod.FORM,
    )


# ---------------------------------------------------------------- erasure


def relational_person_erase(*, person, actor) -> list[str]:
    """What volunteers wrote about an erased person (their name, how to reach them, notes) is
    their personal data too: those contacts go. Contacts they entered as a volunteer stay
    with the staff account that entered them, no longer tied to the erased record."""
    done = []
    removed, _ = RelationalContact.objects.filter(person=person).delete()
    if removed:
        done.append(f"{removed} relational contact(s) entered by volunteers removed")
    unlinked = RelationalContact.objects.filter(volunteer_person=person).update(
        volunteer_person=None
    )
    if unlinked:
        done.append(f"unlinked from {unlinked} contact(s) they entered as a volunteer")
    return done
