"""The recipient's side: one-click unsubscribe (RFC 8058) and the unsubscribe page.

``POST /u/<token>`` is what a mailbox's "Unsubscribe" button sends (body
``List-Unsubscribe=One-Click``, no cookie, no login): it unsubscribes at once and answers 200.
The token (128 random bits, one per delivery) is the only credential, so this endpoint is
exempt from CSRF — a third-party site cannot forge a request for a token it does not know.
``GET`` never changes anything (link scanners and prefetchers follow links): it shows a page
whose button posts back.
"""

from __future__ import annotations

import logging
import re

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from groundswell.accounts.permissions import client_ip
from groundswell.actions.site import page_not_found, page_render
from groundswell.mailings.models import Delivery, MailingKind
from groundswell.mailings.services import UNSUBSCRIBE_ALL, delivery_unsubscribe

logger = logging.getLogger(__name__)

TOKEN = re.compile(r"[A-Za-z0-9_-]{16,32}")
NOT_VALID = (
    "This unsubscribe link is not valid. If you copied it from an e-mail, check that the "
    "whole link was copied, or reply to the e-mail and ask to be removed."
)
SCOPE_KIND = "kind"


def _delivery(request, token: str) -> Delivery | None:
    found = None
    if TOKEN.fullmatch(token):
        found = Delivery.objects.select_related("mailing", "person").filter(token=token).first()
    if found is None:
        logger.warning(
            "unsubscribe with an unknown token %r from %s", token[:40], client_ip(request)
        )
    return found


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    delivery = _delivery(request, token)
    if delivery is None:
        return page_not_found(request, NOT_VALID)
    kind_label = MailingKind(delivery.mailing.kind).label
    if request.method == "GET":
        return page_render(
            request,
            "mailings/public/unsubscribe.html",
            {"delivery": delivery, "kind_label": kind_label, "done": False},
        )
    try:
        chosen = request.POST.get("scope")
    except (RequestDataTooBig, TooManyFieldsSent):
        # Whatever else was sent, a POST to this address asks to unsubscribe: honour it.
        chosen = None
    scope = SCOPE_KIND if chosen == SCOPE_KIND else UNSUBSCRIBE_ALL
    delivery_unsubscribe(delivery=delivery, scope=scope, ip_address=client_ip(request))
    if chosen is None:
        # A mailbox provider's one-click request (no choice made on our page): a short answer.
        return HttpResponse("Unsubscribed.\n", content_type="text/plain; charset=utf-8")
    return page_render(
        request,
        "mailings/public/unsubscribe.html",
        {"delivery": delivery, "kind_label": kind_label, "done": True, "scope": scope},
    )
