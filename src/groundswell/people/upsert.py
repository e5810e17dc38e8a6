"""The upsert every intake path shares: match by e-mail, then phone; create or update.

Written for batches (an import sends a thousand rows at a time) with a handful of queries per
batch; a form submission is a batch of one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from groundswell.core.bulk import bulk_insert, bulk_update_fields
from groundswell.people.external_ids import external_ids_owners, external_ids_write
from groundswell.people.intake import PersonInput
from groundswell.people.models import (
    Activity,
    ConsentEvent,
    EmailAddress,
    Person,
    Phone,
    PostalAddress,
    Tag,
    Tagging,
)
from groundswell.people.upsert_state import (
    SCALARS,
    PersonState,
    item_apply,
    summary_fill,
)

logger = logging.getLogger(__name__)


@dataclass
class IntakeContext:
    """How and from where a batch of people arrived: recorded on consent and the timeline."""

    method: str  # a ConsentMethod
    source: str = ""  # the form, file and line, URL...
    actor: object | None = None
    ip_address: str | None = None
    activity_kind: str = ""
    activity_summary: str = ""
    # With a prefix, the activity of item i is keyed "<prefix>:<key i>" and never recorded twice.
    dedupe_prefix: str = ""
    occurred_at: datetime | None = None
    # Record every item on the timeline, even one that changed nothing (a repeated signature
    # is still an action); imports record only what they created or changed.
    always_record: bool = False


@dataclass
class ItemExtra:
    """What differs per item of a batch: the submitter's IP, the action's own details."""

    ip_address: str | None = None
    activity_summary: str = ""
    activity_data: dict = field(default_factory=dict)
    # When this item happened, if not the batch's: a batch of gifts received over a minute.
    occurred_at: datetime | None = None


@dataclass
class UpsertResult:
    person_id: int
    created: bool
    changed: bool
    changes: list[str] = field(default_factory=list)


def people_upsert(
    items: list[PersonInput],
    *,
    context: IntakeContext,
    keys: list[str] | None = None,
    extras: list[ItemExtra] | None = None,
) -> list[UpsertResult]:
    """Match each item by e-mail, then phone, and create or update the person.

    A re-submission never creates a second person, and a subscription status changes only when
    the item says so explicitly. ``keys`` (one per item) make the timeline entry idempotent.
    Runs as one transaction; a concurrent insert of the same address is retried.
    """
    for attempt in range(3):
        try:
            with transaction.atomic():
                results, new_email_ids = _upsert_batch(items, context, keys, extras)
            break
        except IntegrityError:
            # Another intake created one of these addresses between our lookup and our insert;
            # a retry now finds it and matches instead.
            if attempt == 2:
                raise
    if new_email_ids and settings.GROUNDSWELL_CHECK_MX:
        # tasks.py imports this module (a task runs a service): the task is imported when used.
        from groundswell.people.tasks import email_check_mx

        transaction.on_commit(lambda: email_check_mx.enqueue(address_ids=new_email_ids))
    return results


def person_upsert(data: PersonInput, *, context: IntakeContext, key: str = "") -> UpsertResult:
    """Upsert one person (a form or API submission)."""
    return people_upsert([data], context=context, keys=[key] if key else None)[0]


def _load_states(person_ids: set[int]) -> dict[int, PersonState]:
    states: dict[int, PersonState] = {}
    if not person_ids:
        return states
    for person in Person.objects.filter(pk__in=person_ids):
        states[person.pk] = PersonState(person, created=False)
    for email in EmailAddress.objects.filter(person_id__in=person_ids):
        states[email.person_id].emails.append(email)
    for phone in Phone.objects.filter(person_id__in=person_ids):
        states[phone.person_id].phones.append(phone)
    for address in PostalAddress.objects.filter(person_id__in=person_ids):
        states[address.person_id].addresses.append(address)
    for person_id, tag_name in Tagging.objects.filter(person_id__in=person_ids).values_list(
        "person_id", "tag__name"
    ):
        states[person_id].tag_names.add(tag_name)
    return states


def _resolve_merged(person_ids: set[int]) -> dict[int, int]:
    """Map merged people to who they were merged into (contact points normally move too)."""
    mapping = {}
    pending = set(person_ids)
    for _ in range(10):
        rows = dict(
            Person.objects.filter(pk__in=pending, merged_into__isnull=False).values_list(
                "pk", "merged_into_id"
            )
        )
        if not rows:
            break
        for old, new in rows.items():
            for k, v in list(mapping.items()):
                if v == old:
                    mapping[k] = new
            mapping[old] = new
        pending = set(rows.values())
    return mapping


class _Batch:
    """One call of ``people_upsert``: who already exists, who each item is, what to write.

    The phases below share this object instead of closing over one-element lists.
    """

    def __init__(self, items: list[PersonInput], context: IntakeContext, keys, extras) -> None:
        self.items = items
        self.context = context
        self.keys = keys
        self.extras = extras
        self.now = context.occurred_at or timezone.now()
        # Who sent the item being applied and when: consent events record both.
        self.item_ip = context.ip_address
        self.item_at = self.now
        self.by_email: dict[str, int] = {}
        self.by_phone: dict[str, int] = {}
        self.by_external: dict[tuple[str, str], int] = {}
        self.states: dict[int, PersonState] = {}
        # Within one batch the same person may appear twice; later rows match earlier ones.
        self.batch_email: dict[str, PersonState] = {}
        self.batch_phone: dict[str, PersonState] = {}
        self.batch_external: dict[tuple[str, str], PersonState] = {}
        self.ordered: list[PersonState] = []
        # (state, whether this item created the person, what this item changed)
        self.per_item: list[tuple[PersonState, bool, list[str]]] = []
        self.new_states: list[PersonState] = []
        self.consent: list[ConsentEvent] = []
        self.new_emails: list[EmailAddress] = []

    def record_consent(self, state: PersonState, channel, address, previous, status) -> None:
        self.consent.append(
            ConsentEvent(
                person=state.person,
                channel=channel,
                address=address,
                previous_status=previous,
                status=status,
                method=self.context.method,
                source=self.context.source[:300],
                ip_address=self.item_ip,
                actor=self.context.actor,
                occurred_at=self.item_at,
            )
        )

    def touched(self) -> list[PersonState]:
        """Each person this batch touched, once, in first-touched order."""
        return list({id(s): s for s in self.ordered}.values())


def _upsert_batch(items, context, keys, extras=None):
    batch = _Batch(items, context, keys, extras)
    _batch_lookup(batch)
    for index, item in enumerate(items):
        _batch_apply_item(batch, index, item)
    touched = batch.touched()
    _people_write(batch, touched)
    _contact_points_write(batch, touched)
    for event in batch.consent:
        event.person_id = event.person.pk
    bulk_insert(ConsentEvent, batch.consent)
    _write_tags(touched)
    external_ids_write([(s.person.pk, *pair) for s in touched for pair in s.new_external])
    results = _activities_write(batch)
    new_email_ids = []
    if batch.new_emails and settings.GROUNDSWELL_CHECK_MX:
        new_email_ids = list(
            EmailAddress.objects.filter(
                address__in=[e.address for e in batch.new_emails]
            ).values_list("pk", flat=True)
        )
    return results, new_email_ids


def _batch_lookup(batch: _Batch) -> None:
    """Find the people the batch's e-mails and phones already belong to, and load them."""
    emails = {item.email for item in batch.items if item.email}
    numbers = {p.number for item in batch.items for p in item.phones}
    # A look-up with nothing to look for is skipped, not compiled: a form submission is a
    # batch of one, often a new person with no phone, and each empty query cost the ORM's
    # compilation all the same. The e-mail look-up says whether its people were merged away,
    # so _resolve_merged is asked only when one was.
    by_email: dict[str, int] = {}
    maybe_merged: set[int] = set()
    if emails:
        for address, person_id, merged_into in EmailAddress.objects.filter(
            address__in=emails
        ).values_list("address", "person_id", "person__merged_into_id"):
            by_email[address] = person_id
            if merged_into is not None:
                maybe_merged.add(person_id)
    by_phone: dict[str, int] = {}
    if numbers:
        for number, person_id in (
            Phone.objects.filter(number__in=numbers)
            .order_by("number", "person_id")
            .values_list("number", "person_id")
        ):
            by_phone.setdefault(number, person_id)
        maybe_merged |= set(by_phone.values())
    pairs = {p for item in batch.items for p in item.external_ids.items()}
    by_external = external_ids_owners(pairs) if pairs else {}
    maybe_merged |= set(by_external.values())
    merged = _resolve_merged(maybe_merged) if maybe_merged else {}
    batch.by_email = {k: merged.get(v, v) for k, v in by_email.items()}
    batch.by_phone = {k: merged.get(v, v) for k, v in by_phone.items()}
    batch.by_external = {k: merged.get(v, v) for k, v in by_external.items()}
    batch.states = _load_states(
        {*batch.by_email.values(), *batch.by_phone.values(), *batch.by_external.values()}
    )
    for pair, person_id in batch.by_external.items():
        batch.states[person_id].external.add(pair)


