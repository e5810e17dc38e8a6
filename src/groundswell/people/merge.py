"""Merging two people into one, and undoing it.

A merge moves every record that points at the merged person — in every app, found through
Django's relation metadata so that contributions, RSVPs and the rest move too — and records
exactly what moved, so the merge can be undone.
"""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.forms.models import model_to_dict
from django.utils import timezone

from groundswell.accounts.audit import details_words
from groundswell.accounts.models import AuditEvent
from groundswell.accounts.services import audit_record
from groundswell.people.extensions import merge_hooks_run
from groundswell.people.models import (
    Activity,
    EmailAddress,
    MergeRecord,
    Person,
    Phone,
    PostalAddress,
)
from groundswell.people.services import person_summary_refresh

_FILLED = (
    "given_name",
    "middle_name",
    "family_name",
    "employer",
    "occupation",
    "source",
    "refcode",
)
_PRIMARY_MODELS = (EmailAddress, Phone, PostalAddress)


def _person_relations() -> list[models.ForeignKey]:
    """Every foreign key (and one-to-one key) from any model to Person that a merge must move."""
    relations = []
    for rel in Person._meta.related_objects:
        if not (rel.one_to_many or rel.one_to_one):
            continue
        if rel.related_model in (MergeRecord, Person):
            continue
        relations.append(rel.field)
    return relations


def _conflicting_rows(fk: models.ForeignKey, survivor: Person, merged: Person) -> list:
    """Rows of the merged person that would break a uniqueness rule held with the survivor."""
    model = fk.model
    conflicts = []
    for constraint in model._meta.constraints:
        if not isinstance(constraint, models.UniqueConstraint) or constraint.condition:
            continue
        if fk.name not in constraint.fields:
            continue
        others = [f for f in constraint.fields if f != fk.name]
        if not others:
            continue
        taken = set(model.objects.filter(**{fk.name: survivor}).values_list(*others))
        for row in model.objects.filter(**{fk.name: merged}):
            if tuple(getattr(row, model._meta.get_field(f).attname) for f in others) in taken:
                conflicts.append(row)
    return conflicts


@transaction.atomic
def person_merge(
    *, survivor: Person, merged: Person, actor=None, ip_address: str | None = None
) -> MergeRecord:
    """Merge ``merged`` into ``survivor``: every related record moves; the merge is audited."""
    locked = {
        p.pk: p for p in Person.objects.select_for_update().filter(pk__in=[survivor.pk, merged.pk])
    }
    if survivor.pk == merged.pk:
        raise ValidationError("A person cannot be merged with themselves.")
    if len(locked) != 2:
        raise ValidationError("One of these people no longer exists.")
    survivor, merged = locked[survivor.pk], locked[merged.pk]
    if survivor.merged_into_id or merged.merged_into_id:
        raise ValidationError("One of these people has already been merged into someone else.")
    if survivor.erased_at or merged.erased_at:
        raise ValidationError("One of these people has been erased; erased records are not merged.")

    snapshot: dict = {
        "survivor_fields": {f: getattr(survivor, f) for f in _FILLED},
        "survivor_custom_fields": survivor.custom_fields,
        "filled": {},
        "moved": {},
        "removed": {},
        "primary": {},
    }
    _primaries_demote(snapshot, survivor, merged)
    _relations_move(snapshot, survivor, merged)
    _fields_fill(snapshot, survivor, merged)
    survivor.save()
    merged.merged_into = survivor
    merged.save(update_fields=["merged_into", "modified_at"])

    snapshot = _json_safe(snapshot)
    record = MergeRecord.objects.create(
        survivor=survivor,
        merged=merged,
        merged_by=actor if actor is not None and actor.pk else None,
        snapshot=snapshot,
    )
    Activity.objects.create(
        person=survivor,
        kind="merge",
        summary=f"Merged {merged.full_name or merged.primary_email or merged.pk} "
        f"(#{merged.pk}) into this person",
        data={"merge_id": record.pk},
    )
    person_summary_refresh(survivor)
    person_summary_refresh(merged)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.MERGE,
        summary=f"merged person #{merged.pk} into #{survivor.pk}",
        target=record,
        details={
            "survivor": survivor.pk,
            "merged": merged.pk,
            "moved": {k: sum(len(v) for v in d.values()) for k, d in snapshot["moved"].items()},
        },
        ip_address=ip_address,
    )
    # Other apps' data derived from who is who (donor totals, review verdicts) is brought up to
    # date in this same transaction: see people.extensions.
    merge_hooks_run(undo=False, record=record, actor=actor, ip_address=ip_address)
    return record


def _primaries_demote(snapshot: dict, survivor: Person, merged: Person) -> None:
    """The survivor keeps its primary contact points; the merged person's become secondary."""
    for model in _PRIMARY_MODELS:
        label = model._meta.label_lower
        snapshot["primary"][label] = list(
            model.objects.filter(person=merged, is_primary=True).values_list("pk", flat=True)
        )
        if model.objects.filter(person=survivor, is_primary=True).exists():
            model.objects.filter(person=merged, is_primary=True).update(is_primary=False)
        else:
            snapshot["primary"][label] = []


