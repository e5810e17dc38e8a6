"""A new sending domain's warm-up: a daily cap that grows day by day (mailbox providers trust
a sender that ramps up). Days count from the first message the campaign ever sent."""

from __future__ import annotations

from datetime import datetime, time

from django.conf import settings
from django.db.models import Min
from django.utils import timezone

from groundswell.mailings.models import Delivery, DeliveryState


def warmup_caps() -> list[int]:
    caps = []
    for value in settings.GROUNDSWELL_MAILING_WARMUP:
        try:
            caps.append(max(0, int(value)))
        except ValueError:
            continue
    return caps


def warmup_allowance(*, now: datetime | None = None) -> int | None:
    """How many more messages may go today; None when no warm-up applies (any more)."""
    caps = warmup_caps()
    if not caps:
        return None
    # Days are the campaign's (TIME_ZONE): in the evening in America, UTC's date is already
    # tomorrow, and a UTC date with a local midnight counted nothing sent today.
    today_local = timezone.localdate(now or timezone.now())
    handed = Delivery.objects.filter(state__in=[DeliveryState.SENT, DeliveryState.SENDING])
    first = handed.aggregate(first=Min("sent_at"))["first"]
    day = (today_local - timezone.localdate(first)).days if first else 0
    if day >= len(caps):
        return None
    midnight = timezone.make_aware(
        datetime.combine(today_local, time.min), timezone.get_current_timezone()
    )
    today = handed.filter(sent_at__gte=midnight).count()
    return caps[day] - today
