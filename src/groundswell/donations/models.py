"""Contributions: money in, in integer cents, each linked to the donor as upserted and as given."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from groundswell.core.models import TimeStampedModel


class Processor(models.TextChoices):
    ACTBLUE = "actblue", "ActBlue"
    STRIPE = "stripe", "Stripe"
    OFFLINE = "offline", "Offline (check, cash)"
    FEC = "fec", "FEC filing"


class ContributionStatus(models.TextChoices):
    PAID = "paid", "Paid"
    REFUNDED = "refunded", "Refunded"
    PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"
    CHARGED_BACK = "charged_back", "Charged back"
    VOIDED = "voided", "Voided"


class RecurringPeriod(models.TextChoices):
    ONCE = "", "One-time"
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"


class Contribution(TimeStampedModel):
    amount_cents = models.PositiveBigIntegerField()
    currency = models.CharField(max_length=3, default="USD")
    received_at = models.DateTimeField(db_index=True)
    processor = models.CharField(max_length=20, choices=Processor.choices)
    processor_id = models.CharField(max_length=100)
    # Indexed: FEC refunds find their original through it (TRAN_ID), row by row.
    order_number = models.CharField(
        max_length=100,
        blank=True,
        db_index=True,
        help_text="The processor's order (one order, many line items)",
    )
    status = models.CharField(
        max_length=20, choices=ContributionStatus.choices, default=ContributionStatus.PAID
    )
    refunded_cents = models.PositiveBigIntegerField(default=0)
    # Refund ids already applied, so a repeated refund notification is recognised.
    refund_keys = models.JSONField(default=list, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)
    refcode = models.CharField(max_length=100, blank=True, db_index=True)
    refcodes = models.JSONField(default=dict, blank=True)
    form_name = models.CharField(max_length=200, blank=True, help_text="The donation page")
    # "P2026" / "G2026": the election the contribution counts toward (limits are per election).
    election = models.CharField(max_length=5, blank=True)
    # A memo entry (FEC MEMO_CD "X"): kept for the record but not counted in totals.
    is_memo = models.BooleanField(default=False)
    # The FEC transaction type as filed ("15", "15E" earmarked through a conduit, "22Y" refund).
    transaction_type = models.CharField(max_length=3, blank=True)
    note = models.TextField(blank=True)
    is_recurring = models.BooleanField(default=False)
    recurring_period = models.CharField(
        max_length=10, choices=RecurringPeriod.choices, blank=True, default=RecurringPeriod.ONCE
    )
    recurring_series_key = models.CharField(max_length=100, blank=True, db_index=True)
    # SET_NULL: the snapshot below keeps what the law needs even if the person is deleted;
    # a merge moves this link to the survivor (people.merge moves every FK to Person).
    person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contributions",
    )

    # The donor exactly as given with this contribution (what a report must show), which the
    # person's current details may no longer match.
    donor_given_name = models.CharField(max_length=100, blank=True)
    donor_family_name = models.CharField(max_length=100, blank=True)
    donor_address_line1 = models.CharField(max_length=200, blank=True)
    donor_address_line2 = models.CharField(max_length=200, blank=True)
    donor_city = models.CharField(max_length=100, blank=True)
    donor_state = models.CharField(max_length=50, blank=True)
    donor_postal_code = models.CharField(max_length=12, blank=True)
    donor_country = models.CharField(max_length=2, blank=True)
    donor_employer = models.CharField(max_length=200, blank=True)
    donor_occupation = models.CharField(max_length=200, blank=True)
    donor_email = models.CharField(max_length=254, blank=True)
    donor_phone = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["processor", "processor_id"], name="contribution_once_per_processor_id"
            ),
            models.CheckConstraint(
                condition=Q(amount_cents__gt=0), name="contribution_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(refunded_cents__lte=F("amount_cents")),
                name="contribution_refund_at_most_amount",
            ),
        ]
        indexes = [models.Index(fields=["person", "received_at"])]

    def __str__(self) -> str:
        return f"{self.amount_display} via {self.get_processor_display()} ({self.processor_id})"

    @property
    def amount_display(self) -> str:
        return cents_display(self.amount_cents)

    @property
    def net_cents(self) -> int:
        return self.amount_cents - self.refunded_cents


def cents_display(cents: int) -> str:
    return f"${cents // 100:,}.{cents % 100:02d}"


class WebhookDelivery(models.Model):
    """One incoming webhook call, kept so staff can see what was refused and why."""

    class Status(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        DUPLICATE = "duplicate", "Duplicate (nothing changed)"
        REJECTED = "rejected", "Rejected"

    MAX_BODY = 64 * 1024

    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    source = models.CharField(max_length=20, choices=Processor.choices)
    status = models.CharField(max_length=10, choices=Status.choices)
    error = models.TextField(blank=True)
    body = models.TextField(blank=True, help_text="The raw body, truncated")
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    contributions = models.ManyToManyField(Contribution, blank=True, related_name="deliveries")

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name_plural = "webhook deliveries"

    def __str__(self) -> str:
        return f"{self.source} {self.status} at {self.received_at:%Y-%m-%d %H:%M:%S}"
