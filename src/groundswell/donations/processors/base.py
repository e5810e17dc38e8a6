"""The processor interface our donation pages and recurring runs use.

A processor takes a PaymentAttempt (the gift as the donor asked for it), starts the payment,
and later says whether it was paid. Money is integer cents throughout. Every call that can
charge takes an idempotency key, so a retry never charges twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from groundswell.donations.models import Processor


class ProcessorError(Exception):
    """The processor refused or failed; ``message`` is safe to show the donor."""

    def __init__(self, message: str, *, code: str = "", retryable: bool = False):
        super().__init__(message)
        self.message = message
        self.code = code
        self.retryable = retryable


@dataclass
class PaymentStart:
    """What the page needs to finish a payment in the donor's browser."""

    processor_ref: str  # the processor's id for the payment (a PaymentIntent id)
    status: str  # PaymentAttempt.Status value
    client_secret: str = ""
    extra: dict = field(default_factory=dict)


@dataclass
class ChargeResult:
    """The outcome of a payment, as the processor reports it."""

    processor_ref: str
    paid: bool
    amount_cents: int = 0
    # For saving a card for recurring installments.
    customer: str = ""
    payment_method: str = ""
    error: str = ""
    error_code: str = ""


class PaymentProcessor(Protocol):
    name: str  # a Processor value

    def payment_start(self, *, attempt) -> PaymentStart:
        """Create the payment for a PaymentAttempt (idempotent on ``attempt.key``)."""

    def payment_result(self, *, processor_ref: str) -> ChargeResult:
        """Ask the processor how the payment ``processor_ref`` ended (or stands)."""

    def installment_charge(
        self, *, series, amount_cents: int, idempotency_key: str
    ) -> ChargeResult:
        """Charge a saved payment method for one installment of a recurring series."""

    def refund(self, *, processor_ref: str, amount_cents: int, idempotency_key: str) -> str:
        """Refund part or all of a payment; returns the processor's refund id."""


def processor_get(name: str) -> PaymentProcessor:
    """The processor implementation for a Processor value (ProcessorError if not available)."""
    if name == Processor.STRIPE:
        # Loaded when first used: it loads the Stripe SDK, which a campaign without Stripe
        # (and every process start) need not pay for.
        from groundswell.donations.processors.stripe import StripeProcessor

        return StripeProcessor.from_settings()
    raise ProcessorError(f"No payment processor {name!r} is available for online payments.")
