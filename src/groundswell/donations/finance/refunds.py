"""Refunds staff make: through Stripe when the gift came through it, else recorded for a refund
made by check (offline, FEC) or in ActBlue's own dashboard.

Either way the refund goes through ``contribution_refund`` (status, the donor's limit total, the
timeline) and into the audit log.
"""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from groundswell.accounts.models import AuditEvent
from groundswell.accounts.roles import FINANCE_VIEW
from groundswell.accounts.services import audit_record
from groundswell.donations import processors
from groundswell.donations.compliance.limits import counted_cents
from groundswell.donations.models import Contribution, ContributionStatus, Processor, cents_display
from groundswell.donations.processors import ProcessorError
from groundswell.donations.services import PENDING_PREFIX, contribution_refund

# How the money goes back when we cannot send it back ourselves.
HOW_RETURNED = {
    Processor.ACTBLUE: "must be refunded in ActBlue",
    Processor.OFFLINE: "must be refunded by check",
    Processor.FEC: "must be refunded by check",
}
REASON_MAX = 300


def processor_root_id(contribution: Contribution) -> str:
    """The processor's own id for a gift: a part split off by staff carries its root's id."""
    return contribution.processor_id.split("#", 1)[0]


def split_processor_id(contribution: Contribution, kind: str) -> str:
    """A processor id for a part staff split off a gift (unique, and leading back to the root)."""
    return f"{processor_root_id(contribution)[:80]}#{kind}{secrets.token_hex(4)}"


def _stripe():
    """The Stripe processor, or a clear error when it is not installed or configured."""
    try:
        # Looked up on the package when called, so a test can stand a double in for Stripe.
        return processors.processor_get(Processor.STRIPE)
    except (ProcessorError, ImportError) as exc:
        raise ValidationError(
            f"Stripe is not available, so this refund cannot be made: {exc}. "
            "Configure Stripe in the settings, or refund the donor another way."
        ) from exc


def _mark_root(contribution: Contribution, key: str) -> None:
    """Tell the gift the processor knows (the root of a split) that a refund was made on a part
    of it, so the processor's own notice of that refund does not take money off it again."""
    root_id = processor_root_id(contribution)
    if root_id == contribution.processor_id:
        return
    root = (
        Contribution.objects.select_for_update()
        .filter(processor=contribution.processor, processor_id=root_id)
        .first()
    )
    if root is not None and key not in root.refund_keys:
        root.refund_keys = [*root.refund_keys, key]
        root.save(update_fields=["refund_keys", "modified_at"])


def refund_validate(*, contribution: Contribution, amount_cents, user, reason: str) -> str:
    """Check a staff refund; returns the cleaned reason or raises ValidationError."""
    if user is None or not user.can(FINANCE_VIEW):
        raise ValidationError("Your role does not allow refunds.")
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise ValidationError(
            {"reason": "Say why the gift is refunded (it goes in the audit log)."}
        )
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": f"Keep the reason under {REASON_MAX} characters."})
    if contribution.status in (ContributionStatus.CHARGED_BACK, ContributionStatus.VOIDED):
        raise ValidationError(
            f"This gift was {contribution.get_status_display().lower()}: "
            "there is nothing to refund."
        )
    if not isinstance(amount_cents, int) or isinstance(amount_cents, bool) or amount_cents <= 0:
        raise ValidationError({"amount": "The refund must be a positive amount."})
    left = contribution.amount_cents - contribution.refunded_cents
    if amount_cents > left:
        raise ValidationError(
            {"amount": f"At most {cents_display(left)} of this gift is left to refund."}
        )
    return reason


def contribution_refund_by_staff(
    *, contribution: Contribution, amount_cents: int, user, reason: str, key: str = ""
) -> Contribution:
    """Refund part or all of a gift at staff request; audited and on the donor's timeline.

    Stripe gifts are refunded through Stripe first (nothing is recorded if Stripe refuses);
    other gifts are recorded as refunded with a note saying how the money must go back.
    ``key`` (the form's key) makes a repeated submit refund once.
    """
    reason = refund_validate(
        contribution=contribution, amount_cents=amount_cents, user=user, reason=reason
    )
    key = key or secrets.token_hex(8)
    how = HOW_RETURNED.get(contribution.processor, "must be refunded to the donor")
    if contribution.processor == Processor.STRIPE:
        processor = _stripe()
        try:
            # The network call stays outside any transaction; its idempotency key makes a
            # retried submit return the same Stripe refund rather than a second one.
            refund_key = processor.refund(
                processor_ref=processor_root_id(contribution),
                amount_cents=amount_cents,
                idempotency_key=f"staff-refund:{contribution.pk}:{key}",
            )
        except ProcessorError as exc:
            raise ValidationError(f"Stripe refused the refund: {exc.message}") from exc
        how = f"refunded through Stripe ({refund_key})"
    elif contribution.processor == Processor.ACTBLUE:
        # ActBlue will notify us of the refund staff make there; the pending key lets that
        # notice be recognised as this refund (see contribution_refund).
        refund_key = f"{PENDING_PREFIX}{amount_cents}:{key}"
    else:
        refund_key = f"staff:{key}"
    with transaction.atomic():
        counted_before = counted_cents(contribution)
        updated, done = contribution_refund(
            processor=contribution.processor,
            processor_id=contribution.processor_id,
            refund_cents=amount_cents,
            refund_key=refund_key,
        )
        if not done:
            return updated
        if processor_root_id(contribution) != contribution.processor_id:
            _mark_root(contribution, refund_key)
        if updated.hold_resolution and not contribution.hold_resolution:
            # The refund brought a held donor back within the limit (contribution_refund
            # resolved the hold): it was this staff member's doing.
            updated.hold_resolved_by = user
            updated.save(update_fields=["hold_resolved_by", "modified_at"])
        stamp = timezone.localdate().isoformat()
        line = (
            f"{stamp}: {cents_display(amount_cents)} refund recorded by {user.username}; "
            f"{how}. Reason: {reason}"
        )
        updated.note = f"{updated.note}\n{line}".strip()
        updated.save(update_fields=["note", "modified_at"])
        audit_record(
            actor=user,
            action=AuditEvent.Action.REFUND,
            summary=f"Refunded {cents_display(amount_cents)} of contribution {updated.pk} "
            f"({cents_display(updated.amount_cents)} via {updated.get_processor_display()}): "
            f"{how}",
            target=updated,
            details={
                "amount_cents": amount_cents,
                "refund_key": refund_key,
                "reason": reason,
                "counted_before": counted_before,
                "processor": updated.processor,
            },
        )
    return updated