def _batch_match(batch: _Batch, item: PersonInput) -> PersonState | None:
    """The person an item is: by an external id first, then e-mail, then any of its phones."""
    state = None
    for pair in item.external_ids.items():
        state = batch.batch_external.get(pair) or batch.states.get(batch.by_external.get(pair))
        if state is not None:
            return state
    if item.email:
        state = batch.batch_email.get(item.email) or batch.states.get(
            batch.by_email.get(item.email)
        )
    if state is None:
        for phone in item.phones:
            state = batch.batch_phone.get(phone.number) or batch.states.get(
                batch.by_phone.get(phone.number)
            )
            if state is not None:
                break
    return state


def _batch_apply_item(batch: _Batch, index: int, item: PersonInput) -> None:
    if batch.extras:
        batch.item_ip = batch.extras[index].ip_address or batch.context.ip_address
        batch.item_at = batch.extras[index].occurred_at or batch.now
    item_now = batch.item_at
    state = _batch_match(batch, item)
    if state is None:
        state = PersonState(
            Person(
                source=item.source,
                refcode=item.refcode,
                created_at=item_now,
                modified_at=item_now,
            ),
            created=True,
        )
        batch.new_states.append(state)
    batch.ordered.append(state)
    first_touch = state.created and not state.touched
    before = len(state.changes)
    item_apply(state, item, batch.record_consent, item_now)
    state.touched = True
    batch.per_item.append((state, first_touch, [] if first_touch else state.changes[before:]))
    if item.email:
        batch.batch_email[item.email] = state
    for phone in item.phones:
        batch.batch_phone.setdefault(phone.number, state)
    for pair in item.external_ids.items():
        batch.batch_external.setdefault(pair, state)


