"""The open pixel and the click redirect (``/m/o/…`` and ``/m/c/…``, public, no login).

The pixel always answers the same 1×1 GIF, whatever the address holds, so it cannot be used to
learn which tokens exist; an open is recorded only when the signature holds for a delivery's
token. The redirect only ever goes to one of the mailing's own links, chosen by its number and
checked by the signature (``click_verify``): anything forged or altered is a 404 with a log
entry, never a redirect elsewhere.
"""

from __future__ import annotations

import base64
import logging
import time

from django.core.cache import cache
from django.http import HttpResponse, HttpResponseRedirect
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from groundswell.accounts.permissions import client_ip
from groundswell.actions.site import page_not_found
from groundswell.mailings.engagement import engagement_record, hit_verdict, mailing_links
from groundswell.mailings.models import Delivery, EngagementKind
from groundswell.mailings.tracking import click_verify, open_verify
from groundswell.mailings.tracking.tokens import TOKEN

logger = logging.getLogger(__name__)

# The smallest transparent GIF (43 bytes).
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
CLICK_NOT_VALID = (
    "This link is not valid. If you copied it from an e-mail, check that the whole link was copied."
)

# Refused click addresses one network address may try per minute before every click from it is
# refused for the rest of the minute: a signature is 96 bits, and this keeps guessing at a
# crawl without costing a person anything (a real click is never refused, so never counted).
REFUSED_PER_MINUTE = 60
TOO_MANY = "Too many invalid links from your network; try again in a minute."


def _refused_key(ip: str) -> str:
    return f"mailings:click-refused:{ip}:{int(time.time() // 60)}"


def _refused_count(ip: str | None) -> None:
    if not ip:
        return
    key = _refused_key(ip)
    if not cache.add(key, 1, timeout=61):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=61)


def _refused_too_often(ip: str | None) -> bool:
    return bool(ip) and (cache.get(_refused_key(ip)) or 0) >= REFUSED_PER_MINUTE


def _delivery(token: str) -> Delivery | None:
    if not TOKEN.match(token):
        return None
    return Delivery.objects.select_related("mailing").filter(token=token).first()


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD"])
def open_pixel(request, token: str, sig: str):
    delivery = _delivery(token) if open_verify(token=token, sig=sig) else None
    if delivery is None:
        logger.info(
            "open pixel with an unknown token or a bad signature from %s", client_ip(request)
        )
    else:
        verdict = hit_verdict(
            delivery=delivery,
            kind=EngagementKind.OPEN,
            request_meta=request.META,
            method=request.method,
            ip=client_ip(request) or "",
        )
        engagement_record(delivery=delivery, kind=EngagementKind.OPEN, verdict=verdict)
    response = HttpResponse(PIXEL, content_type="image/gif")
    response["Content-Length"] = str(len(PIXEL))
    return response


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD"])
def click(request, token: str, link_id: str, sig: str):
    ip = client_ip(request)
    if _refused_too_often(ip):
        logger.warning("click refused: too many invalid links from %s", ip)
        return HttpResponse(TOO_MANY, status=429, content_type="text/plain; charset=utf-8")
    delivery = _delivery(token)
    target = None
    if delivery is not None:
        target = click_verify(
            token=token, link_id=link_id, sig=sig, links=mailing_links(mailing=delivery.mailing)
        )
    if target is None:
        logger.warning(
            "click with a forged or unknown address (token %r, link %r) from %s",
            token[:40],
            link_id[:10],
            ip,
        )
        _refused_count(ip)
        return page_not_found(request, CLICK_NOT_VALID)
    number = int(link_id)
    verdict = hit_verdict(
        delivery=delivery,
        kind=EngagementKind.CLICK,
        request_meta=request.META,
        method=request.method,
        ip=ip or "",
        link_index=number,
    )
    engagement_record(
        delivery=delivery,
        kind=EngagementKind.CLICK,
        verdict=verdict,
        link_index=number,
        target=target,
    )
    return HttpResponseRedirect(target)
