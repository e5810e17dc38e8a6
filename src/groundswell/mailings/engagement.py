"""The tracking ledger's writes: an open or a click of one delivery, classified and recorded.

The public views (``mailings.views_tracking``) verify the signed address first; what arrives
here is a delivery whose token and signature held. A hit is recorded at most once per
(delivery, kind, link, class) within ``ENGAGEMENT_WINDOW``: mail clients fetch the pixel again
each time a message is shown and people double-click, and neither is a new engagement. The
class is part of the key so that a privacy proxy's preload does not hide the person's own open
that follows it.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from groundswell.mailings.compose import MessageContent, content_links, theme_for_site
from groundswell.mailings.models import Delivery, Engagement, EngagementKind, Mailing
from groundswell.mailings.tracking import HitVerdict, hit_classify

ENGAGEMENT_WINDOW = timedelta(minutes=5)


def mailing_links(*, mailing: Mailing) -> tuple[str, ...]:
    """The links the click tracker numbered for ``mailing``: those its send fixed, or (for a
    mailing not sent yet) those its content has now, as ``envelope_for`` computes them."""
    if mailing.tracked_links:
        return tuple(str(link) for link in mailing.tracked_links)
    from groundswell.actions.services import site_get

    base = (settings.GROUNDSWELL_PUBLIC_URL or mailing.link_base).rstrip("/")
    content = MessageContent(subject=mailing.subject, html=mailing.html, text=mailing.text)
    return content_links(content, theme=theme_for_site(site=site_get(), base_url=base))


def hit_verdict(
    *, delivery: Delivery, kind: str, request_meta: dict, method: str, ip: str, link_index=None
) -> HitVerdict:
    """Who made this hit, from the request and the delivery's own history (a click seconds
    after sending, or within a second of a click on another link, is a scanner's)."""
    now = timezone.now()
    since_sent = (now - delivery.sent_at).total_seconds() if delivery.sent_at else None
    since_other = None
    if kind == EngagementKind.CLICK:
        last = (
            Engagement.objects.filter(delivery=delivery, kind=EngagementKind.CLICK)
            .exclude(link_index=link_index)
            .order_by("-at")
            .values_list("at", flat=True)
            .first()
        )
        since_other = (now - last).total_seconds() if last else None
    return hit_classify(
        kind=kind,
        user_agent=str(request_meta.get("HTTP_USER_AGENT", ""))[:500],
        ip=ip or "",
        method=method,
        seconds_since_sent=since_sent,
        seconds_since_other_link=since_other,
    )


def engagement_record(
    *,
    delivery: Delivery,
    kind: str,
    verdict: HitVerdict,
    link_index: int | None = None,
    target: str = "",
) -> Engagement | None:
    """Record one open or click; None when the same hit was recorded within the window."""
    with transaction.atomic():
        # The delivery's row lock serialises its hits: two fetches of one pixel at once (a
        # mail client's prefetch and its render) would otherwise both find no recent hit.
        list(Delivery.objects.select_for_update().filter(pk=delivery.pk).values_list("pk"))
        return _engagement_insert(
            delivery=delivery, kind=kind, verdict=verdict, link_index=link_index, target=target
        )


def _engagement_insert(
    *, delivery: Delivery, kind: str, verdict: HitVerdict, link_index: int | None, target: str
) -> Engagement | None:
    now = timezone.now()
    recent = Engagement.objects.filter(
        delivery=delivery,
        kind=kind,
        link_index=link_index,
        hit_class=verdict.kind.value,
        at__gte=now - ENGAGEMENT_WINDOW,
    )
    if recent.exists():
        return None
    return Engagement.objects.create(
        delivery=delivery,
        mailing_id=delivery.mailing_id,
        person_id=delivery.person_id,
        kind=kind,
        link_index=link_index,
        target=target[:2000],
        hit_class=verdict.kind.value,
        reason=verdict.reason[:100],
        at=now,
    )
