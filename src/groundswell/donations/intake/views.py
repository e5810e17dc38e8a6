"""Webhooks from payment processors: authenticate, validate whole, record, then answer.

An ActBlue delivery is answered 2xx once its contributions are committed (amount, processor
id, donor snapshot, election, refcodes, form, recurring series); a repeat changes nothing. The
rest (the donor's person record, the timeline entry, the donor key, the limit count and any
hold) is done by the task worker seconds later (``processing.contributions_process``, enqueued
on commit; the sweep picks up a row whose task was lost). Until then the gift already counts
in the money totals. A delivery carrying a refund processes its contribution in the request
first, so that the refund is taken off a counted total exactly as before.

ActBlue's test notification (line items of entity 0) is answered 200 and logged as a test;
it stores nothing. A delivery whose line items are all another committee's (our share of a
split gift is in another delivery, or none is ours) is answered 200 and logged "another
committee's"; it stores nothing either.

Every refusal answers 4xx with the reason and leaves a row in the delivery log (see
webhook_log): a server error would make ActBlue retry forever while staff see nothing.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from groundswell.accounts.permissions import client_ip
from groundswell.core.untrusted import excerpt
from groundswell.donations.intake.actblue import LIMITS, PayloadError, actblue_delivery_parse
from groundswell.donations.intake.actblue_store import (
    actblue_delivery_store,
    actblue_other_committee_log,
    actblue_test_log,
)
from groundswell.donations.intake.webhook_auth import webhook_basic_auth_check, webhook_configured
from groundswell.donations.intake.webhook_log import request_size, webhook_refusal_log
from groundswell.donations.models import Processor, WebhookDelivery

logger = logging.getLogger(__name__)
REALM = 'Basic realm="groundswell-webhooks", charset="UTF-8"'


def _refused(request, status: int, error: str, *, verified: bool, **extra) -> JsonResponse:
    webhook_refusal_log(source=Processor.ACTBLUE, request=request, reason=error, verified=verified)
    return JsonResponse({"error": error, **extra}, status=status)


@csrf_exempt
@require_POST
def actblue_webhook(request):
    """ActBlue's donation and refund notifications: one contribution per line item of ours."""
    if not webhook_configured(source=Processor.ACTBLUE):
        return _refused(request, 503, "not configured", verified=False)
    if not webhook_basic_auth_check(
        source=Processor.ACTBLUE, authorization=request.META.get("HTTP_AUTHORIZATION", "")
    ):
        response = _refused(request, 401, "authentication required", verified=False)
        response["WWW-Authenticate"] = REALM
        return response
    # Declared size first: a body too large is refused before it is read into memory.
    if request_size(request) > LIMITS.max_bytes:
        reason = f"the body is larger than {LIMITS.max_bytes:,} bytes"
        return _refused(request, 413, reason, verified=True)
    try:
        parsed = actblue_delivery_parse(
            request.body, entity_id=settings.GROUNDSWELL_COMMITTEE_ENTITY_ID
        )
    except PayloadError as exc:
        return _refused(request, 400, str(exc), verified=True, field=exc.field, reason=exc.reason)
    if parsed.test:
        # ActBlue's test button: answered 200 so it shows green, logged as what it is.
        actblue_test_log(body=request.body, remote_addr=client_ip(request))
        return JsonResponse({"status": WebhookDelivery.Status.TEST, "contributions": []})
    items = parsed.items
    if not items:
        # Every line item was another committee's share (a split gift): nothing of ours to
        # store. Answered 200 so ActBlue does not retry, and logged as what it is.
        actblue_other_committee_log(body=request.body, remote_addr=client_ip(request))
        status = WebhookDelivery.Status.OTHER_COMMITTEE
        return JsonResponse({"status": status, "contributions": [], "skipped": True})

    status, contributions = actblue_delivery_store(
        items=items,
        body=excerpt(request.body, limit=LIMITS.max_bytes),
        body_size=len(request.body),
        remote_addr=client_ip(request),
    )
    return JsonResponse(
        {
            "status": status,
            "contributions": contributions,
            "skipped": not items,
        }
    )
