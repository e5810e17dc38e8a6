"""Recurring gifts made on our pages: the schedule, the scheduled charge run, and cancellation.

A run never charges one installment twice, even when two runs overlap: each due installment is
claimed by inserting its unique (series, sequence) row *before* the processor is asked, and the
processor's idempotency key is made from the same series and sequence. ActBlue series are
charged by ActBlue and only followed here (actblue_recurring), never charged by this run.
"""

from __future__ import annotations

import calendar
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from groundswell.accounts.models import AuditEvent
from groundswell.accounts.services import audit_record
from groundswell.donations.models import (
    Contribution,
    Installment,
    PaymentMethod,
    Processor,
    RecurringPeriod,
    RecurringSeries,
    cents_display,
)
from groundswell.donations.processors.base import ChargeResult, ProcessorError, processor_get
from groundswell.donations.services import ContributionInput, contribution_record

logger = logging.getLogger(__name__)

# A declined installment is tried again this long after each failure; after the last
# failure the series is cancelled (card issuers frown on endless retries of a declined card).
RETRY_DELAYS = (timedelta(days=3), timedelta(days=5))
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# A claim older than this whose run never reported back (a crash, a lost connection) is taken
# over by a later run, which asks the processor again with the same idempotency key and so
# gets the first answer back rather than charging twice.
STALE_CLAIM = timedelta(minutes=15)
# Series looked at per run; the next run (cron) takes the rest.
MAX_PER_RUN = 5000


def _add_months(moment: datetime, months: int) -> datetime:
    """The same day ``months`` later, clamped to the month's last day (Jan 31 → Feb 28)."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def installment_due_at(*, started_at: datetime, period: str, sequence: int) -> datetime:
    """When installment ``sequence`` (1 = the first gift) of a series falls due.

    Counted from the start, not from the previous installment, so a clamped month end does not
    drift: a series begun on the 31st is charged on the 28th of February and the 31st of March.
    """
    if sequence < 1:
        raise ValueError("sequence starts at 1")
    if period == RecurringPeriod.WEEKLY:
        return started_at + timedelta(days=7 * (sequence - 1))
    if period == RecurringPeriod.MONTHLY:
        local = timezone.localtime(started_at)
        return _add_months(local, sequence - 1)
    raise ValueError(f"not a recurring period: {period!r}")


@dataclass
class RunSummary:
    charged: int = 0
    failed: int = 0
    cancelled: int = 0
    skipped: int = 0  # claimed by another run at the same time, or not chargeable here
    errors: int = 0  # the processor could not be reached; the claim is retried later


def _due_series(now: datetime):
    return RecurringSeries.objects.filter(
        processor=Processor.STRIPE,
        status__in=[RecurringSeries.Status.ACTIVE, RecurringSeries.Status.FAILING],
        next_charge_at__lte=now,
    ).order_by("next_charge_at", "pk")


def _claim(series: RecurringSeries, now: datetime) -> Installment | None:
    """Claim the series' next installment for this run, or None if another run holds it."""
    sequence = series.installments_paid + 1
    current = Installment.objects.filter(series=series, sequence=sequence).first()
    if current is None:
        try:
            with transaction.atomic():
                return Installment.objects.create(
                    series=series,
                    sequence=sequence,
                    due_at=installment_due_at(
                        started_at=series.started_at, period=series.period, sequence=sequence
                    ),
                    claimed_at=now,
                    attempts=1,
                )
        except IntegrityError:
            return None  # another run inserted it first: that run charges it
    if current.status == Installment.Status.PAID:
        return None
    if current.status == Installment.Status.FAILED:
        # A retry: compare-and-set on the attempt count, so only one run takes it.
        taken = Installment.objects.filter(
            pk=current.pk, status=Installment.Status.FAILED, attempts=current.attempts
        ).update(status=Installment.Status.CLAIMED, claimed_at=now, attempts=F("attempts") + 1)
        if taken:
            current.refresh_from_db()
            return current
        return None
    # Claimed: by a run still in progress, or one that died; take over only a stale claim,
    # keeping its attempt number (and so its idempotency key).
    taken = (
        Installment.objects.filter(
            pk=current.pk, status=Installment.Status.CLAIMED, claimed_at=current.claimed_at
        )
        .filter(claimed_at__lt=now - STALE_CLAIM)
        .update(claimed_at=now)
    )
    if taken:
        current.refresh_from_db()
        return current
    return None


