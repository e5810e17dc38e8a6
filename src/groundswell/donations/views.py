"""Webhooks from payment processors: authenticate, validate whole, record, then answer."""

from __future__ import annotations

import base64
import binascii
import hmac
import logging

from django.conf import settings
from django.db import transaction
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from groundswell.accounts.permissions import client_ip
from groundswell.donations.actblue import PayloadError, actblue_parse
from groundswell.donations.models import Processor, WebhookDelivery
from groundswell.donations.services import contribution_record, contribution_refund

logger = logging.getLogger(__name__)
REALM = 'Basic realm="groundswell-webhooks", charset="UTF-8"'


def _basic_auth_ok(request, username: str, password: str) -> bool:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        given = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    user, sep, secret = given.partition(b":")
    # Compare both parts, always, in constant time: no early exit that leaks which was wrong.
    user_ok = hmac.compare_digest(user, username.encode())
    secret_ok = hmac.compare_digest(secret, password.encode())
    return bool(sep) and user_ok and secret_ok


def _log(request, status: str, error: str = "") -> WebhookDelivery:
    body = request.body[: WebhookDelivery.MAX_BODY].decode("utf-8", errors="replace")
    return WebhookDelivery.objects.create(
        source=Processor.ACTBLUE,
        status=status,
        error=error,
        body=body,
        remote_addr=client_ip(request),
    )


@csrf_exempt
@require_POST
def actblue_webhook(request):
    """ActBlue's donation and refund notifications: one contribution per line item of ours."""
    username = settings.ACTBLUE_WEBHOOK_USERNAME
    password = settings.ACTBLUE_WEBHOOK_PASSWORD
    if not (username and password):
        return JsonResponse({"error": "not configured"}, status=503)
    if not _basic_auth_ok(request, username, password):
        response = JsonResponse({"error": "authentication required"}, status=401)
        response["WWW-Authenticate"] = REALM
        return response
    try:
        items = actblue_parse(request.body, entity_id=settings.GROUNDSWELL_COMMITTEE_ENTITY_ID)
    except PayloadError as exc:
        _log(request, WebhookDelivery.Status.REJECTED, str(exc))
        return JsonResponse(
            {"error": str(exc), "field": exc.field, "reason": exc.reason}, status=400
        )

    changed = False
    # One transaction for the delivery: ActBlue is told "received" only once all of it is
    # committed, and a failure part-way leaves nothing for the retry to trip over.
    with transaction.atomic():
        contributions = []
        for item in items:
            contribution, created = contribution_record(
                data=item.contribution, source="ActBlue webhook", ip_address=None
            )
            changed |= created
            if item.refund is not None:
                contribution, refunded = contribution_refund(
                    processor=contribution.processor,
                    processor_id=contribution.processor_id,
                    refund_cents=item.refund.cents,
                    refund_key=item.refund.key,
                    refunded_at=item.refund.refunded_at,
                )
                changed |= refunded
            contributions.append(contribution)
        status = WebhookDelivery.Status.ACCEPTED if changed else WebhookDelivery.Status.DUPLICATE
        delivery = _log(request, status)
        delivery.contributions.set(contributions)
    return JsonResponse(
        {
            "status": status,
            "contributions": [c.pk for c in contributions],
            "skipped": not items,
        }
    )
