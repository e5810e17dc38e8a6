"""Reads of the mailings app for the staff pages."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from groundswell.accounts.roles import MAILINGS_SEND
from groundswell.mailings.models import Delivery, DeliveryState, Mailing


def mailings_for(*, user) -> QuerySet[Mailing]:
    """Mailings the user may see (those with the sending capability see all), newest first."""
    if not user.can(MAILINGS_SEND):
        return Mailing.objects.none()
    return Mailing.objects.select_related("segment", "sender").order_by("-created_at", "-id")


def mailing_progress(*, mailing: Mailing) -> dict:
    """The ledger's counts by state, and the share handed to the mail server."""
    counts = Delivery.objects.filter(mailing=mailing).aggregate(
        total=Count("pk"),
        **{state: Count("pk", filter=Q(state=state)) for state in DeliveryState.values},
    )
    total = counts["total"]
    done = total - counts[DeliveryState.QUEUED]
    return {
        **counts,
        "unknown": counts[DeliveryState.SENDING],
        "percent": int(100 * done / total) if total else 0,
    }


def mailings_counts(*, mailings: list[Mailing]) -> dict[int, dict]:
    """Sent and queued counts of a page of mailings, in one query."""
    rows = (
        Delivery.objects.filter(mailing__in=mailings)
        .values("mailing_id")
        .annotate(
            sent=Count("pk", filter=Q(state=DeliveryState.SENT)),
            queued=Count("pk", filter=Q(state=DeliveryState.QUEUED)),
            total=Count("pk"),
        )
    )
    return {row["mailing_id"]: row for row in rows}