def _release(installment: Installment) -> None:
    """Give back a claim that was never sent to the processor."""
    if installment.attempts <= 1:
        Installment.objects.filter(pk=installment.pk, status=Installment.Status.CLAIMED).delete()
    else:
        Installment.objects.filter(pk=installment.pk, status=Installment.Status.CLAIMED).update(
            status=Installment.Status.FAILED, attempts=F("attempts") - 1
        )


def installment_idempotency_key(installment: Installment) -> str:
    """The processor's key for one try at one installment.

    The first try is ``installment:<series>:<sequence>``; a retry after a decline needs a new
    key (Stripe replays a key's first answer, the decline included), so it gets ``:<attempt>``.
    """
    key = f"installment:{installment.series_id}:{installment.sequence}"
    return key if installment.attempts <= 1 else f"{key}:{installment.attempts}"


def installments_charge_due(*, now: datetime | None = None) -> RunSummary:
    """Charge every installment due by ``now`` once, record it, and move each series along."""
    now = now or timezone.now()
    summary = RunSummary()
    processor = None
    # The ids first (a bounded list), not a cursor held open while each charge writes.
    for series_id in list(_due_series(now).values_list("pk", flat=True)[:MAX_PER_RUN]):
        series = RecurringSeries.objects.get(pk=series_id)
        # Read again: a run that overlaps this one may have charged it and moved it along.
        if series.status not in (
            RecurringSeries.Status.ACTIVE,
            RecurringSeries.Status.FAILING,
        ) or not (series.next_charge_at and series.next_charge_at <= now):
            summary.skipped += 1
            continue
        installment = _claim(series, now)
        if installment is None:
            summary.skipped += 1
            continue
        if processor is None:
            try:
                processor = processor_get(series.processor)
            except ProcessorError as exc:
                # Not configured: release the claim so a later, configured run takes it.
                _release(installment)
                logger.error("recurring run: %s", exc.message)
                summary.errors += 1
                return summary
        try:
            result = processor.installment_charge(
                series=series,
                amount_cents=series.amount_cents,
                idempotency_key=installment_idempotency_key(installment),
            )
        except ProcessorError as exc:
            # The outcome is unknown; the claim stays and goes stale, and a later run asks
            # again with the same key.
            Installment.objects.filter(pk=installment.pk).update(error=exc.message[:1000])
            summary.errors += 1
            continue
        if result.paid:
            installment_paid(installment=installment, result=result)
            summary.charged += 1
        else:
            cancelled = installment_failed(installment=installment, result=result, now=now)
            summary.failed += 1
            summary.cancelled += int(cancelled)
    return summary


def installment_paid(*, installment: Installment, result: ChargeResult) -> Contribution:
    """Record a paid installment as a contribution and schedule the next; idempotent."""
    with transaction.atomic():
        installment = Installment.objects.select_for_update().get(pk=installment.pk)
        series = RecurringSeries.objects.select_for_update().get(pk=installment.series_id)
        if installment.status == Installment.Status.PAID and installment.contribution_id:
            return installment.contribution
        contribution, _ = contribution_record(
            data=ContributionInput(
                processor=Processor.STRIPE,
                processor_id=result.processor_ref,
                amount_cents=result.amount_cents or series.amount_cents,
                currency=series.currency,
                received_at=timezone.now(),
                donor=series.donor,
                refcode=series.refcode,
                form_name=series.page.title if series.page_id else "",
                is_recurring=True,
                recurring_period=series.period,
                recurring_series_key=series.processor_key,
                note=f"Installment {installment.sequence}",
                page_id=series.page_id,
                series_id=series.pk,
                payment_method=PaymentMethod.CARD,
            ),
            source="Recurring gift",
        )
        installment.status = Installment.Status.PAID
        installment.contribution = contribution
        installment.error = ""
        installment.save(update_fields=["status", "contribution", "error"])
        series.installments_paid = max(series.installments_paid, installment.sequence)
        series.failure_count = 0
        series.last_failure = ""
        if series.status == RecurringSeries.Status.FAILING:
            series.status = RecurringSeries.Status.ACTIVE
        if series.installments_planned and series.installments_paid >= (
            series.installments_planned
        ):
            series.status = RecurringSeries.Status.COMPLETED
            series.next_charge_at = None
        else:
            series.next_charge_at = installment_due_at(
                started_at=series.started_at,
                period=series.period,
                sequence=series.installments_paid + 1,
            )
        series.save(
            update_fields=[
                "installments_paid",
                "failure_count",
                "last_failure",
                "status",
                "next_charge_at",
                "modified_at",
            ]
        )
    return contribution


