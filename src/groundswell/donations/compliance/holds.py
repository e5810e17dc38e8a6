"""Resolving gifts held over the per-election limit: refund, redesignate, reattribute, release.

Federal rules (11 CFR 110.1(b)(5), (k)(3)) give the committee 60 days from receipt to have an
excessive contribution redesignated to another election or reattributed to another donor (a
joint account holder); after that the excess can only be refunded. Every resolution is audited,
keeps the donors' election totals right, and is done under the same row locks as recording a
gift, so it cannot race a new gift from the same donor.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from groundswell.accounts.models import AuditEvent
from groundswell.accounts.roles import FINANCE_VIEW
from groundswell.accounts.services import audit_record
from groundswell.donations.compliance.limits import (
    counted_cents,
    hold_excess_cents,
    hold_reason_text,
    rule_for_election,
    totals_lock,
)
from groundswell.donations.compliance.rules import next_election
from groundswell.donations.finance.refunds import contribution_refund_by_staff, split_processor_id
from groundswell.donations.models import (
    ComplianceRule,
    Contribution,
    ContributionStatus,
    DonorElectionTotal,
    HoldResolution,
    cents_display,
)
from groundswell.donations.services import ContributionInput, contribution_record
from groundswell.people.models import Person
from groundswell.people.services import activity_record

REASON_MAX = 300


@dataclass
class HoldWindow:
    """The redesignation and reattribution window of a held gift."""

    days: int
    deadline: date
    days_left: int

    @property
    def is_open(self) -> bool:
        return self.days_left >= 0


def hold_window(contribution: Contribution, *, rule: ComplianceRule | None = None) -> HoldWindow:
    """The last day staff may redesignate or reattribute a held gift, and the days left."""
    if rule is None and contribution.election:
        rule = rule_for_election(contribution.election)
    days = rule.redesignation_window_days if rule else 60
    received = timezone.localdate(contribution.received_at)
    deadline = received + timedelta(days=days)
    return HoldWindow(
        days=days, deadline=deadline, days_left=(deadline - timezone.localdate()).days
    )


def _reason(reason: str, *, required: bool) -> str:
    reason = " ".join(str(reason or "").split())
    if required and not reason:
        raise ValidationError({"reason": "Say why (it goes in the audit log)."})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": f"Keep the reason under {REASON_MAX} characters."})
    return reason


def _held_locked(contribution: Contribution, user) -> Contribution:
    """The held gift, locked for the resolution; refused if it is no longer held."""
    if user is None or not user.can(FINANCE_VIEW):
        raise ValidationError("Your role does not allow resolving held contributions.")
    locked = Contribution.objects.select_for_update().get(pk=contribution.pk)
    if not locked.held_at:
        raise ValidationError("This contribution is not held.")
    if locked.hold_resolution:
        raise ValidationError(
            f"This hold was already resolved ({locked.get_hold_resolution_display().lower()})."
        )
    return locked


def _window_open(contribution: Contribution, what: str) -> None:
    window = hold_window(contribution)
    if not window.is_open:
        raise ValidationError(
            f"The {window.days}-day window to {what} closed on "
            f"{window.deadline:%B %-d, %Y}; the excess can only be refunded now."
        )


def _resolve(contribution: Contribution, resolution: str, user) -> None:
    contribution.hold_resolution = resolution
    contribution.hold_resolved_at = timezone.now()
    contribution.hold_resolved_by = user
    contribution.save(
        update_fields=["hold_resolution", "hold_resolved_at", "hold_resolved_by", "modified_at"]
    )


def _timeline(contribution: Contribution, summary: str, key: str) -> None:
    if contribution.person_id:
        activity_record(
            person=Person(pk=contribution.person_id),
            kind="donation_compliance",
            summary=summary,
            data={"contribution": contribution.pk},
            dedupe_key=f"hold:{contribution.pk}:{key}"[:200],
        )


def _total_add(row: DonorElectionTotal, cents: int) -> None:
    row.total_cents += cents
    DonorElectionTotal.objects.filter(pk=row.pk).update(
        total_cents=row.total_cents, updated_at=timezone.now()
    )


def hold_refund(
    *, contribution: Contribution, user, amount_cents: int | None = None, reason: str, key: str = ""
) -> Contribution:
    """Refund the excess of a held gift (``amount_cents`` None) or any part of it, up to all.

    Allowed at any time, also after the 60-day window. The hold is resolved as refunded once
    the donor is back within the limit.
    """
    reason = _reason(reason, required=True)
    with transaction.atomic():
        held = _held_locked(contribution, user)
        excess = hold_excess_cents(contribution=held)
    if amount_cents is None:
        if not excess:
            raise ValidationError(
                "This gift is no longer over the limit: release the hold, or choose an amount "
                "to refund."
            )
        amount_cents = excess
    contribution_refund_by_staff(
        contribution=held, amount_cents=amount_cents, user=user, reason=reason, key=key
    )
    with transaction.atomic():
        held = Contribution.objects.select_for_update().get(pk=held.pk)
        rows = totals_lock([(held.donor_key, held.election)])
        total = rows[(held.donor_key, held.election)].total_cents
        still_over = hold_excess_cents(contribution=held, total_cents=total)
        if not still_over:
            _resolve(held, HoldResolution.REFUNDED, user)
        audit_record(
            actor=user,
            action=AuditEvent.Action.HOLD_RESOLVE,
            summary=f"Held contribution {held.pk}: refunded {cents_display(amount_cents)}"
            + ("" if not still_over else f"; still {cents_display(still_over)} over the limit"),
            target=held,
            details={
                "resolution": "refund",
                "amount_cents": amount_cents,
                "excess_before": excess,
                "reason": reason,
            },
        )
    return held


def hold_redesignate(*, contribution: Contribution, user, reason: str = "") -> Contribution:
    """Move the excess of a held gift to the next election; returns the part that moved.

    When only part of the gift is excess, the gift is split: it keeps the part within the limit
    and a new contribution (``redesignated_from`` the old election) carries the excess. When
    the whole gift is excess it is redesignated whole. Refused if the next election's limit
    would be passed too, or after the window.
    """
    reason = _reason(reason, required=False)
    with transaction.atomic():
        held = _held_locked(contribution, user)
        _window_open(held, "redesignate")
        old = held.election
        new = next_election(old)
        rows = totals_lock([(held.donor_key, old), (held.donor_key, new)])
        old_row, new_row = rows[(held.donor_key, old)], rows[(held.donor_key, new)]
        excess = hold_excess_cents(contribution=held, total_cents=old_row.total_cents)
        if not excess:
            raise ValidationError(
                "This gift is no longer over the limit: release the hold instead."
            )
        next_limit = rule_for_election(new).per_election_limit_cents
        if new_row.total_cents + excess > next_limit:
            raise ValidationError(
                f"Redesignating {cents_display(excess)} to {new} would take the donor past that "
                f"election's {cents_display(next_limit)} limit too (the donor has given "
                f"{cents_display(new_row.total_cents)} toward it): refund or reattribute instead."
            )
        if excess >= counted_cents(held):
            moved = held
            moved.election = new
            moved.redesignated_from = old
            moved.save(update_fields=["election", "redesignated_from", "modified_at"])
        else:
            held.amount_cents -= excess
            held.save(update_fields=["amount_cents", "modified_at"])
            moved = _split(held, excess, election=new, redesignated_from=old, kind="R")
        _total_add(old_row, -excess)
        _total_add(new_row, excess)
        _resolve(held, HoldResolution.REDESIGNATED, user)
        _timeline(held, f"{cents_display(excess)} redesignated from {old} to {new}", "redesignate")
        audit_record(
            actor=user,
            action=AuditEvent.Action.HOLD_RESOLVE,
            summary=f"Held contribution {held.pk}: {cents_display(excess)} redesignated from "
            f"{old} to {new}" + ("" if moved.pk == held.pk else f" (new contribution {moved.pk})"),
            target=held,
            details={
                "resolution": "redesignate",
                "excess_cents": excess,
                "from": old,
                "to": new,
                "moved": moved.pk,
                "reason": reason,
            },
        )
    return moved


def _split(
    held: Contribution, cents: int, *, election: str, redesignated_from: str, kind: str
) -> Contribution:
    """A new contribution for ``cents`` of a held gift: same donor, date and processor."""
    part = Contribution.objects.get(pk=held.pk)
    part.pk = None
    part.id = None
    part._state.adding = True
    part.amount_cents = cents
    part.processor_id = split_processor_id(held, kind)
    part.election = election
    part.redesignated_from = redesignated_from
    part.refunded_cents = 0
    part.refund_keys = []
    part.refunded_at = None
    part.status = ContributionStatus.PAID
    part.hold_reason = ""
    part.held_at = None
    part.hold_resolution = ""
    part.hold_resolved_at = None
    part.hold_resolved_by = None
    part.note = f"Part of contribution {held.pk}, redesignated from {redesignated_from}."
    part.save(force_insert=True)
    return part


def _donor_from_person(person: Person) -> dict[str, str]:
    """A person's current details as intake values (the snapshot of a reattributed part)."""
    address = person.addresses.order_by("-is_primary", "-id").first()
    donor = {
        "given_name": person.given_name,
        "family_name": person.family_name,
        "employer": person.employer,
        "occupation": person.occupation,
        "email": person.primary_email,
        "phone": person.primary_phone,
        "postal_code": person.postal_code,
        "state": person.state,
    }
    if address is not None:
        donor.update(
            address_line1=address.line1,
            address_line2=address.line2,
            city=address.city,
            state=address.state or person.state,
            postal_code=address.postal_code or person.postal_code,
        )
    return {k: v for k, v in donor.items() if v}


