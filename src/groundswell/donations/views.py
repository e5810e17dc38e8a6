"""Webhooks from payment processors: authenticate, validate whole, record, then answer.

An ActBlue delivery is answered 2xx once its contributions are committed (amount, processor
id, donor snapshot, election, refcodes, form, recurring series); a repeat changes nothing. The
rest (the donor's person record, the timeline entry, the donor key, the limit count and any
hold) is done by the task worker seconds later (``processing.contributions_process``, enqueued
on commit; the sweep picks up a row whose task was lost). Until then the gift already counts
in the money totals. A delivery carrying a refund processes its contribution in the request
first, so that the refund is taken off a counted total exactly as before.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from groundswell.accounts.permissions import client_ip
from groundswell.donations.actblue import PayloadError, actblue_parse
from groundswell.donations.actblue_store import actblue_delivery_store
from groundswell.donations.models import Processor, WebhookDelivery
from groundswell.donations.webhook_auth import webhook_basic_auth_check, webhook_configured

logger = logging.getLogger(__name__)
REALM = 'Basic realm="groundswell-webhooks", charset="UTF-8"'


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
    if not webhook_configured(source=Processor.ACTBLUE):
        return JsonResponse({"error": "not configured"}, status=503)
    if not webhook_basic_auth_check(
        source=Processor.ACTBLUE, authorization=request.META.get("HTTP_AUTHORIZATION", "")
    ):
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

    status, contributions = actblue_delivery_store(
        items=items,
        body=request.body[: WebhookDelivery.MAX_BODY].decode("utf-8", errors="replace"),
        remote_addr=client_ip(request),
    )
    return JsonResponse(
        {
            "status": status,
            "contributions": contributions,
            "skipped": not items,
        }
    )