def installment_failed(*, installment: Installment, result: ChargeResult, now: datetime) -> bool:
    """Mark a declined installment failed and the series failing; cancel after the last try.

    Returns whether the series was cancelled.
    """
    message = result.error or "The card was declined."
    with transaction.atomic():
        installment = Installment.objects.select_for_update().get(pk=installment.pk)
        series = RecurringSeries.objects.select_for_update().get(pk=installment.series_id)
        if installment.status != Installment.Status.CLAIMED:
            return False  # already settled (a repeated report)
        installment.status = Installment.Status.FAILED
        installment.error = f"{message} ({result.error_code})" if result.error_code else message
        installment.save(update_fields=["status", "error"])
        series.failure_count += 1
        series.last_failure = installment.error[:1000]
        if installment.attempts >= MAX_ATTEMPTS:
            series.save(update_fields=["failure_count", "last_failure", "modified_at"])
            series_cancel(
                series=series,
                reason=f"Payment failed {installment.attempts} times: {message}"[:200],
            )
            return True
        series.status = RecurringSeries.Status.FAILING
        series.next_charge_at = now + RETRY_DELAYS[installment.attempts - 1]
        series.save(
            update_fields=[
                "failure_count",
                "last_failure",
                "status",
                "next_charge_at",
                "modified_at",
            ]
        )
    return False


def series_cancel(*, series: RecurringSeries, reason: str, user=None) -> RecurringSeries:
    """End a recurring gift: no further installments are charged. Audited; a repeat is a no-op."""
    reason = " ".join((reason or "").split())[:200]
    if not reason:
        raise ValueError("Say why the recurring gift is cancelled.")
    with transaction.atomic():
        series = RecurringSeries.objects.select_for_update().get(pk=series.pk)
        if series.status in (RecurringSeries.Status.CANCELLED, RecurringSeries.Status.COMPLETED):
            return series
        series.status = RecurringSeries.Status.CANCELLED
        series.cancelled_at = timezone.now()
        series.cancel_reason = reason
        series.next_charge_at = None
        series.save(
            update_fields=[
                "status",
                "cancelled_at",
                "cancel_reason",
                "next_charge_at",
                "modified_at",
            ]
        )
        audit_record(
            actor=user,
            action=AuditEvent.Action.RECURRING_CANCEL,
            summary=f"Cancelled the {cents_display(series.amount_cents)} "
            f"{series.get_period_display().lower()} gift #{series.pk}: {reason}",
            target=series,
            details={"reason": reason, "processor": series.processor},
        )
    return series


def series_mark_failing(*, series_id: int) -> bool:
    """A processor reported a failed installment payment: the series shows as failing."""
    return bool(
        RecurringSeries.objects.filter(pk=series_id, status=RecurringSeries.Status.ACTIVE).update(
            status=RecurringSeries.Status.FAILING, modified_at=timezone.now()
        )
    )


def series_for_installment_key(key: str) -> tuple[int, int] | None:
    """(series id, sequence) from an installment idempotency key, or None."""
    parts = (key or "").split(":")
    # ASCII digits only, and few of them: the key may come from a webhook's metadata, and
    # int("²") fails while a twenty-digit id overflows the database's integer.
    if (
        len(parts) in (3, 4)
        and parts[0] == "installment"
        and all(p.isascii() and p.isdigit() and len(p) <= 18 for p in parts[1:])
    ):
        return int(parts[1]), int(parts[2])
    return None


__all__ = [
    "MAX_ATTEMPTS",
    "RETRY_DELAYS",
    "RunSummary",
    "installment_due_at",
    "installment_failed",
    "installment_idempotency_key",
    "installment_paid",
    "installments_charge_due",
    "series_cancel",
    "series_for_installment_key",
    "series_mark_failing",
]
