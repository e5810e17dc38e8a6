"""Reads of the mailings app for the staff pages."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from groundswell.accounts.roles import MAILINGS_SEND
from groundswell.mailings.models import Delivery, DeliveryState, Mailing, MailingStatus


def mailings_for(*, user) -> QuerySet[Mailing]:
    """Mailings the user may see (those with the sending capability see all), newest first."""
    if not user.can(MAILINGS_SEND):
        return Mailing.objects.none()
    # A welcome series' step messages have their own pages (mailings.welcome).
    return (
        Mailing.objects.filter(welcome_step__isnull=True)
        .select_related("segment", "sender")
        .order_by("-created_at", "-id")
    )


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


IN_FLIGHT = (MailingStatus.SENDING, MailingStatus.PAUSED, MailingStatus.SCHEDULED)


def mailings_in_flight(*, user, limit: int = 5) -> list[tuple[Mailing, dict]]:
    """Mailings sending, paused or scheduled, each with its sent/queued/total counts (two
    queries); none for a role that may not send."""
    mailings = list(mailings_for(user=user).filter(status__in=IN_FLIGHT)[:limit])
    counts = mailings_counts(mailings=mailings) if mailings else {}
    empty = {"sent": 0, "queued": 0, "total": 0}
    return [(m, counts.get(m.pk, empty)) for m in mailings]


def deliveries_failed(*, user, since, limit: int = 5) -> list[dict]:
    """Mailings started since ``since`` with deliveries the mail server refused, most failures
    first: ``{"mailing_id", "name", "failed"}``. One query over the (mailing, state) index."""
    if not user.can(MAILINGS_SEND):
        return []
    rows = (
        Delivery.objects.filter(mailing__started_at__gte=since, state=DeliveryState.FAILED)
        .values("mailing_id", "mailing__name")
        .annotate(failed=Count("pk"))
        .order_by("-failed", "-mailing_id")[:limit]
    )
    return [
        {"mailing_id": r["mailing_id"], "name": r["mailing__name"], "failed": r["failed"]}
        for r in rows
    ]


PERSON_MAILINGS_SHOWN = 10


def person_mailings(*, person, limit: int = PERSON_MAILINGS_SHOWN) -> dict:
    """The person's newest deliveries with whether they opened and clicked each (a person's
    hits only: a privacy proxy's preload or a scanner's click is shown apart), and how many
    mailings they were sent in all."""
    from django.db.models import Exists, OuterRef

    from groundswell.mailings.models import PERSON_CLASSES, Engagement, EngagementKind

    def hits(kind: str, classes) -> Exists:
        return Exists(
            Engagement.objects.filter(delivery=OuterRef("pk"), kind=kind, hit_class__in=classes)
        )

    machine = ["machine", "scanner"]
    rows = (
        Delivery.objects.filter(person=person)
        .exclude(state=DeliveryState.QUEUED)
        .select_related("mailing", "mailing__welcome_step")
        .annotate(
            opened=hits(EngagementKind.OPEN, PERSON_CLASSES),
            clicked=hits(EngagementKind.CLICK, PERSON_CLASSES),
            machine_only=hits(EngagementKind.OPEN, machine) | hits(EngagementKind.CLICK, machine),
        )
        .order_by("-sent_at", "-id")
    )
    return {"deliveries": list(rows[:limit]), "count": rows.count()}
