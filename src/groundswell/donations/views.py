"""Webhooks from payment processors: authenticate, validate whole, record, then answer.

An ActBlue delivery is answered 2xx once its contributions are committed (amount, processor
id, donor snapshot, election, refcodes, form, recurring series); a repeat changes nothing. The
rest (the donor's person record, the timeline entry, the donor key, the limit count and any
hold) is done by the task worker seconds later (``services.contributions_process``, enqueued
on commit; the sweep picks up a row whose task was lost). Until then the gift already counts
in the money totals. A delivery carrying a refund processes its contribution in the request
first, so that the refund is taken off a counted total exactly as before.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from groundswell.accounts.permissions import client_ip
from groundswell.donations.actblue import PayloadError, actblue_parse
from groundswell.donations.actblue_recurring import actblue_series_attach, actblue_series_cancel
from groundswell.donations.models import Processor, WebhookDelivery
from groundswell.donations.services import (
    contribution_process_now,
    contribution_receive,
    contribution_record,
    contribution_refund,
)
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

    changed = False
    # One transaction for the delivery: ActBlue is told "received" only once all of it is
    # committed, and a failure part-way leaves nothing for the retry to trip over.
    with transaction.atomic():
        contributions = []
        for item in items:
            if item.refund is None:
                contribution, created = contribution_receive(data=item.contribution)
            else:
                contribution, created = contribution_record(
                    data=item.contribution, source="ActBlue webhook", ip_address=None
                )
            changed |= created
            if contribution.is_recurring:
                actblue_series_attach(
                    contribution=contribution, installments_planned=item.installments_planned
                )
            if item.cancelled_at is not None:
                _, cancelled = actblue_series_cancel(
                    series_key=contribution.recurring_series_key, cancelled_at=item.cancelled_at
                )
                changed |= cancelled
            if item.refund is not None:
                contribution_process_now(contribution)
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
        # One INSERT of the link rows: .set() would first read the (empty) links back.
        through = WebhookDelivery.contributions.through
        through.objects.bulk_create(
            [
                through(webhookdelivery_id=delivery.pk, contribution_id=pk)
                for pk in dict.fromkeys(c.pk for c in contributions)
            ]
        )
    return JsonResponse(
        {
            "status": status,
            "contributions": [c.pk for c in contributions],
            "skipped": not items,
        }
    )
