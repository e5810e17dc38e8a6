"""ActBlue's recurring gifts: each installment arrives as its own contribution; we keep the series.

ActBlue charges the installments itself; we only follow. A series is keyed by the order number
of its contributions (installments of one recurring gift share it), and a cancellation
notification, or a row of the cancelled-recurring export, ends it and keeps what ActBlue says
of it (reason, type, completed and pledged counts). The cancellation shape
(``contribution.cancelledAt``) is taken from ActBlue's description of its cancellation webhooks
and still needs checking against a real one.
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Count, Min

from groundswell.donations.models import Contribution, Processor, RecurringSeries

# The reason a series is given when ActBlue does not say one (a later notice may replace it).
DEFAULT_REASON = "Cancelled on ActBlue"


def actblue_series_attach(
    *, contribution: Contribution, installments_planned: int = 0
) -> RecurringSeries | None:
    """Attach a recurring ActBlue contribution to its series (made on first sight); idempotent."""
    if not contribution.is_recurring or not contribution.recurring_series_key:
        return None
    key = contribution.recurring_series_key
    defaults = {
        "period": contribution.recurring_period,
        "amount_cents": contribution.amount_cents,
        "currency": contribution.currency,
        "started_at": contribution.received_at,
        "installments_planned": max(0, installments_planned),
        "person_id": contribution.person_id,
        "refcode": contribution.refcode,
        "donor": {
            "given_name": contribution.donor_given_name,
            "family_name": contribution.donor_family_name,
            "email": contribution.donor_email,
            "postal_code": contribution.donor_postal_code,
            "state": contribution.donor_state,
        },
    }
    try:
        with transaction.atomic():
            series, _ = RecurringSeries.objects.get_or_create(
                processor=Processor.ACTBLUE, processor_key=key, defaults=defaults
            )
    except IntegrityError:
        # Two installments of a new series delivered at once: the other made the series.
        series = RecurringSeries.objects.get(processor=Processor.ACTBLUE, processor_key=key)
    if contribution.series_id != series.pk:
        Contribution.objects.filter(pk=contribution.pk).update(series=series)
        contribution.series = series
    # Recount rather than increment, so a repeated delivery cannot inflate the count.
    stats = Contribution.objects.filter(series=series).aggregate(
        n=Count("id"), first=Min("received_at")
    )
    updates = {"installments_paid": stats["n"], "started_at": stats["first"] or series.started_at}
    if series.person_id is None and contribution.person_id:
        updates["person_id"] = contribution.person_id
    RecurringSeries.objects.filter(pk=series.pk).update(**updates)
    for name, value in updates.items():
        setattr(series, name, value)
    return series


def actblue_series_cancel(
    *,
    series_key: str,
    cancelled_at: datetime,
    reason: str = "",
    kind: str = "",
    completed: int | None = None,
    pledged: int = 0,
) -> tuple[RecurringSeries | None, bool]:
    """Mark an ActBlue series cancelled with what ActBlue said of it; (series or None, changed).

    A repeat changes nothing. A series already cancelled only gains the details it lacked (the
    webhook and the cancelled-recurring export each say some of them), so either may come first.
    """
    with transaction.atomic():
        series = (
            RecurringSeries.objects.select_for_update()
            .filter(processor=Processor.ACTBLUE, processor_key=series_key)
            .first()
        )
        if series is None:
            return None, False
        updates = _cancel_details(series, reason=reason, kind=kind, completed=completed)
        if pledged and not series.installments_planned:
            updates["installments_planned"] = pledged
        if series.status != RecurringSeries.Status.CANCELLED:
            updates.update(
                status=RecurringSeries.Status.CANCELLED,
                cancelled_at=cancelled_at,
                next_charge_at=None,
            )
            updates.setdefault("cancel_reason", series.cancel_reason or DEFAULT_REASON)
        if not updates:
            return series, False
        for name, value in updates.items():
            setattr(series, name, value)
        series.save(update_fields=[*updates, "modified_at"])
    return series, True


def _cancel_details(
    series: RecurringSeries, *, reason: str, kind: str, completed: int | None
) -> dict:
    """The details the series does not hold yet (a blank or default one is replaced)."""
    updates: dict = {}
    reason = " ".join(reason.split())[:200]
    if reason and series.cancel_reason in ("", DEFAULT_REASON) and reason != series.cancel_reason:
        updates["cancel_reason"] = reason
    kind = " ".join(kind.split())[:100]
    if kind and not series.cancel_type:
        updates["cancel_type"] = kind
    if completed is not None and series.installments_completed is None:
        updates["installments_completed"] = completed
    return updates


def actblue_series_cancelled_record(
    *,
    series_key: str,
    period: str,
    amount_cents: int,
    started_at: datetime,
    cancelled_at: datetime,
    donor: dict[str, str],
    refcode: str = "",
) -> tuple[RecurringSeries, bool]:
    """Make the series of a cancelled gift we never saw an installment of; (series, made).

    The cancelled-recurring export names gifts that may predate the webhook: staff following up
    cancelled donors need them. A series already there is returned as it is (idempotent).
    """
    defaults = {
        "period": period,
        "amount_cents": amount_cents,
        "started_at": min(started_at, cancelled_at),
        "status": RecurringSeries.Status.CANCELLED,
        "cancelled_at": cancelled_at,
        "cancel_reason": DEFAULT_REASON,
        "refcode": refcode[:100],
        "donor": donor,
    }
    try:
        with transaction.atomic():
            return RecurringSeries.objects.get_or_create(
                processor=Processor.ACTBLUE, processor_key=series_key, defaults=defaults
            )
    except IntegrityError:
        # The same gift's installment or cancellation arrived at the same moment.
        return RecurringSeries.objects.get(
            processor=Processor.ACTBLUE, processor_key=series_key
        ), False