def _relations_move(snapshot: dict, survivor: Person, merged: Person) -> None:
    """Point every row of the merged person at the survivor, noting what moved or went."""
    for fk in _person_relations():
        label = fk.model._meta.label_lower
        if fk.one_to_one:
            # Only one such row per person (a share code, who recruited them): the survivor
            # keeps its own; the merged person's moves only when the survivor has none.
            if fk.model.objects.filter(**{fk.name: survivor}).exists():
                continue
            conflicts = []
        else:
            conflicts = _conflicting_rows(fk, survivor, merged)
        for row in conflicts:
            snapshot["removed"].setdefault(label, []).append(
                {
                    "fk": fk.name,
                    "values": model_to_dict(row) | {"id": row.pk},
                    "raw": {f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields},
                }
            )
            row.delete()
        ids = list(fk.model.objects.filter(**{fk.name: merged}).values_list("pk", flat=True))
        if ids:
            snapshot["moved"].setdefault(label, {})[fk.name] = ids
            fk.model.objects.filter(pk__in=ids).update(**{fk.name: survivor})


def _fields_fill(snapshot: dict, survivor: Person, merged: Person) -> None:
    """Fill the survivor's blank fields from the merged person; custom fields are combined."""
    for name in _FILLED:
        if not getattr(survivor, name) and getattr(merged, name):
            setattr(survivor, name, getattr(merged, name))
            snapshot["filled"][name] = getattr(merged, name)
    survivor.custom_fields = {**merged.custom_fields, **survivor.custom_fields}


@transaction.atomic
def person_merge_undo(
    *, record: MergeRecord, actor=None, ip_address: str | None = None
) -> MergeRecord:
    """Undo a merge: move back what moved, restore what was removed, un-hide the person."""
    record = MergeRecord.objects.select_for_update().get(pk=record.pk)
    if record.undone_at:
        raise ValidationError("This merge has already been undone.")
    if record.snapshot.get("erased"):
        raise ValidationError(
            "The personal data of these people was erased, and with it what the undo needs."
        )
    survivor = Person.objects.select_for_update().get(pk=record.survivor_id)
    merged = Person.objects.select_for_update().get(pk=record.merged_id)
    if survivor.merged_into_id:
        raise ValidationError(
            f"#{survivor.pk} has since been merged into #{survivor.merged_into_id}; "
            "undo that merge first."
        )
    snapshot = record.snapshot
    models_by_label = {fk.model._meta.label_lower: fk.model for fk in _person_relations()}

    for label, by_field in snapshot.get("moved", {}).items():
        model = models_by_label.get(label)
        if model is None:
            continue
        for field_name, ids in by_field.items():
            model.objects.filter(pk__in=ids, **{field_name: survivor}).update(
                **{field_name: merged}
            )
    for label, rows in snapshot.get("removed", {}).items():
        model = models_by_label.get(label)
        if model is None:
            continue
        for row in rows:
            raw = dict(row["raw"])
            raw[model._meta.get_field(row["fk"]).attname] = merged.pk
            model.objects.create(**raw)
    for label, ids in snapshot.get("primary", {}).items():
        model = models_by_label.get(label)
        if model is not None and ids:
            model.objects.filter(pk__in=ids, person=merged).update(is_primary=True)

    for name, value in snapshot.get("filled", {}).items():
        # Give back only what the merge filled in and nobody has changed since.
        if getattr(survivor, name) == value:
            setattr(survivor, name, snapshot["survivor_fields"].get(name, ""))
    survivor.custom_fields = snapshot.get("survivor_custom_fields", survivor.custom_fields)
    survivor.save()
    merged.merged_into = None
    merged.save(update_fields=["merged_into", "modified_at"])

    record.undone_at = timezone.now()
    record.undone_by = actor if actor is not None and actor.pk else None
    record.save(update_fields=["undone_at", "undone_by"])
    for person, other in ((survivor, merged), (merged, survivor)):
        Activity.objects.create(
            person=person,
            kind="merge_undo",
            summary=f"Merge with #{other.pk} undone",
            data={"merge_id": record.pk},
        )
    person_summary_refresh(survivor)
    person_summary_refresh(merged)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.MERGE_UNDO,
        summary=f"undid merge of #{merged.pk} into #{survivor.pk}",
        target=record,
        ip_address=ip_address,
    )
    merge_hooks_run(undo=True, record=record, actor=actor, ip_address=ip_address)
    return record


def _json_safe(value):
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def merge_audit_words(details: dict) -> list[str]:
    """A merge's audit details in words: who was kept, who was merged in, and what moved."""
    ids = [details.get("survivor"), details.get("merged")]
    people = {p.pk: p for p in Person.objects.filter(pk__in=[i for i in ids if isinstance(i, int)])}

    def who(pk) -> str:
        return str(people[pk]) if pk in people else "a person since deleted"

    lines = [f"Kept {who(ids[0])}; merged in {who(ids[1])}"]
    rest = {k: v for k, v in details.items() if k not in ("survivor", "merged")}
    return lines + details_words(rest)


def merge_done_words(*, record: MergeRecord, merged: Person) -> str:
    """The success message after a merge: who was merged in, what moved, how to undo it."""
    moved = {
        label: sum(len(ids) for ids in by_field.values())
        for label, by_field in record.snapshot.get("moved", {}).items()
    }
    removed = {label: len(rows) for label, rows in record.snapshot.get("removed", {}).items()}
    parts = [f"Merged #{merged.pk} {merged} into this person."]
    contact = ("people.emailaddress", "people.phone", "people.postaladdress")
    moved_words = details_words({"moved": {k: v for k, v in moved.items() if k in contact}})
    if any(moved.get(k) for k in contact):
        parts.append(moved_words[0] + ".")
    if removed:
        parts.append(details_words({"duplicates removed": removed})[0] + ".")
    parts.append(
        "Check the contact details below (delete a duplicate or choose the primary "
        "one); you can undo the merge in the Merges card."
    )
    return " ".join(parts)
