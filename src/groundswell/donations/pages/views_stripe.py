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
from groundswell.core.untrusted import JsonLimits, Refused, excerpt, json_load
from groundswell.donations.intake.webhook_log import request_size, webhook_refusal_log
from groundswell.donations.models import (
    Contribution,
    Installment,
    PaymentAttempt,
    Processor,
    WebhookDelivery,
)
from groundswell.donations.pages.payments import payment_attempt_finish, payment_attempt_for
from groundswell.donations.processors.stripe import charge_result_from
from groundswell.donations.recurring.services import (
    installment_paid,
    series_for_installment_key,
    series_mark_failing,
)
from groundswell.donations.services import contribution_refund

logger = logging.getLogger(__name__)

# Stripe's own default: a signature older than five minutes is refused, so a captured
# delivery cannot be replayed later.
TOLERANCE_SECONDS = 300
# Stripe's events are a few kilobytes; a charge with its refunds expanded stays far below this.
LIMITS = JsonLimits(max_bytes=512 * 1024, max_depth=32, max_string=20_000)
MAX_CENTS = 10**12
MAX_ID = 255


def _refused(request, status: int, error: str, *, verified: bool) -> JsonResponse:
    webhook_refusal_log(source=Processor.STRIPE, request=request, reason=error, verified=verified)
    return JsonResponse({"error": error}, status=status)


def _verified_body(request) -> bytes:
    """The body, once its signature is Stripe's; Refused (to log without the body) otherwise."""
    try:
        payload = request.body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused("", "the body is not UTF-8 text") from None
    try:
        stripe.WebhookSignature.verify_header(
            payload,
            request.headers.get("Stripe-Signature", ""),
            settings.STRIPE_WEBHOOK_SECRET,
            tolerance=TOLERANCE_SECONDS,
        )
    except stripe.SignatureVerificationError as exc:
        raise Refused("signature", str(exc.user_message or exc)) from None
    return request.body


@csrf_exempt
@require_POST
def stripe_webhook(request):
    """Stripe's payment and refund events for our own pages and recurring gifts."""
    if not settings.STRIPE_WEBHOOK_SECRET:
        return _refused(request, 503, "not configured", verified=False)
    # Not shown to be Stripe's: only the reason and size are logged, and throttled.
    if request_size(request) > LIMITS.max_bytes:
        reason = f"the body is larger than {LIMITS.max_bytes:,} bytes"
        return _refused(request, 413, reason, verified=False)
    try:
        body = _verified_body(request)
    except Refused as exc:
        return _refused(request, 400, str(exc), verified=False)
    try:
        event_id, kind, obj = _event_read(json_load(body, limits=LIMITS))
    except Refused as exc:
        return _refused(request, 400, f"body: {exc}", verified=True)

    handler = HANDLERS.get(kind)
    # One transaction: Stripe is told "received" only once everything is committed, and a
    # failure part-way leaves nothing behind for its retry to trip over.
    with transaction.atomic():
        if handler is None:
            changed, contributions, note = False, [], f"{kind}: not used"
        else:
            changed, contributions, note = handler(obj)
        status = WebhookDelivery.Status.ACCEPTED if changed else WebhookDelivery.Status.DUPLICATE
        delivery = WebhookDelivery.objects.create(
            source=Processor.STRIPE,
            status=status,
            error="" if changed else note[:2000],
            body=excerpt(body, limit=WebhookDelivery.MAX_BODY),
            body_size=len(body),
            remote_addr=client_ip(request),
        )
        if contributions:
            delivery.contributions.set(contributions)
    return JsonResponse(
        {
            "status": status,
            "event": event_id,
            "contributions": [c.pk for c in contributions],
        }
    )


def _event_read(data) -> tuple[str, str, dict]:
    """The event's id, type and object, refused unless what the handlers read has its type.

    The signature says the body is Stripe's; this says it is the shape the handlers expect,
    so that an API change or a mistake on Stripe's side is a logged 400, not a server error.
    """
    if not isinstance(data, dict):
        raise Refused("", "must be a JSON object")
    event_id = _string(data, "id", "id")
    kind = _string(data, "type", "type")
    envelope = data.get("data") or {}
    if not isinstance(envelope, dict):
        raise Refused("data", "must be an object")
    obj = envelope.get("object") or {}
    if not isinstance(obj, dict):
        raise Refused("data.object", "must be an object")
    _object_check(obj, "data.object")
    if kind in HANDLERS and not obj.get("id"):
        raise Refused("data.object.id", "is missing")
    refunds = obj.get("refunds") or {}
    if not isinstance(refunds, dict) or not isinstance(refunds.get("data") or [], list):
        raise Refused("data.object.refunds", "must be a list object")
    for index, refund in enumerate(refunds.get("data") or []):
        where = f"data.object.refunds.data[{index}]"
        if not isinstance(refund, dict):
            raise Refused(where, "must be an object")
        _object_check(refund, where)
        if not refund.get("id") or refund.get("amount") is None:
            raise Refused(where, "needs an id and an amount")
    return event_id, kind, obj


def _string(obj: dict, name: str, where: str) -> str:
    value = obj.get(name)
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > MAX_ID:
        raise Refused(where, f"must be a string of at most {MAX_ID} characters")
    return value


def _object_check(obj: dict, where: str) -> None:
    """Ids are short strings (or objects with one), amounts are cents in range, metadata is text."""
    for name in ("id", "status", "customer", "payment_method", "payment_intent"):
        value = obj.get(name)
        if isinstance(value, dict) and name != "id":
            _string(value, "id", f"{where}.{name}.id")
        else:
            _string(obj, name, f"{where}.{name}")
    for name in ("amount", "amount_received", "amount_refunded"):
        value = obj.get(name)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_CENTS
        ):
            raise Refused(f"{where}.{name}", "must be a whole number of cents in range")
    metadata = obj.get("metadata") or {}
    if not isinstance(metadata, dict) or not all(
        isinstance(v, str) and len(v) <= 500 for v in metadata.values()
    ):
        raise Refused(f"{where}.metadata", "must be an object of short strings")
    error = obj.get("last_payment_error") or {}
    if not isinstance(error, dict):
        raise Refused(f"{where}.last_payment_error", "must be an object")
    for name in ("message", "code", "decline_code"):
        value = error.get(name)
        if value is not None and not isinstance(value, str):
            raise Refused(f"{where}.last_payment_error.{name}", "must be a string")


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
