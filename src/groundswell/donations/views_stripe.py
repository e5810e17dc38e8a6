"""Stripe's webhook: verify the signature, apply the event once, answer only after commit."""

from __future__ import annotations

import logging

import stripe
from django.conf import settings
from django.db import transaction
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from groundswell.accounts.permissions import client_ip
from groundswell.donations.models import (
    Contribution,
    Installment,
    PaymentAttempt,
    Processor,
    WebhookDelivery,
)
from groundswell.donations.payments import payment_attempt_finish, payment_attempt_for
from groundswell.donations.processors.stripe import charge_result_from
from groundswell.donations.recurring import (
    installment_paid,
    series_for_installment_key,
    series_mark_failing,
)
from groundswell.donations.services import contribution_refund

logger = logging.getLogger(__name__)

# Stripe's own default: a signature older than five minutes is refused, so a captured
# delivery cannot be replayed later.
TOLERANCE_SECONDS = 300


def _log(request, status: str, error: str = "") -> WebhookDelivery:
    body = request.body[: WebhookDelivery.MAX_BODY].decode("utf-8", errors="replace")
    return WebhookDelivery.objects.create(
        source=Processor.STRIPE,
        status=status,
        error=error[:2000],
        body=body,
        remote_addr=client_ip(request),
    )


@csrf_exempt
@require_POST
def stripe_webhook(request):
    """Stripe's payment and refund events for our own pages and recurring gifts."""
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        return JsonResponse({"error": "not configured"}, status=503)
    try:
        event = stripe.Webhook.construct_event(
            request.body,
            request.headers.get("Stripe-Signature", ""),
            secret,
            tolerance=TOLERANCE_SECONDS,
        )
    except stripe.SignatureVerificationError as exc:
        _log(request, WebhookDelivery.Status.REJECTED, f"signature: {exc.user_message or exc}")
        return JsonResponse({"error": "bad signature"}, status=400)
    except ValueError as exc:
        _log(request, WebhookDelivery.Status.REJECTED, f"body: {exc}")
        return JsonResponse({"error": "the body is not a Stripe event"}, status=400)

    data = event.to_dict()
    kind = data.get("type", "")
    obj = (data.get("data") or {}).get("object") or {}
    handler = HANDLERS.get(kind)
    # One transaction: Stripe is told "received" only once everything is committed, and a
    # failure part-way leaves nothing behind for its retry to trip over.
    with transaction.atomic():
        if handler is None:
            changed, contributions, note = False, [], f"{kind}: not used"
        else:
            changed, contributions, note = handler(obj)
        status = WebhookDelivery.Status.ACCEPTED if changed else WebhookDelivery.Status.DUPLICATE
        delivery = _log(request, status, "" if changed else note)
        if contributions:
            delivery.contributions.set(contributions)
    return JsonResponse(
        {
            "status": status,
            "event": data.get("id", ""),
            "contributions": [c.pk for c in contributions],
        }
    )


def _succeeded(intent: dict) -> tuple[bool, list[Contribution], str]:
    metadata = intent.get("metadata") or {}
    result = charge_result_from(intent)
    installment = series_for_installment_key(metadata.get("installment", ""))
    if installment is not None:
        row = Installment.objects.filter(series_id=installment[0], sequence=installment[1]).first()
        if row is None:
            return False, [], "installment unknown"
        if row.contribution_id:
            return False, [row.contribution], "installment already recorded"
        # The run that charged it has not recorded it (it died, or is still running): record
        # it now; the run's own call will find it done.
        return True, [installment_paid(installment=row, result=result)], ""
    attempt = payment_attempt_for(processor_ref=intent.get("id", ""), key=metadata.get("attempt"))
    if attempt is None:
        return False, [], "no payment attempt of ours"
    if attempt.contribution_id:
        return False, [attempt.contribution], "already recorded"
    attempt = payment_attempt_finish(attempt=attempt, result=result)
    return bool(attempt.contribution_id), [attempt.contribution] if attempt.contribution else [], ""


def _failed(intent: dict) -> tuple[bool, list[Contribution], str]:
    metadata = intent.get("metadata") or {}
    installment = series_for_installment_key(metadata.get("installment", ""))
    if installment is not None:
        # The run that charged it records the failure and the retry; the event only makes
        # sure the series shows as failing (it may be the first word of the decline).
        return series_mark_failing(series_id=installment[0]), [], "series already failing"
    attempt = payment_attempt_for(processor_ref=intent.get("id", ""), key=metadata.get("attempt"))
    if attempt is None:
        return False, [], "no payment attempt of ours"
    error = (intent.get("last_payment_error") or {}).get("message") or "The card was declined."
    updated = (
        PaymentAttempt.objects.filter(pk=attempt.pk, contribution__isnull=True)
        .exclude(status__in=[PaymentAttempt.Status.SUCCEEDED, PaymentAttempt.Status.FAILED])
        .update(status=PaymentAttempt.Status.FAILED, error=error[:1000])
    )
    return bool(updated), [], "attempt already settled"


def _refunded(charge: dict) -> tuple[bool, list[Contribution], str]:
    intent_id = charge.get("payment_intent") or ""
    if isinstance(intent_id, dict):
        intent_id = intent_id.get("id", "")
    # The row lock: two refund events for one charge are applied one after the other.
    contribution = (
        Contribution.objects.select_for_update()
        .filter(processor=Processor.STRIPE, processor_id=intent_id)
        .first()
    )
    if contribution is None:
        return False, [], "no contribution for this charge"
    refunds = ((charge.get("refunds") or {}).get("data")) or []
    changed = False
    # Staff may have refunded a part split off this gift ("<intent>#…"); that refund is
    # recorded on the part and must not be applied to the root again.
    known = {
        key
        for keys in Contribution.objects.filter(
            processor=Processor.STRIPE, processor_id__startswith=f"{intent_id}#"
        ).values_list("refund_keys", flat=True)
        for key in keys or []
    }
    if refunds:
        for refund in refunds:
            if refund.get("status") not in (None, "succeeded", "pending"):
                continue
            if refund.get("id") in known:
                continue
            contribution, applied = contribution_refund(
                processor=Processor.STRIPE,
                processor_id=intent_id,
                refund_cents=int(refund["amount"]),
                refund_key=refund["id"],
            )
            changed |= applied
    else:
        # API versions that leave the refund list out: apply what the charge's refunded total
        # says is still missing here.
        missing = int(charge.get("amount_refunded") or 0) - contribution.refunded_cents
        if missing > 0:
            contribution, changed = contribution_refund(
                processor=Processor.STRIPE,
                processor_id=intent_id,
                refund_cents=missing,
                refund_key=f"{charge.get('id', '')}:{charge.get('amount_refunded')}",
            )
    return changed, [contribution], "refund already applied"


HANDLERS = {
    "payment_intent.succeeded": _succeeded,
    "payment_intent.payment_failed": _failed,
    "charge.refunded": _refunded,
}
