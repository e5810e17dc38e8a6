"""Recording contributions: idempotent on the processor's id, and committed before anyone is told.

Every intake path (the ActBlue webhook, the ActBlue CSV, our own pages, offline gifts) calls
``contribution_record``; a repeat of the same processor id changes nothing. Each new gift is
designated to an election, keyed to its donor and counted toward the donor's per-election total
under a row lock (compliance.py), so a gift past the limit is recorded and held; a refund lowers
the total again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from groundswell.donations import compliance
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
        value = value or " ".join(str(donor.get(name) or "").split())
        out[target] = value[:limit]
    return out


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
    existing = Contribution.objects.filter(
        processor=data.processor, processor_id=data.processor_id
    ).first()
    if existing is not None:
        return existing, False

    person_input, errors = person_input_clean(data.donor)
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
    summary = _summary(data)
    activity_data = {
        "amount_cents": data.amount_cents,
        "processor": data.processor,
        "processor_id": data.processor_id,
        "refcode": data.refcode,
    }
    try:
        with transaction.atomic():
            person_id = None
            if data.person_id:
                person_id = data.person_id
                activity_record(
                    person=Person(pk=person_id),
                    kind="donation",
                    summary=summary,
                    data=activity_data,
                    occurred_at=data.received_at,
                    dedupe_key=f"contribution:{data.processor}:{data.processor_id}"[:200],
                )
            elif person_input.email or person_input.phones:
                result = people_upsert(
                    [person_input],
                    context=IntakeContext(
                        method=ConsentMethod.API,
                        source=source or data.processor,
                        ip_address=ip_address,
                        activity_kind="donation",
                        activity_summary=summary,
                        dedupe_prefix=f"contribution:{data.processor}",
                        occurred_at=data.received_at,
                        always_record=True,
                    ),
                    keys=[data.processor_id],
                    extras=[
                        ItemExtra(
                            ip_address=ip_address,
                            activity_summary=summary,
                            activity_data=activity_data,
                        )
                    ],
                )
                person_id = result[0].person_id
            snapshot = _snapshot(data.donor, person_input)
            rule, election, donor_key = compliance.contribution_designate(
                received_at=data.received_at,
                election=data.election,
                person_id=person_id,
                snapshot=snapshot,
            )
            contribution = Contribution.objects.create(
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
                refunded_cents=(
                    data.amount_cents if data.status == ContributionStatus.REFUNDED else 0
                ),
                note=data.note,
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
                **snapshot,
            )
            # Compliance: the donor's total toward this election, under a row lock, so two
            # concurrent gifts from one donor cannot both slip under the limit.
            compliance.contribution_count(contribution=contribution, rule=rule)
    except IntegrityError:
        # A concurrent delivery of the same contribution committed first: everything this one
        # did (person changes, timeline) was rolled back with it; return the winner's row.
        existing = Contribution.objects.filter(
            processor=data.processor, processor_id=data.processor_id
        ).first()
        if existing is None:
            raise
        return existing, False
    return contribution, True


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
