"""Gifts made on our own donation pages: from the donor's form to a recorded contribution.

``payment_attempt_start`` checks the gift against the page and asks the processor to start the
payment (the donor's browser confirms the card with the processor directly); the donor is then
sent back and ``payment_attempt_finish`` asks the processor how it ended. The processor's
webhook calls the same finish with the outcome it announced, so whichever arrives first records
the contribution and the other finds it done.
"""

from __future__ import annotations

import logging
import re

from django.db import IntegrityError, transaction
from django.utils import timezone

from groundswell.donations.intake.fields import DONOR_FIELDS
from groundswell.donations.models import (
    Contribution,
    DonationPage,
    Installment,
    PaymentAttempt,
    PaymentMethod,
    Processor,
    RecurringPeriod,
    RecurringSeries,
    cents_display,
)
from groundswell.donations.processors.base import ChargeResult, ProcessorError, processor_get
from groundswell.donations.recurring.services import installment_due_at
from groundswell.donations.services import ContributionInput, contribution_record

logger = logging.getLogger(__name__)

_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class PaymentInvalid(Exception):
    """The gift cannot be started as asked; ``errors`` maps a form field (or "form") to why."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def amount_errors(*, page: DonationPage, amount_cents: int | None) -> str:
    """Why an amount cannot be given on this page ("" when it can)."""
    if amount_cents is None:
        return "Choose an amount, or enter one."
    if amount_cents < page.min_cents:
        return f"The smallest gift on this page is {cents_display(page.min_cents)}."
    if amount_cents > page.max_cents:
        return f"The largest gift on this page is {cents_display(page.max_cents)}."
    return ""


def recurring_allowed(*, page: DonationPage, period: str) -> bool:
    """Whether the page offers this schedule ("" is a one-time gift, always offered)."""
    if period == RecurringPeriod.ONCE:
        return True
    if period == RecurringPeriod.MONTHLY:
        return page.allow_monthly
    if period == RecurringPeriod.WEEKLY:
        return page.allow_weekly
    return False


def payment_attempt_start(
    *,
    key: str,
    page: DonationPage,
    amount_cents: int | None,
    recurring_period: str,
    donor: dict,
    refcode: str,
    refcodes: dict,
    ip_address: str | None,
) -> PaymentAttempt:
    """Start a gift on a page; the same ``key`` again returns the same attempt (and payment).

    Raises PaymentInvalid for an amount or schedule the page does not allow, and ProcessorError
    when the processor cannot start the payment.
    """
    errors = {}
    if not _KEY.match(key or ""):
        errors["form"] = "This form has expired. Reload the page and try again."
    amount_error = amount_errors(page=page, amount_cents=amount_cents)
    if amount_error:
        errors["amount"] = amount_error
    if not recurring_allowed(page=page, period=recurring_period):
        errors["recurring"] = "This page does not offer that schedule."
    if errors:
        raise PaymentInvalid(errors)

    existing = PaymentAttempt.objects.filter(key=key).first()
    if existing is None:
        try:
            with transaction.atomic():
                existing = PaymentAttempt.objects.create(
                    key=key,
                    page=page,
                    processor=page.processor,
                    amount_cents=amount_cents,
                    recurring_period=recurring_period,
                    donor={k: str(donor.get(k) or "")[:300] for k in DONOR_FIELDS},
                    refcode=refcode[:100],
                    refcodes=refcodes,
                    ip_address=ip_address,
                )
        except IntegrityError:
            # A double-click's twin created it first.
            existing = PaymentAttempt.objects.get(key=key)
    attempt = existing
    if (
        attempt.page_id != page.pk
        or attempt.amount_cents != amount_cents
        or (attempt.recurring_period != recurring_period)
    ):
        raise PaymentInvalid(
            {"form": "This form was already used for another gift. Reload the page to give again."}
        )
    if attempt.processor_ref:
        return attempt
    processor = processor_get(attempt.processor)
    # The processor's own idempotency key comes from ours, so a concurrent twin that reaches
    # this line too gets the same payment back, never a second one.
    start = processor.payment_start(attempt=attempt)
    PaymentAttempt.objects.filter(pk=attempt.pk, processor_ref="").update(
        processor_ref=start.processor_ref,
        client_secret=start.client_secret,
        status=start.status,
        modified_at=timezone.now(),
    )
    attempt.refresh_from_db()
    return attempt


def payment_attempt_finish(*, attempt: PaymentAttempt, result: ChargeResult | None = None):
    """Record the attempt's contribution once the processor says it is paid; idempotent.

    ``result`` is the processor's word when it came with a verified webhook; otherwise the
    processor is asked. For a recurring gift this also starts the series (this contribution is
    installment 1). Returns the attempt, refreshed.
    """
    if attempt.contribution_id:
        return attempt
    if not attempt.processor_ref and result is not None and result.processor_ref:
        # The payment was created but our start died before saving its id; the verified
        # webhook (which found the attempt by the key in its metadata) supplies it.
        PaymentAttempt.objects.filter(pk=attempt.pk, processor_ref="").update(
            processor_ref=result.processor_ref, modified_at=timezone.now()
        )
        attempt.refresh_from_db()
    if not attempt.processor_ref:
        return attempt
    if result is None:
        result = processor_get(attempt.processor).payment_result(
            processor_ref=attempt.processor_ref
        )
    if result.processor_ref != attempt.processor_ref:
        raise ProcessorError("The processor answered about another payment.")
    if not result.paid:
        if result.error:
            PaymentAttempt.objects.filter(pk=attempt.pk, contribution__isnull=True).exclude(
                status=PaymentAttempt.Status.SUCCEEDED
            ).update(
                status=PaymentAttempt.Status.FAILED,
                error=result.error[:1000],
                modified_at=timezone.now(),
            )
            attempt.refresh_from_db()
        return attempt
    with transaction.atomic():
        # The row lock makes the browser's return and the webhook take turns: the second one
        # finds the contribution already linked and changes nothing.
        attempt = (
            PaymentAttempt.objects.select_for_update(of=("self",))
            .select_related("page")
            .get(pk=attempt.pk)
        )
        if attempt.contribution_id:
            return attempt
        _attempt_record_paid(attempt, result)
    return attempt


def _attempt_record_paid(attempt: PaymentAttempt, result: ChargeResult) -> None:
    now = timezone.now()
    page = attempt.page
    recurring = attempt.recurring_period != RecurringPeriod.ONCE
    series_key = f"attempt:{attempt.key}"
    contribution, _ = contribution_record(
        data=ContributionInput(
            processor=Processor.STRIPE,
            processor_id=result.processor_ref,
            # What the processor actually charged (the same as asked, unless changed there).
            amount_cents=result.amount_cents or attempt.amount_cents,
            currency=attempt.currency,
            received_at=now,
            donor=attempt.donor,
            refcode=attempt.refcode,
            refcodes=attempt.refcodes,
            form_name=page.title if page else "",
            is_recurring=recurring,
            recurring_period=attempt.recurring_period,
            recurring_series_key=series_key if recurring else "",
            page_id=page.pk if page else None,
            payment_method=PaymentMethod.CARD,
        ),
        source=f"Donation page {page.slug}" if page else "Donation page",
        ip_address=attempt.ip_address,
    )
    series = None
    if recurring:
        series = _series_start(attempt, result, contribution)
    if series is not None:
        # The series begins with this gift, so it can only be linked once both exist.
        Contribution.objects.filter(pk=contribution.pk).update(series=series)
        contribution.series = series
    attempt.contribution = contribution
    attempt.status = PaymentAttempt.Status.SUCCEEDED
    attempt.error = ""
    attempt.save(update_fields=["contribution", "status", "error", "modified_at"])


def _series_start(
    attempt: PaymentAttempt, result: ChargeResult, contribution: Contribution
) -> RecurringSeries:
    """The recurring series this first gift begins, with installment 1 already paid."""
    started_at = contribution.received_at
    series, created = RecurringSeries.objects.get_or_create(
        processor=Processor.STRIPE,
        processor_key=f"attempt:{attempt.key}",
        defaults={
            "period": attempt.recurring_period,
            "amount_cents": attempt.amount_cents,
            "currency": attempt.currency,
            "started_at": started_at,
            "next_charge_at": installment_due_at(
                started_at=started_at, period=attempt.recurring_period, sequence=2
            ),
            "installments_paid": 1,
            "person_id": contribution.person_id,
            "page": attempt.page,
            "refcode": attempt.refcode,
            "donor": attempt.donor,
            "processor_customer": result.customer,
            "processor_payment_method": result.payment_method,
        },
    )
    if created:
        Installment.objects.get_or_create(
            series=series,
            sequence=1,
            defaults={
                "due_at": started_at,
                "status": Installment.Status.PAID,
                "attempts": 1,
                "contribution": contribution,
            },
        )
    return series


def payment_attempt_for(*, processor_ref: str, key: str = "") -> PaymentAttempt | None:
    """The attempt a processor's payment belongs to (by its id, else the key in its metadata)."""
    attempt = (
        PaymentAttempt.objects.filter(processor_ref=processor_ref).first()
        if (processor_ref)
        else None
    )
    if attempt is None and key:
        attempt = PaymentAttempt.objects.filter(key=key).first()
        if attempt is not None and attempt.processor_ref not in ("", processor_ref):
            return None
    return attempt


__all__ = [
    "PaymentInvalid",
    "ProcessorError",
    "amount_errors",
    "payment_attempt_finish",
    "payment_attempt_for",
    "payment_attempt_start",
    "recurring_allowed",
]
