"""Stripe, through its official library: PaymentIntents, saved cards for recurring gifts, refunds.

Every call that can move money carries an idempotency key derived from our own record (the
attempt's key, the installment's series and sequence, the refund's key), so a retry after a
timeout gets Stripe's first answer instead of a second charge.
"""

from __future__ import annotations

import logging

import stripe
from django.conf import settings

from groundswell.donations.models import PaymentAttempt, Processor, RecurringPeriod
from groundswell.donations.processors.base import ChargeResult, PaymentStart, ProcessorError

logger = logging.getLogger(__name__)

# What our PaymentAttempt.status is for each PaymentIntent status.
_STATUS = {
    "succeeded": PaymentAttempt.Status.SUCCEEDED,
    "processing": PaymentAttempt.Status.REQUIRES_ACTION,
    "requires_payment_method": PaymentAttempt.Status.REQUIRES_ACTION,
    "requires_confirmation": PaymentAttempt.Status.REQUIRES_ACTION,
    "requires_action": PaymentAttempt.Status.REQUIRES_ACTION,
    "canceled": PaymentAttempt.Status.FAILED,
}


def _ident(value) -> str:
    """An expandable field's id, whether Stripe sent the id or the object."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return str(value.get("id") or "")
    return str(getattr(value, "id", "") or "")


def charge_result_from(intent) -> ChargeResult:
    """A ChargeResult from a PaymentIntent (an API answer or a verified webhook's object)."""
    if hasattr(intent, "to_dict"):  # the library's objects are not dicts
        intent = intent.to_dict()
    error = intent.get("last_payment_error") or {}
    return ChargeResult(
        processor_ref=intent["id"],
        paid=intent.get("status") == "succeeded",
        amount_cents=int(intent.get("amount_received") or intent.get("amount") or 0),
        customer=_ident(intent.get("customer")),
        payment_method=_ident(intent.get("payment_method")),
        error=(error.get("message") or "") if error else "",
        error_code=(error.get("decline_code") or error.get("code") or "") if error else "",
    )


class StripeProcessor:
    """The PaymentProcessor for Stripe (see processors.base)."""

    name = Processor.STRIPE

    def __init__(self, *, secret_key: str, api_base: str = ""):
        if not secret_key:
            raise ProcessorError("Card payments are not set up (no Stripe secret key).")
        self.client = stripe.StripeClient(
            secret_key,
            # Tests point a client at the local double; production leaves Stripe's own address.
            base_addresses={"api": api_base} if api_base else {},
            max_network_retries=2,
        )

    @classmethod
    def from_settings(cls) -> StripeProcessor:
        return cls(secret_key=settings.STRIPE_SECRET_KEY, api_base=settings.STRIPE_API_BASE)

    def _call(self, what: str, func, *args, **kwargs):
        try:
            return func(*args, **kwargs)
        except stripe.CardError:
            raise
        except stripe.InvalidRequestError as exc:
            logger.warning("stripe refused %s: %s", what, exc.user_message or exc)
            raise ProcessorError(
                "The card processor refused this payment request.", code=exc.code or ""
            ) from exc
        except stripe.StripeError as exc:
            # Network trouble, rate limits, Stripe outages: the same request (same idempotency
            # key) can be sent again safely.
            logger.warning("stripe failed %s: %s", what, exc)
            raise ProcessorError(
                "We could not reach the card processor. Please try again in a minute.",
                code=getattr(exc, "code", "") or "",
                retryable=True,
            ) from exc

    def payment_start(self, *, attempt) -> PaymentStart:
        """Create the PaymentIntent for an attempt; the donor's browser confirms it."""
        metadata = {"attempt": attempt.key, "page": attempt.page.slug if attempt.page else ""}
        if attempt.refcode:
            metadata["refcode"] = attempt.refcode[:500]
        params = {
            "amount": attempt.amount_cents,
            "currency": attempt.currency.lower(),
            "payment_method_types": ["card"],
            "metadata": metadata,
            "description": (attempt.page.title if attempt.page else "Contribution")[:200],
        }
        donor = attempt.donor or {}
        if donor.get("email"):
            params["receipt_email"] = donor["email"]
        if attempt.recurring_period != RecurringPeriod.ONCE:
            # A recurring gift saves the card on a Customer, to charge later installments
            # off-session (without the donor present).
            customer = self._call(
                "customer create",
                self.client.v1.customers.create,
                params={
                    "email": donor.get("email") or None,
                    "name": " ".join(
                        p for p in (donor.get("given_name"), donor.get("family_name")) if p
                    )
                    or None,
                    "metadata": {"attempt": attempt.key},
                },
                options={"idempotency_key": f"customer:{attempt.key}"},
            )
            params["customer"] = customer.id
            params["setup_future_usage"] = "off_session"
        intent = self._call(
            "payment intent create",
            self.client.v1.payment_intents.create,
            params=params,
            options={"idempotency_key": f"attempt:{attempt.key}"},
        )
        return PaymentStart(
            processor_ref=intent.id,
            status=_STATUS.get(intent.status, PaymentAttempt.Status.REQUIRES_ACTION),
            client_secret=intent.client_secret or "",
        )

    def payment_result(self, *, processor_ref: str) -> ChargeResult:
        """Where the PaymentIntent stands now."""
        intent = self._call(
            "payment intent retrieve", self.client.v1.payment_intents.retrieve, processor_ref
        )
        return charge_result_from(intent)

    def installment_charge(
        self, *, series, amount_cents: int, idempotency_key: str
    ) -> ChargeResult:
        """Charge the series' saved card off-session; a decline is a result, not an exception."""
        if not (series.processor_customer and series.processor_payment_method):
            return ChargeResult(
                processor_ref="",
                paid=False,
                error="No saved card for this recurring gift.",
                error_code="no_saved_card",
            )
        try:
            intent = self._call(
                "installment charge",
                self.client.v1.payment_intents.create,
                params={
                    "amount": amount_cents,
                    "currency": series.currency.lower(),
                    "customer": series.processor_customer,
                    "payment_method": series.processor_payment_method,
                    "confirm": True,
                    "off_session": True,
                    "metadata": {"series": str(series.pk), "installment": idempotency_key},
                    "description": f"Recurring contribution ({series.get_period_display()})",
                },
                options={"idempotency_key": idempotency_key},
            )
        except stripe.CardError as exc:
            error = exc.error
            intent = getattr(error, "payment_intent", None) if error else None
            return ChargeResult(
                processor_ref=_ident(intent),
                paid=False,
                amount_cents=amount_cents,
                error=exc.user_message or "The card was declined.",
                error_code=(getattr(error, "decline_code", None) or exc.code or "card_declined"),
            )
        return charge_result_from(intent)

    def refund(self, *, processor_ref: str, amount_cents: int, idempotency_key: str) -> str:
        """Refund ``amount_cents`` of a PaymentIntent; returns Stripe's refund id."""
        try:
            refund = self._call(
                "refund",
                self.client.v1.refunds.create,
                params={"payment_intent": processor_ref, "amount": amount_cents},
                options={"idempotency_key": idempotency_key},
            )
        except stripe.CardError as exc:
            raise ProcessorError(exc.user_message or "The refund was refused.") from exc
        return refund.id
