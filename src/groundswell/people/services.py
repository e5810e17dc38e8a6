"""Writes to the supporter CRM. Every intake path (forms, imports, the API) upserts here."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import NotRequired, TypedDict, Unpack

from django.db import connection, transaction
from django.utils import timezone

from groundswell.people.models import (
    Activity,
    ConsentEvent,
    EmailAddress,
    Person,
    Phone,
)

# The upsert lives in its own module; services is the people app's public surface.
from groundswell.people.upsert import (  # noqa: F401
    IntakeContext,
    ItemExtra,
    UpsertResult,
    people_upsert,
    person_upsert,
)
from groundswell.people.upsert_state import person_summary_refresh  # noqa: F401

logger = logging.getLogger(__name__)


def _consent_change(
    row,
    *,
    field: str,
    channel: str,
    address: str,
    status: str,
    method: str,
    source: str = "",
    actor=None,
    ip_address: str | None = None,
) -> bool:
    """Set a row's consent field under a row lock and record the change; False if unchanged."""
    row = type(row).objects.select_for_update().get(pk=row.pk)
    previous = getattr(row, field)
    if previous == status:
        return False
    ConsentEvent.objects.create(
        person_id=row.person_id,
        channel=channel,
        address=address,
        previous_status=previous,
        status=status,
        method=method,
        source=source[:300],
        actor=actor if actor is not None and getattr(actor, "pk", None) else None,
        ip_address=ip_address,
    )
    setattr(row, field, status)
    row.save(update_fields=[field, "modified_at"])
    return True


class ConsentChange(TypedDict):
    """How one channel's consent changes: the new status, how, from where, by whom."""

    status: str
    method: str
    source: NotRequired[str]
    actor: NotRequired[object]
    ip_address: NotRequired[str | None]


@transaction.atomic
def email_status_set(*, email: EmailAddress, **change: Unpack[ConsentChange]) -> bool:
    """Change one address's subscription status and record why; False if it was already so."""
    changed = _consent_change(
        email,
        field="status",
        channel=ConsentEvent.Channel.EMAIL,
        address=email.address,
        **change,
    )
    if changed and email.is_primary:
        Person.objects.filter(pk=email.person_id).update(email_status=change["status"])
    return changed


@transaction.atomic
def sms_status_set(*, phone: Phone, **change: Unpack[ConsentChange]) -> bool:
    """Change one phone's SMS consent and record why; False if it was already so."""
    return _consent_change(
        phone,
        field="sms_status",
        channel=ConsentEvent.Channel.SMS,
        address=phone.number,
        **change,
    )


def activity_record(
    *,
    person: Person,
    kind: str,
    summary: str,
    data: dict | None = None,
    occurred_at: datetime | None = None,
    dedupe_key: str | None = None,
) -> Activity | None:
    """Add one interaction to a person's timeline; a repeated dedupe_key records nothing.

    Returns the new activity, or None when the dedupe_key had already been recorded.
    """
    fields = {
        "person": person,
        "kind": kind,
        "summary": summary[:300],
        "data": data or {},
        "occurred_at": occurred_at or timezone.now(),
    }
    if dedupe_key:
        activity = Activity(dedupe_key=dedupe_key, **fields)
        if connection.vendor == "postgresql":
            # One statement instead of get_or_create's read, savepoint, insert and release:
            # this runs on every RSVP and delivery, inside their transactions.
            return activity if _activity_insert_new(activity) else None
        activity, created = Activity.objects.get_or_create(dedupe_key=dedupe_key, defaults=fields)
        return activity if created else None
    return Activity.objects.create(**fields)


def _activity_insert_new(activity: Activity) -> bool:
    """INSERT the activity unless its dedupe_key is taken (then nothing); whether it was new."""
    qn = connection.ops.quote_name
    fields = [f for f in Activity._meta.concrete_fields if not f.primary_key]
    values = [f.get_db_prep_save(f.pre_save(activity, add=True), connection) for f in fields]
    sql = (
        f"INSERT INTO {qn(Activity._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "  # noqa: S608 (quoted identifiers; values are parameters)
        f"VALUES ({', '.join(['%s'] * len(fields))}) "
        f"ON CONFLICT ({qn('dedupe_key')}) DO NOTHING RETURNING {qn('id')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        return False
    activity.pk = row[0]
    activity._state.adding = False
    return True


@transaction.atomic
def person_work_set(
    *,
    person_id: int,
    employer: str,
    occupation: str,
    kind: str,
    summary: str,
    data: dict | None = None,
) -> bool:
    """Set a person's current employer and occupation as they told us; on their timeline.

    For what the person said themselves, with no staff actor (a donor's best-efforts answer).
    A merged person's answer goes to who they were merged into. False when there is no one.
    """
    person = Person.objects.filter(pk=person_id).only("pk", "merged_into_id").first()
    for _ in range(10):  # merges chain rarely; a cycle would be a bug, not a reason to hang
        if person is None or not person.merged_into_id:
            break
        person = (
            Person.objects.filter(pk=person.merged_into_id).only("pk", "merged_into_id").first()
        )
    if person is None:
        return False
    Person.objects.filter(pk=person.pk).update(
        employer=employer[:200], occupation=occupation[:200], modified_at=timezone.now()
    )
    activity_record(person=person, kind=kind, summary=summary, data=data)
    return True
