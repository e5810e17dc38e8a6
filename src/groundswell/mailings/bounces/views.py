"""The provider webhooks' door: anymail's tracking views, closed until credentials are set.

anymail accepts unauthenticated requests (with a warning) when `WEBHOOK_SECRET` is unset, and
refuses to start Mailgun's view without its signing key. Either would let a stranger suppress
our supporters, or answer 500: so each view answers 503 until it is configured.
"""

from __future__ import annotations

import functools
import logging

from anymail.exceptions import AnymailConfigurationError, AnymailError
from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt

logger = logging.getLogger(__name__)


def _configured(provider: str) -> bool:
    anymail = getattr(settings, "ANYMAIL", {}) or {}
    if not anymail.get("WEBHOOK_SECRET"):
        return False
    return provider != "mailgun" or bool(anymail.get("MAILGUN_WEBHOOK_SIGNING_KEY"))


def webhook_guarded(view, *, provider: str):
    """anymail's view for `provider`, answering 503 while its credentials are not configured."""

    @csrf_exempt  # a provider's POST carries no CSRF token; anymail checks its credentials
    @functools.wraps(view)
    def guarded(request, *args, **kwargs):
        if not _configured(provider):
            logger.warning("mail webhook for %s called but not configured", provider)
            return HttpResponse(
                "Mail webhooks are not configured (set ANYMAIL_WEBHOOK_SECRET).",
                status=503,
                content_type="text/plain",
            )
        try:
            return view(request, *args, **kwargs)
        except (
            ValueError,
            KeyError,
            TypeError,
            AttributeError,
            IndexError,
            RecursionError,  # JSON nested thousands deep
            AnymailError,  # e.g. failed credentials (anymail's own 400)
            AnymailConfigurationError,  # an inbound payload posted to the tracking URL
        ):
            # anymail's parsers assume a well-formed payload; a malformed one is the sender's
            # fault (4xx), not ours. A database error still answers 500, and the provider retries.
            logger.warning("mail webhook for %s: a malformed payload", provider, exc_info=True)
            return HttpResponse("Malformed payload.", status=400, content_type="text/plain")

    return guarded