REATTRIBUTE_FIELDS = (
    "given_name",
    "family_name",
    "address_line1",
    "city",
    "state",
    "postal_code",
    "employer",
    "occupation",
    "email",
)


def _donor_clean(donor: dict[str, str]) -> dict[str, str]:
    donor = {k: " ".join(str(donor.get(k) or "").split()) for k in REATTRIBUTE_FIELDS}
    errors = {}
    if not donor["given_name"] or not donor["family_name"]:
        errors["given_name"] = "Give the other donor's first and last name."
    if not donor["address_line1"] or not donor["city"] or not donor["postal_code"]:
        errors["address_line1"] = "Give the other donor's address (street, city and ZIP code)."
    if errors:
        raise ValidationError(errors)
    return {k: v for k, v in donor.items() if v}


def _reattribute_amount_check(held: Contribution, amount_cents: int) -> None:
    """Refuse an amount that is not a part of the gift still counted."""
    left = counted_cents(held)
    if not isinstance(amount_cents, int) or amount_cents <= 0:
        raise ValidationError({"amount": "The amount must be positive."})
    if amount_cents >= held.amount_cents or amount_cents > left:
        raise ValidationError(
            {
                "amount": "Only part of the gift can be reattributed (at most "
                f"{cents_display(min(left, held.amount_cents - 1))}); refund the rest."
            }
        )


