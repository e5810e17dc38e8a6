"""Reads of the welcome series for the staff pages."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from groundswell.accounts.roles import MAILINGS_SEND
from groundswell.mailings.models import PERSON_CLASSES, Delivery, DeliveryState, EngagementKind
from groundswell.mailings.welcome.models import WelcomeEnrollment, WelcomeSeries, WelcomeStep


def series_for(*, user) -> QuerySet[WelcomeSeries]:
    """The series the user may see (those with the sending capability see all)."""
    if not user.can(MAILINGS_SEND):
        return WelcomeSeries.objects.none()
    return WelcomeSeries.objects.select_related("sender").order_by("name", "pk")


def steps_for(*, user) -> QuerySet[WelcomeStep]:
    if not user.can(MAILINGS_SEND):
        return WelcomeStep.objects.none()
    return WelcomeStep.objects.select_related("series", "mailing__sender")


def _engaged(kind: str) -> Count:
    return Count(
        "engagements__delivery",
        distinct=True,
        filter=Q(engagements__kind=kind, engagements__hit_class__in=PERSON_CLASSES),
    )


def steps_counts(*, series: WelcomeSeries) -> dict[int, dict]:
    """Per step (by mailing id): sent, opened and clicked (people's hits only, as in the
    mailing report), suppressed, failed and waiting; one query."""
    rows = (
        Delivery.objects.filter(mailing__welcome_step__series=series)
        .values("mailing_id")
        .annotate(
            sent=Count("pk", distinct=True, filter=Q(state=DeliveryState.SENT)),
            suppressed=Count("pk", distinct=True, filter=Q(state=DeliveryState.SUPPRESSED)),
            failed=Count(
                "pk",
                distinct=True,
                filter=Q(state__in=[DeliveryState.FAILED, DeliveryState.SENDING]),
            ),
            queued=Count("pk", distinct=True, filter=Q(state=DeliveryState.QUEUED)),
            opened=_engaged(EngagementKind.OPEN),
            clicked=_engaged(EngagementKind.CLICK),
        )
    )
    return {row["mailing_id"]: row for row in rows}


def series_entrants(*, series: WelcomeSeries) -> dict:
    """How many entered the series, and how many left it, in one query."""
    return WelcomeEnrollment.objects.filter(series=series).aggregate(
        entered=Count("pk"), stopped=Count("pk", filter=Q(stopped_at__isnull=False))
    )


def series_list_counts(*, series: list[WelcomeSeries]) -> dict[int, dict]:
    """Entrants and steps of a page of series, in two queries."""
    entrants = dict(
        WelcomeEnrollment.objects.filter(series__in=series)
        .values("series_id")
        .annotate(n=Count("pk"))
        .values_list("series_id", "n")
    )
    steps = dict(
        WelcomeStep.objects.filter(series__in=series)
        .values("series_id")
        .annotate(n=Count("pk"))
        .values_list("series_id", "n")
    )
    return {s.pk: {"entered": entrants.get(s.pk, 0), "steps": steps.get(s.pk, 0)} for s in series}