def _people_write(batch: _Batch, touched: list[PersonState]) -> None:
    """Write the people first, so that new contact points can point at them."""
    for state in batch.new_states:
        summary_fill(state)
    Person.objects.bulk_create([s.person for s in batch.new_states], batch_size=500)
    dirty_people = []
    for state in touched:
        if not state.created and state.person_dirty:
            summary_fill(state)
            state.person.modified_at = batch.now
            dirty_people.append(state.person)
    if dirty_people:
        bulk_update_fields(
            Person,
            dirty_people,
            [
                *SCALARS,
                "custom_fields",
                "source",
                "refcode",
                "given_key",
                "family_key",
                "primary_email",
                "email_status",
                "primary_phone",
                "state",
                "postal_code",
                "modified_at",
            ],
        )


def _new_and_dirty(state: PersonState, rows: list) -> tuple[list, list]:
    new, dirty = [], []
    for row in rows:
        row.person = state.person
        if row.pk is None:
            new.append(row)
        elif getattr(row, "_dirty", False):
            dirty.append(row)
    return new, dirty


def _contact_points_write(batch: _Batch, touched: list[PersonState]) -> None:
    new_emails, upd_emails, new_phones, upd_phones, new_addr, upd_addr = [], [], [], [], [], []
    for state in touched:
        for rows, new, dirty in (
            (state.emails, new_emails, upd_emails),
            (state.phones, new_phones, upd_phones),
            (state.addresses, new_addr, upd_addr),
        ):
            state_new, state_dirty = _new_and_dirty(state, rows)
            new += state_new
            dirty += state_dirty
    # Demotions of old primaries are written before new primaries, for the unique constraint.
    if upd_emails:
        bulk_update_fields(EmailAddress, upd_emails, ["is_primary", "status", "modified_at"])
    bulk_insert(EmailAddress, new_emails)
    if upd_phones:
        bulk_update_fields(
            Phone, upd_phones, ["is_primary", "sms_status", "phone_type", "modified_at"]
        )
    bulk_insert(Phone, new_phones)
    if upd_addr:
        bulk_update_fields(
            PostalAddress, upd_addr, ["is_primary", "latitude", "longitude", "modified_at"]
        )
    bulk_insert(PostalAddress, new_addr)
    batch.new_emails = new_emails


def _activities_write(batch: _Batch) -> list[UpsertResult]:
    """One timeline entry per item that created or changed someone; the results in order."""
    context, extras, keys = batch.context, batch.extras, batch.keys
    activities = []
    results = []
    for index, (state, created, changes) in enumerate(batch.per_item):
        results.append(UpsertResult(state.person.pk, created, created or bool(changes), changes))
        if not (created or changes or context.always_record):
            continue
        extra = extras[index] if extras else None
        summary = (extra and extra.activity_summary) or context.activity_summary or "Added"
        occurred_at = (extra and extra.occurred_at) or batch.now
        if not created and changes:
            summary = f"{summary} — updated {', '.join(sorted(set(changes)))}"
        key = None
        if context.dedupe_prefix:
            key = f"{context.dedupe_prefix}:{keys[index] if keys else index}"[:200]
        activities.append(
            Activity(
                person_id=state.person.pk,
                kind=context.activity_kind or context.method,
                occurred_at=occurred_at,
                summary=summary[:300],
                dedupe_key=key,
                data={
                    "created": created,
                    "changes": sorted(set(changes)),
                    "source": context.source[:300],
                    **(extra.activity_data if extra else {}),
                },
            )
        )
    bulk_insert(Activity, activities, ignore_conflicts=True)
    return results


def _write_tags(states) -> None:
    wanted = {name for s in states for name in s.new_tags}
    if not wanted:
        return
    Tag.objects.bulk_create([Tag(name=n) for n in wanted], ignore_conflicts=True)
    tag_ids = dict(Tag.objects.filter(name__in=wanted).values_list("name", "pk"))
    bulk_insert(
        Tagging,
        [Tagging(person_id=s.person.pk, tag_id=tag_ids[n]) for s in states for n in s.new_tags],
        ignore_conflicts=True,
    )