def _reattributed_part_record(
    held: Contribution, amount_cents: int, new_donor: dict[str, str], person: Person | None
) -> Contribution:
    """Record the part as the other donor's gift; refused if it is the same donor or over
    that donor's own limit (the caller's transaction then undoes everything)."""
    part, _ = contribution_record(
        data=ContributionInput(
            processor=held.processor,
            processor_id=split_processor_id(held, "A"),
            amount_cents=amount_cents,
            received_at=held.received_at,
            donor=new_donor,
            currency=held.currency,
            order_number=held.order_number,
            refcode=held.refcode,
            refcodes=held.refcodes,
            form_name=held.form_name,
            election=held.election,
            payment_method=held.payment_method,
            page_id=held.page_id,
            person_id=person.pk if person is not None else None,
            reattributed_from_id=held.pk,
            note=f"Reattributed from contribution {held.pk}.",
        ),
        source="reattribution",
    )
    if part.donor_key and part.donor_key == held.donor_key:
        raise ValidationError("That is the same donor: choose someone else.")
    if part.held_at:
        limit = rule_for_election(held.election).per_election_limit_cents
        raise ValidationError(
            f"Reattributing {cents_display(amount_cents)} would take "
            f"{part.donor_given_name} {part.donor_family_name} past their own "
            f"{cents_display(limit)} limit for {held.election}."
        )
    return part


