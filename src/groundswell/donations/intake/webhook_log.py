"""The refusals in the webhook delivery log: every delivery turned away leaves a row saying why.

A verified delivery that is refused (ActBlue's, with its credentials) keeps a capped, cleaned
excerpt of its body, so staff can see what was wrong. An unverified request (no or wrong
credentials, a bad Stripe signature) keeps no body at all, only the reason and its size: anyone
on the internet can send one, so it must not fill the log with their bytes, and the rows one
address can create are throttled.
"""

from __future__ import annotations

import hashlib
import logging
import time

from django.core.cache import cache
from django.core.exceptions import RequestDataTooBig

from groundswell.accounts.permissions import client_ip
from groundswell.core.untrusted import excerpt, text_clean
from groundswell.donations.models import WebhookDelivery

logger = logging.getLogger(__name__)

# Refused verified bodies are kept up to this many bytes: enough to see the fault.
EXCERPT_BYTES = 4 * 1024
# Unverified requests: at most this many log rows per address per window.
UNVERIFIED_PER_WINDOW = 20
WINDOW_SECONDS = 600


def request_size(request) -> int:
    """The size the client declared (Content-Length), read before the body is."""
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


def request_body(request) -> bytes | None:
    """The body, or None when it is larger than Django reads into memory."""
    try:
        return request.body
    except RequestDataTooBig:
        return None


def _throttled(address: str | None) -> bool:
    """Count one unverified row for this address; whether it is past the window's allowance."""
    bucket = int(time.time() // WINDOW_SECONDS)
    digest = hashlib.sha256((address or "-").encode()).hexdigest()[:32]
    key = f"webhook-refusals:{digest}:{bucket}"
    if cache.add(key, 1, timeout=WINDOW_SECONDS + 1):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=WINDOW_SECONDS + 1)
        count = 1
    return count > UNVERIFIED_PER_WINDOW


def webhook_refusal_log(
    *, source: str, request, reason: str, verified: bool
) -> WebhookDelivery | None:
    """Log a refused delivery with its reason and size; None when an unverified one is throttled.

    ``verified``: the sender proved who it is, so a capped excerpt of the body is kept.
    """
    address = client_ip(request)
    body = request_body(request)
    size = len(body) if body is not None else request_size(request)
    reason = text_clean(reason)[:2000]
    if not verified and _throttled(address):
        logger.warning(
            "%s webhook: refusal from %s not logged (throttled): %s", source, address, reason
        )
        return None
    return WebhookDelivery.objects.create(
        source=source,
        status=WebhookDelivery.Status.REJECTED,
        error=reason,
        body=excerpt(body, limit=EXCERPT_BYTES) if verified and body else "",
        body_size=size,
        remote_addr=address,
    )
