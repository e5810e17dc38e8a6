"""Recording contributions: idempotent on the processor's id, and committed before anyone is told.

Every intake path (the ActBlue CSV, our own pages, offline gifts, staff resolutions) calls
``contribution_record``; a repeat of the same processor id changes nothing. Each new gift is
designated to an election, keyed to its donor and counted toward the donor's per-election total
under a row lock (compliance.py), so a gift past the limit is recorded and held; a refund lowers
the total again.

The ActBlue webhook alone records in two phases, so that a surge of deliveries is answered
fast: ``contribution_receive`` commits the row (amount, processor id, donor snapshot, election,
refcodes, form, recurring key) with ``processed_at`` unset, and the webhook answers 2xx; the
task worker then runs ``contributions_process`` (enqueued on commit; idempotent; any later
task, or the sweep task, also takes rows whose task was lost), which links the donor, adds the
timeline entry, keys the gift and counts it toward the limit, holding it if it passes. Until
then the gift already counts in the money totals (it is a committed row) but not in its donor's
limit total, so a hold appears when it is processed, seconds later.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from groundswell.core.spreadsheet import formula_strip
from groundswell.donations.compliance import limits as compliance
from groundswell.donations.compliance.rules import (
    election_for,
    rule_for_cached,
)
from groundswell.donations.models import (
    Contribution,
    ContributionStatus,
    Processor,
    cents_display,
)
from groundswell.people.intake import person_input_clean
from groundswell.people.models import ConsentMethod, Person
from groundswell.people.services import IntakeContext, ItemExtra, activity_record, people_upsert

logger = logging.getLogger(__name__)

# The person fields a contribution keeps as given (intake field name → snapshot field).
SNAPSHOT_FIELDS = {
    "given_name": "donor_given_name",
    "family_name": "donor_family_name",
    "address_line1": "donor_address_line1",
    "address_line2": "donor_address_line2",
    "city": "donor_city",
    "state": "donor_state",
    "postal_code": "donor_postal_code",
    "country": "donor_country",
    "employer": "donor_employer",
    "occupation": "donor_occupation",
    "email": "donor_email",
    "phone": "donor_phone",
}


@dataclass
class ContributionInput:
    """One contribution as a processor reported it; money already in integer cents."""

    processor: str
    processor_id: str
    amount_cents: int
    received_at: datetime
    # Raw donor values under people.intake field names (given_name, email, postal_code...).
    donor: dict[str, str] = field(default_factory=dict)
    currency: str = "USD"
    order_number: str = ""
    refcode: str = ""
    refcodes: dict = field(default_factory=dict)
    form_name: str = ""
    election: str = ""
    is_memo: bool = False
    transaction_type: str = ""
    status: str = ContributionStatus.PAID
    note: str = ""
    is_recurring: bool = False
    recurring_period: str = ""
    recurring_series_key: str = ""
    payment_method: str = ""
    is_anonymous: bool = False
    page_id: int | None = None
    series_id: int | None = None
    # Link this existing person instead of upserting the donor (staff naming the donor).
    person_id: int | None = None
    # Set by staff resolutions of a held gift (compliance): the part split off a gift.
    redesignated_from: str = ""
    reattributed_from_id: int | None = None


def _summary(data: ContributionInput) -> str:
    """The timeline line: a part moved to another election is not a second gift."""
    label = Processor(data.processor).label if data.processor in Processor.values else ""
    amount = cents_display(data.amount_cents)
    if data.redesignated_from:
        return f"{amount} of a gift redesignated from {data.redesignated_from} to {data.election}"
    via = f" via {label}" if label else ""
    if data.reattributed_from_id:
        return f"Gave {amount} (reattributed to them from a joint gift){via}"
    return f"Gave {amount}{via}"


def _snapshot(donor: dict[str, str], cleaned) -> dict[str, str]:
    """The donor as given: the normalised value where it could be cleaned, else the raw text."""
    out = {}
    for name, target in SNAPSHOT_FIELDS.items():
        limit = Contribution._meta.get_field(target).max_length
        if name == "phone":
            value = cleaned.phones[0].number if cleaned.phones else ""
        elif name == "country":
            value = cleaned.country if donor.get("country") else ""
        else:
            value = getattr(cleaned, name, "")
        # The raw text, where it could not be cleaned, is still kept free of formula starts:
        # the snapshot goes unaltered into the Schedule A export (core.spreadsheet).
        value = value or formula_strip(" ".join(str(donor.get(name) or "").split()))
        out[target] = value[:limit]
    return out


def contribution_donor_clean(data: ContributionInput):
    """The donor as a person input: bad contact fields dropped (logged), consent left alone."""
    person_input, errors = person_input_clean(data.donor, from_file=True)
    # A donation is not a subscription: the e-mail status changes only if the payload says so
    # explicitly (the raw donor carries "email_status" only then).
    if "email_status" not in data.donor:
        person_input.email_status = None
    if errors:
        # The money still counts; bad contact fields are dropped and kept only in the snapshot.
        logger.info(
            "contribution %s:%s donor fields ignored: %s",
            data.processor,
            data.processor_id,
            "; ".join(f"{e.field} {e.reason}" for e in errors),
        )
    return person_input


def _donor_link(
    *, data: ContributionInput, person_input, source: str, ip_address: str | None
) -> int | None:
    """Upsert the donor (or take the person staff named) and add the gift to the timeline."""
    if data.person_id:
        activity_record(
            person=Person(pk=data.person_id),
            kind="donation",
            summary=_summary(data),
            data=_activity_data(data),
            occurred_at=data.received_at,
            dedupe_key=f"contribution:{data.processor}:{data.processor_id}"[:200],
        )
        return data.person_id
    return donors_link([(data, person_input)], source=source, ip_address=ip_address)[0]


def _activity_data(data: ContributionInput) -> dict:
    return {
        "amount_cents": data.amount_cents,
        "processor": data.processor,
        "processor_id": data.processor_id,
        "refcode": data.refcode,
    }


def donors_link(
    gifts: list[tuple[ContributionInput, object]], *, source: str, ip_address: str | None
) -> list[int | None]:
    """Upsert the donors of gifts from one processor, in one batch; their person ids in order.

    Each gift is added to its donor's timeline at the time it was received (keyed by its
    processor id, so never twice). A donor with neither e-mail nor phone is not matched (None).
    """
    if len({data.processor for data, _ in gifts}) > 1:
        raise ValueError("donors_link takes the gifts of one processor")
    linkable = [i for i, (_, cleaned) in enumerate(gifts) if cleaned.email or cleaned.phones]
    out: list[int | None] = [None] * len(gifts)
    if not linkable:
        return out
    processor = gifts[linkable[0]][0].processor
    results = people_upsert(
        [gifts[i][1] for i in linkable],
        context=IntakeContext(
            method=ConsentMethod.API,
            source=source or processor,
            ip_address=ip_address,
            activity_kind="donation",
            dedupe_prefix=f"contribution:{processor}",
            # A batch of one keeps its time for what is not per item (who changed when).
            occurred_at=gifts[linkable[0]][0].received_at if len(linkable) == 1 else None,
            always_record=True,
        ),
        keys=[gifts[i][0].processor_id for i in linkable],
        extras=[
            ItemExtra(
                ip_address=ip_address,
                activity_summary=_summary(gifts[i][0]),
                activity_data=_activity_data(gifts[i][0]),
                occurred_at=gifts[i][0].received_at,
            )
            for i in linkable
        ],
    )
    for i, result in zip(linkable, results, strict=True):
        out[i] = result.person_id
    return out


def _existing(data: ContributionInput) -> Contribution | None:
    # No ORDER BY (first() and the model's ordering would sort): the pair is unique.
    rows = Contribution.objects.filter(processor=data.processor, processor_id=data.processor_id)
    return next(iter(rows.order_by()[:1]), None)


def contribution_record(
    *, data: ContributionInput, source: str = "", ip_address: str | None = None
) -> tuple[Contribution, bool]:
    """Record a contribution, upsert its donor and add it to the timeline; once per processor id.

    Returns the contribution and whether this call created it. A repeat (or a concurrent
    delivery of the same contribution) returns the existing row and changes nothing. A gift
    that takes its donor past the per-election limit comes back with ``held_at`` set.
    """
    if data.amount_cents <= 0:
        raise ValueError("amount_cents must be positive")
    if timezone.is_naive(data.received_at):
        raise ValueError("received_at must be timezone-aware")
    existing = _existing(data)
    if existing is not None:
        return existing, False

    person_input = contribution_donor_clean(data)
    snapshot = _snapshot(data.donor, person_input)
    try:
        with transaction.atomic():
            person_id = _donor_link(
                data=data, person_input=person_input, source=source, ip_address=ip_address
            )
            rule, election, donor_key = compliance.contribution_designate(
                received_at=data.received_at,
                election=data.election,
                person_id=person_id,
                snapshot=snapshot,
            )
            contribution = _create(
                data,
                snapshot,
                election=election,
                donor_key=donor_key,
                person_id=person_id,
                processed_at=timezone.now(),
            )
            # Compliance: the donor's total toward this election, under a row lock, so two
            # concurrent gifts from one donor cannot both slip under the limit.
            compliance.contribution_count(contribution=contribution, rule=rule)
    except IntegrityError:
        # A concurrent delivery of the same contribution committed first: everything this one
        # did (person changes, timeline) was rolled back with it; return the winner's row.
        existing = _existing(data)
        if existing is None:
            raise
        return existing, False
    return contribution, True


def contribution_receive(*, data: ContributionInput) -> tuple[Contribution, bool]:
    """Store a contribution as received, to be processed by the task worker; once per id.

    Only the row is written (the donor snapshot, the election on receipt, ``processed_at``
    unset), in one INSERT … ON CONFLICT DO NOTHING: a repeat, or a concurrent delivery of the
    same contribution, writes nothing and returns the existing row. The donor, timeline, donor
    key, limit count and hold follow in ``contributions_process``, enqueued on commit. For an
    undesignated gift from a donor not yet matched (the ActBlue webhook's).
    """
    contribution = contribution_received_build(data=data)
    fields, sql = _insert_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, contribution_insert_values(contribution, fields))
        row = cursor.fetchone()
    if row is None:
        existing = _existing(data)
        if existing is None:  # the row that conflicted was deleted since: unlikely, loud
            raise RuntimeError(f"contribution {data.processor}:{data.processor_id} vanished")
        return existing, False
    contribution.pk = row[0]
    contribution._state.adding = False
    contribution._state.db = connection.alias
    # Robust: the gift is committed, so a failed enqueue is logged (the next task or the sweep
    # takes the row) rather than turned into an error answer.
    transaction.on_commit(contribution_processing_enqueue, robust=True)
    return contribution, True


def contribution_received_build(*, data: ContributionInput) -> Contribution:
    """The unsaved row ``contribution_receive`` inserts: snapshot, election on receipt."""
    if data.amount_cents <= 0:
        raise ValueError("amount_cents must be positive")
    if timezone.is_naive(data.received_at):
        raise ValueError("received_at must be timezone-aware")
    if data.election or data.person_id or data.reattributed_from_id:
        raise ValueError("only an undesignated gift from an unnamed donor can be received")
    snapshot = _snapshot(data.donor, contribution_donor_clean(data))
    # Designated now so that the dashboard shows it; the worker designates again with the
    # current rule before counting (the cached one may be 30 seconds old).
    rule = rule_for_cached(received_at=data.received_at)
    return _build(
        data,
        snapshot,
        election=election_for(received_at=data.received_at, rule=rule),
        donor_key="",
        person_id=None,
        processed_at=None,
    )


def contribution_insert_values(contribution: Contribution, fields: list) -> list:
    """The database values of ``fields`` for an unsaved row, as save() would write them."""
    # pre_save: modified_at and created_at are set there.
    return [f.get_db_prep_save(f.pre_save(contribution, True), connection) for f in fields]


def _insert_sql() -> tuple[list, str]:
    """The columns and the INSERT … ON CONFLICT DO NOTHING RETURNING id of a contribution."""
    fields = [f for f in Contribution._meta.concrete_fields if not f.primary_key]
    qn = connection.ops.quote_name
    sql = (
        f"INSERT INTO {qn(Contribution._meta.db_table)} "  # noqa: S608 (quoted identifiers; values are parameters)
        f"({', '.join(qn(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}) "
        "ON CONFLICT (processor, processor_id) DO NOTHING RETURNING id"
    )
    return fields, sql


def _build(
    data: ContributionInput,
    snapshot: dict[str, str],
    *,
    election: str,
    donor_key: str,
    person_id: int | None,
    processed_at: datetime | None,
) -> Contribution:
    return Contribution(
        amount_cents=data.amount_cents,
        currency=data.currency,
        received_at=data.received_at,
        processor=data.processor,
        processor_id=data.processor_id,
        order_number=data.order_number[:100],
        refcode=data.refcode[:100],
        refcodes=data.refcodes,
        form_name=data.form_name[:200],
        election=election,
        donor_key=donor_key,
        is_memo=data.is_memo,
        transaction_type=data.transaction_type[:3],
        status=data.status,
        # A refund reported on its own: refunded in full, so it nets to nothing.
        refunded_cents=(data.amount_cents if data.status == ContributionStatus.REFUNDED else 0),
        note=formula_strip(data.note),  # the Schedule A memo text, unaltered there
        is_recurring=data.is_recurring,
        recurring_period=data.recurring_period,
        recurring_series_key=data.recurring_series_key[:100],
        payment_method=data.payment_method,
        is_anonymous=data.is_anonymous,
        page_id=data.page_id,
        series_id=data.series_id,
        redesignated_from=data.redesignated_from,
        reattributed_from_id=data.reattributed_from_id,
        person_id=person_id,
        processed_at=processed_at,
        **snapshot,
    )


def _create(data: ContributionInput, snapshot: dict[str, str], **values) -> Contribution:
    contribution = _build(data, snapshot, **values)
    contribution.save(force_insert=True)
    return contribution


# ---------------------------------------------------------------- deferred processing

# Deliveries within this many seconds share one processing task (one per server process).
PROCESSING_WINDOW = 1
# Processing sources by processor: what the person's consent record says the data came from.
DEFERRED_SOURCE = {Processor.ACTBLUE: "ActBlue webhook"}


def contribution_processing_enqueue() -> None:
    """Enqueue processing; in a surge, one task per second per server process drains all.

    A task drains every row committed before it starts, and it starts after the window in
    which later enqueues are skipped, so each skipped row (committed before its skip) is
    drained. A row whose task was lost is drained by the next task, or by the sweep.
    """
    # tasks.py imports the services its tasks run: the task is imported where it is enqueued.
    from groundswell.donations.tasks import contributions_process_pending

    task = contributions_process_pending
    if not task.get_backend().supports_defer:
        task.enqueue()
    elif cache.add("donations:processing-enqueued", 1, timeout=PROCESSING_WINDOW):
        task.using(run_after=timezone.now() + timedelta(seconds=PROCESSING_WINDOW + 1)).enqueue()


def contribution_refund(
    *,
    processor: str,
    processor_id: str,
    refund_cents: int,
    refund_key: str,
    refunded_at: datetime | None = None,
) -> tuple[Contribution, bool]:
    """Apply one refund (identified by ``refund_key``) to a contribution; a repeat does nothing.

    Refunds add up to at most the amount; the status becomes refunded when nothing is left,
    partially refunded otherwise. Raises Contribution.DoesNotExist for an unknown contribution.
    """
    if refund_cents <= 0:
        raise ValueError("refund_cents must be positive")
    with transaction.atomic():
        # The row lock serialises two deliveries of refunds for the same contribution.
        contribution = Contribution.objects.select_for_update().get(
            processor=processor, processor_id=processor_id
        )
        if refund_key in contribution.refund_keys:
            return contribution, False
        keys = list(contribution.refund_keys)
        pending = _pending_index(keys, refund_cents) if not is_pending_key(refund_key) else None
        if pending is not None:
            # Staff already recorded this refund when they asked the processor (ActBlue) to make
            # it; the processor's own notice of it must not take the money off a second time.
            keys[pending] = "done:" + keys[pending].removeprefix(PENDING_PREFIX)
            contribution.refund_keys = [*keys, refund_key]
            contribution.save(update_fields=["refund_keys", "modified_at"])
            return contribution, True
        counted_before = compliance.counted_cents(contribution)
        contribution.refunded_cents = min(
            contribution.amount_cents, contribution.refunded_cents + refund_cents
        )
        contribution.refund_keys = [*keys, refund_key]
        contribution.refunded_at = refunded_at or timezone.now()
        contribution.status = (
            ContributionStatus.REFUNDED
            if contribution.refunded_cents >= contribution.amount_cents
            else ContributionStatus.PARTIALLY_REFUNDED
        )
        contribution.save(
            update_fields=["refunded_cents", "refund_keys", "refunded_at", "status", "modified_at"]
        )
        # A refund lowers the donor's total toward the election (under the same row lock).
        compliance.contribution_recount(contribution=contribution, counted_before=counted_before)
        if contribution.person_id:
            activity_record(
                person=Person(pk=contribution.person_id),
                kind="donation_refund",
                summary=f"Refunded {cents_display(refund_cents)} of "
                f"{cents_display(contribution.amount_cents)}",
                data={"processor": processor, "processor_id": processor_id},
                occurred_at=contribution.refunded_at,
                dedupe_key=f"refund:{processor}:{processor_id}:{refund_key}"[:200],
            )
    return contribution, True


# A refund staff recorded for a processor that carries it out on its own side (ActBlue): its
# key is "pending:<cents>:<id>" until the processor's notice of the same refund arrives.
PENDING_PREFIX = "pending:"


def is_pending_key(key: str) -> bool:
    return key.startswith(PENDING_PREFIX)


def _pending_index(keys: list[str], cents: int) -> int | None:
    """The first staff-recorded refund of exactly ``cents`` still waiting for the processor."""
    for index, key in enumerate(keys):
        if is_pending_key(key) and key.split(":")[1] == str(cents):
            return index
    return None