def _rehold_or_resolve(held: Contribution, total: DonorElectionTotal, user) -> int:
    """Keep the gift held with a new reason while still over the limit, else resolve it;
    returns how far over it still is."""
    still_over = hold_excess_cents(contribution=held, total_cents=total.total_cents)
    if still_over:
        held.hold_reason = hold_reason_text(
            election=held.election,
            limit_cents=rule_for_election(held.election).per_election_limit_cents,
            total_cents=total.total_cents,
        )[:300]
        held.save(update_fields=["hold_reason", "modified_at"])
    else:
        _resolve(held, HoldResolution.REATTRIBUTED, user)
    return still_over


def hold_reattribute(
    *,
    contribution: Contribution,
    user,
    amount_cents: int,
    person: Person | None = None,
    donor: dict[str, str] | None = None,
    reason: str = "",
) -> Contribution:
    """Attribute part of a held gift to another donor (a joint account holder); returns the new
    contribution, ``reattributed_from`` the held one.

    The other donor is an existing ``person`` or new ``donor`` details (name, address,
    employer, occupation; e-mail optional). Refused if it would take that donor past their own
    limit, or after the window. The held gift stays held if it is still over the limit.
    """
    reason = _reason(reason, required=False)
    if person is None and not any(str(v or "").strip() for v in (donor or {}).values()):
        raise ValidationError(
            "Choose the person the gift is reattributed to, or give their details."
        )
    new_donor = _donor_from_person(person) if person is not None else _donor_clean(donor or {})
    with transaction.atomic():
        held = _held_locked(contribution, user)
        _window_open(held, "reattribute")
        _reattribute_amount_check(held, amount_cents)
        rows = totals_lock([(held.donor_key, held.election)])
        row = rows[(held.donor_key, held.election)]
        held.amount_cents -= amount_cents
        held.save(update_fields=["amount_cents", "modified_at"])
        _total_add(row, -amount_cents)
        part = _reattributed_part_record(held, amount_cents, new_donor, person)
        still_over = _rehold_or_resolve(held, row, user)
        whom = f"{part.donor_given_name} {part.donor_family_name}"
        _timeline(
            held,
            f"{cents_display(amount_cents)} of a gift reattributed to {whom}",
            f"reattribute:{part.pk}",
        )
        audit_record(
            actor=user,
            action=AuditEvent.Action.HOLD_RESOLVE,
            summary=f"Held contribution {held.pk}: {cents_display(amount_cents)} reattributed to "
            f"{whom} (contribution {part.pk})",
            target=held,
            details={
                "resolution": "reattribute",
                "amount_cents": amount_cents,
                "new_contribution": part.pk,
                "still_over_cents": still_over,
                "reason": reason,
            },
        )
    return part


def hold_release(*, contribution: Contribution, user, reason: str) -> Contribution:
    """Clear a hold that was wrong (two donors keyed as one, a merge since fixed); audited with
    how far over the limit the donor's total still is, if at all."""
    reason = _reason(reason, required=True)
    with transaction.atomic():
        held = _held_locked(contribution, user)
        excess = hold_excess_cents(contribution=held)
        _resolve(held, HoldResolution.RELEASED, user)
        audit_record(
            actor=user,
            action=AuditEvent.Action.HOLD_RESOLVE,
            summary=f"Held contribution {held.pk} released"
            + (f" while {cents_display(excess)} over the limit" if excess else ""),
            target=held,
            details={"resolution": "release", "excess_cents": excess, "reason": reason},
        )
    return held


def holds_pending():
    """Held gifts not yet resolved, oldest first (the window closes on them first)."""
    return (
        Contribution.objects.filter(held_at__isnull=False, hold_resolution="")
        .select_related("person")
        .order_by("received_at", "id")
    )
