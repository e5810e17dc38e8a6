"""Contributions: money in, in integer cents, each linked to the donor as upserted and as given."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from groundswell.core.models import TimeStampedModel
from groundswell.donations.choices import (  # noqa: F401 - re-exported: callers import them from here
    ContributionStatus,
    ElectionKind,
    HoldResolution,
    MemoHalf,
    PaymentMethod,
    Processor,
    RecurringPeriod,
)


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
    refcode = models.CharField(max_length=100, blank=True)
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
    recurring_series_key = models.CharField(max_length=100, blank=True)
    page = models.ForeignKey(
        "DonationPage",
        db_index=False,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contributions",
    )
    series = models.ForeignKey(
        "RecurringSeries",
        db_index=False,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contributions",
    )
    payment_method = models.CharField(max_length=10, choices=PaymentMethod.choices, blank=True)
    is_anonymous = models.BooleanField(default=False)
    # Who the gift counts against for limits: "p:<person id>" for a linked person, else a key
    # from the snapshot (name + ZIP5). Identity resolution may later join keys into one donor.
    donor_key = models.CharField(max_length=120, blank=True)
    # Compliance: a gift that would take the donor past the limit is held until staff refund,
    # redesignate or reattribute it (or release it when the flag was wrong).
    hold_reason = models.CharField(max_length=300, blank=True)
    held_at = models.DateTimeField(null=True, blank=True)
    hold_resolution = models.CharField(max_length=15, choices=HoldResolution.choices, blank=True)
    hold_resolved_at = models.DateTimeField(null=True, blank=True)
    hold_resolved_by = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    # The election the gift was first designated to, when staff redesignated it.
    redesignated_from = models.CharField(max_length=5, blank=True)
    # For the part of a gift reattributed to another donor (e.g. a joint account holder).
    reattributed_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reattributions",
        db_index=False,
    )
    # SET_NULL: the snapshot below keeps what the law needs even if the person is deleted;
    # a merge moves this link to the survivor (people.merge moves every FK to Person).
    person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contributions",
        db_index=False,  # the (person, received_at) index below serves lookups by person
    )

    # When the donor was linked, the gift put on the timeline and counted toward the limit.
    # Every path records all of that at once (hence the default, bulk imports included) but
    # the ActBlue webhook: it saves None, answers once the row is committed, and leaves the
    # rest to the task worker (processing.contributions_process).
    processed_at = models.DateTimeField(null=True, blank=True, default=timezone.now)

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

    # What identifies an FEC row besides its SUB_ID (processor_id): the report it was filed in
    # ("C00123456 Q1 2026"), the filing (FILE_NUM) and whether that filing is an amendment. A
    # TRAN_ID (order_number) is unique only within a report, so an amendment's repeat of a gift
    # is recognised by report + TRAN_ID, never by TRAN_ID alone (intake.fec_amendments).
    fec_report = models.CharField(max_length=40, blank=True)
    fec_file_number = models.BigIntegerField(null=True, blank=True)
    fec_amended = models.BooleanField(default=False)
    # Half of a Schedule A reattribution/redesignation memo pair (intake.schedule_a_adjust):
    # the gift it points at (back_reference_transaction_id) and where the half stands. A half
    # whose partner has not arrived yet waits, applied by the import that brings the partner.
    fec_back_reference = models.CharField(max_length=100, blank=True)
    fec_memo_half = models.CharField(max_length=12, blank=True, choices=MemoHalf.choices)

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
        # Columns that most rows leave empty (an FEC file's million rows have no page, series,
        # person, refcode or hold) get partial indexes: an import then maintains only the few
        # indexes every row needs, and lookups by a set value use the partial ones.
        indexes = [
            # The analytics extract's refresh reads what changed since its last one: without
            # it, each dashboard view scanned every gift (0.8 s at 10,000,000). Appended at the
            # right edge (the time only grows), so an import pays little for it.
            models.Index(fields=["modified_at"], name="contribution_modified_idx"),
            models.Index(
                fields=["person", "received_at"],
                name="contribution_person_idx",
                condition=Q(person__isnull=False),
            ),
            models.Index(fields=["donor_key", "election"], name="contribution_donor_idx"),
            # The worker's queue: only the few rows received and not yet processed.
            models.Index(
                fields=["id"],
                name="contribution_pending_idx",
                condition=Q(processed_at__isnull=True),
            ),
            models.Index(
                fields=["refcode"], name="contribution_refcode_idx", condition=~Q(refcode="")
            ),
            models.Index(
                fields=["recurring_series_key"],
                name="contribution_series_key_idx",
                condition=~Q(recurring_series_key=""),
            ),
            models.Index(
                fields=["held_at"], name="contribution_held_idx", condition=Q(held_at__isnull=False)
            ),
            models.Index(
                fields=["page"], name="contribution_page_idx", condition=Q(page__isnull=False)
            ),
            models.Index(
                fields=["series"], name="contribution_series_idx", condition=Q(series__isnull=False)
            ),
            models.Index(
                fields=["reattributed_from"],
                name="contribution_reattrib_idx",
                condition=Q(reattributed_from__isnull=False),
            ),
            models.Index(
                fields=["hold_resolved_by"],
                name="contribution_resolver_idx",
                condition=Q(hold_resolved_by__isnull=False),
            ),
            models.Index(
                fields=["fec_report", "order_number"],
                name="contribution_fec_report_idx",
                condition=~Q(fec_report=""),
            ),
            # The memo halves still waiting for their partner, looked up by the gift they
            # point at on every Schedule A import: few rows, so a small partial index.
            models.Index(
                fields=["fec_back_reference"],
                name="contribution_memo_half_idx",
                condition=Q(fec_memo_half__in=["waiting_take", "waiting_give"]),
            ),
        ]

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
        # ActBlue's "send a test" button (line items of entity 0): answered 200, stores nothing.
        TEST = "test", "Test notification (nothing stored)"
        # Every line item was another committee's share of a split gift: answered 200 (ActBlue
        # must not retry it), nothing stored, and not a "duplicate" (nothing was seen before).
        OTHER_COMMITTEE = "other_committee", "Another committee's line items (nothing stored)"

    MAX_BODY = 64 * 1024

    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    source = models.CharField(max_length=20, choices=Processor.choices)
    status = models.CharField(max_length=20, choices=Status.choices)
    error = models.TextField(blank=True)
    body = models.TextField(blank=True, help_text="The raw body, truncated")
    # What arrived, in bytes: kept also when the body is not (an unverified request's).
    body_size = models.PositiveIntegerField(default=0, db_default=0)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    contributions = models.ManyToManyField(Contribution, blank=True, related_name="deliveries")

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name_plural = "webhook deliveries"

    def __str__(self) -> str:
        return f"{self.source} {self.status} at {self.received_at:%Y-%m-%d %H:%M:%S}"


class ComplianceRule(TimeStampedModel):
    """The contribution rules of one committee for one two-year cycle (federal defaults 2025–26).

    A candidate committee's limits apply per election: the primary and the general are separate
    elections, each with its own per-donor limit.
    """

    # The FEC committee id (C00…); blank means the campaign's own committee.
    committee_id = models.CharField(max_length=9, blank=True)
    cycle = models.PositiveSmallIntegerField(help_text="The even year that ends the cycle")
    per_election_limit_cents = models.PositiveBigIntegerField(default=350_000)
    itemization_threshold_cents = models.PositiveBigIntegerField(default=20_000)
    cash_limit_cents = models.PositiveBigIntegerField(default=10_000)
    anonymous_limit_cents = models.PositiveBigIntegerField(default=5_000)
    redesignation_window_days = models.PositiveSmallIntegerField(default=60)
    # Gifts received on or before the primary date count toward the primary, later ones toward
    # the general. Blank: every gift of the cycle counts toward the general.
    primary_date = models.DateField(null=True, blank=True)
    general_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-cycle", "committee_id"]
        constraints = [
            models.UniqueConstraint(fields=["committee_id", "cycle"], name="one_rule_per_cycle")
        ]

    def __str__(self) -> str:
        return f"{self.committee_id or 'own committee'} {self.cycle - 1}–{self.cycle}"


class DonationPage(TimeStampedModel):
    """A donation page of our own, at /donate/<slug>/."""

    class GoalKind(models.TextChoices):
        NONE = "", "No goal shown"
        DOLLARS = "dollars", "Dollars raised"
        DONORS = "donors", "Number of donors"

    class NextRung(models.TextChoices):
        SHARE = "share", "Share the page"
        VOLUNTEER = "volunteer", "Volunteer"

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    intro = models.TextField(blank=True)
    # The preset ask amounts in cents, smallest first; the ladder is personalised from these.
    amounts_cents = models.JSONField(default=list)
    allow_custom_amount = models.BooleanField(default=True)
    min_cents = models.PositiveBigIntegerField(default=100)
    max_cents = models.PositiveBigIntegerField(default=350_000)
    allow_monthly = models.BooleanField(default=True)
    allow_weekly = models.BooleanField(default=False)
    default_recurring = models.CharField(
        max_length=10, choices=RecurringPeriod.choices, blank=True, default=RecurringPeriod.ONCE
    )
    deadline = models.DateTimeField(null=True, blank=True, help_text="Shown as a countdown")
    goal_kind = models.CharField(max_length=10, choices=GoalKind.choices, blank=True)
    goal_cents = models.PositiveBigIntegerField(null=True, blank=True)
    goal_donors = models.PositiveIntegerField(null=True, blank=True)
    # Show "N donors to go" toward the campaign's donor goal.
    show_donors_to_go = models.BooleanField(default=False)
    default_refcode = models.CharField(max_length=100, blank=True)
    thank_you_message = models.TextField(blank=True)
    next_rung = models.CharField(
        max_length=10, choices=NextRung.choices, default=NextRung.SHARE, blank=True
    )
    volunteer_page_slug = models.SlugField(max_length=80, blank=True)
    processor = models.CharField(max_length=20, choices=Processor.choices, default=Processor.STRIPE)
    is_published = models.BooleanField(default=False)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class RecurringSeries(TimeStampedModel):
    """A recurring gift: its schedule and state; each installment is a Contribution."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        FAILING = "failing", "Payment failed"
        CANCELLED = "cancelled", "Cancelled"
        COMPLETED = "completed", "Completed"

    processor = models.CharField(max_length=20, choices=Processor.choices)
    # The processor's key for the series (ActBlue's recurring id; ours for Stripe series).
    processor_key = models.CharField(max_length=100)
    period = models.CharField(max_length=10, choices=RecurringPeriod.choices)
    amount_cents = models.PositiveBigIntegerField()
    currency = models.CharField(max_length=3, default="USD")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    started_at = models.DateTimeField()
    # When the next installment falls due (our own processor only; ActBlue charges itself).
    next_charge_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # 0 = until cancelled.
    installments_planned = models.PositiveIntegerField(default=0)
    installments_paid = models.PositiveIntegerField(default=0)
    failure_count = models.PositiveSmallIntegerField(default=0)
    last_failure = models.TextField(blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=200, blank=True)
    # Who or what ended the series, as the processor says (ActBlue: the donor, the campaign,
    # a card that kept failing); blank when it did not say.
    cancel_type = models.CharField(max_length=100, blank=True)
    # The processor's own count of installments charged when it cancelled the series: ours
    # (installments_paid) misses any it charged before we were connected. None = not told.
    installments_completed = models.PositiveIntegerField(null=True, blank=True)
    person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recurring_series",
    )
    page = models.ForeignKey(
        DonationPage, null=True, blank=True, on_delete=models.SET_NULL, related_name="series"
    )
    refcode = models.CharField(max_length=100, blank=True)
    # The donor as given when the series began, under people.intake field names.
    donor = models.JSONField(default=dict, blank=True)
    # The processor's saved customer and payment method, for charging later installments.
    processor_customer = models.CharField(max_length=100, blank=True)
    processor_payment_method = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name_plural = "recurring series"
        constraints = [
            models.UniqueConstraint(
                fields=["processor", "processor_key"], name="recurring_series_once_per_key"
            ),
            models.CheckConstraint(
                condition=Q(amount_cents__gt=0), name="recurring_series_amount_positive"
            ),
        ]
        indexes = [models.Index(fields=["status", "next_charge_at"])]

    def __str__(self) -> str:
        return f"{cents_display(self.amount_cents)} {self.get_period_display().lower()}"


class Installment(models.Model):
    """One due charge of a series, claimed before the processor is asked.

    The unique (series, sequence) row is the lock that keeps two scheduled runs from charging
    the same installment twice; its sequence is also the processor's idempotency key.
    """

    class Status(models.TextChoices):
        CLAIMED = "claimed", "Being charged"
        PAID = "paid", "Paid"
        FAILED = "failed", "Failed"

    series = models.ForeignKey(
        RecurringSeries, on_delete=models.CASCADE, related_name="installments"
    )
    sequence = models.PositiveIntegerField()
    due_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CLAIMED)
    claimed_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    contribution = models.OneToOneField(
        "Contribution",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="installment",
    )

    class Meta:
        ordering = ["series", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["series", "sequence"], name="installment_once")
        ]

    def __str__(self) -> str:
        return f"{self.series} #{self.sequence} ({self.status})"


class PaymentAttempt(TimeStampedModel):
    """A gift being made on one of our pages, from the form until the processor says paid.

    ``key`` is generated with the form and sent back with it, so a double-click or a retried
    submit reuses this attempt (and the processor's idempotency key) instead of charging again.
    """

    class Status(models.TextChoices):
        CREATED = "created", "Created"
        REQUIRES_ACTION = "requires_action", "Waiting for the donor"
        SUCCEEDED = "succeeded", "Paid"
        FAILED = "failed", "Failed"

    key = models.CharField(max_length=64, unique=True)
    page = models.ForeignKey(
        DonationPage, null=True, blank=True, on_delete=models.SET_NULL, related_name="attempts"
    )
    processor = models.CharField(max_length=20, choices=Processor.choices)
    # The processor's id for this payment (a Stripe PaymentIntent id).
    processor_ref = models.CharField(max_length=100, blank=True, db_index=True)
    client_secret = models.CharField(max_length=200, blank=True)
    amount_cents = models.PositiveBigIntegerField()
    currency = models.CharField(max_length=3, default="USD")
    recurring_period = models.CharField(
        max_length=10, choices=RecurringPeriod.choices, blank=True, default=RecurringPeriod.ONCE
    )
    donor = models.JSONField(default=dict, blank=True)
    refcode = models.CharField(max_length=100, blank=True)
    refcodes = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CREATED)
    error = models.TextField(blank=True)
    contribution = models.OneToOneField(
        "Contribution",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="payment_attempt",
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_cents__gt=0), name="payment_attempt_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{cents_display(self.amount_cents)} {self.processor} {self.status}"


class DonorElectionTotal(models.Model):
    """A donor's running net total toward one election, the row locked while a gift is checked.

    Locking this row (SELECT … FOR UPDATE) is what keeps two concurrent gifts from one donor
    from both slipping under the limit.
    """

    donor_key = models.CharField(max_length=120)
    election = models.CharField(max_length=5)
    total_cents = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["donor_key", "election"], name="donor_election_total_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.donor_key} {self.election}: {cents_display(self.total_cents)}"


class BestEffortsRequest(TimeStampedModel):
    """A follow-up asking an itemizable donor for a missing employer or occupation."""

    contribution = models.OneToOneField(
        "Contribution", on_delete=models.CASCADE, related_name="best_efforts_request"
    )
    email = models.CharField(max_length=254, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Filled when the donor answers (or staff record an answer given another way).
    answered_at = models.DateTimeField(null=True, blank=True)
    token = models.CharField(max_length=64, unique=True)

    def __str__(self) -> str:
        return f"best efforts for {self.contribution_id}"


class WebhookCredential(TimeStampedModel):
    """HTTP Basic credentials that staff generate for a processor's webhook.

    Only a hash of the secret is kept; the secret is shown once, when generated. Several may be
    active so credentials can be rotated without missing a delivery.
    """

    source = models.CharField(max_length=20, choices=Processor.choices)
    username = models.CharField(max_length=100)
    # SHA-256 of a 32-byte random secret: random enough that a slow hash would add nothing
    # but latency on every delivery.
    secret_sha256 = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.source} webhook {self.username}"


# Defined in the intake sub-domain, registered with this app by being imported here.
from groundswell.donations.intake.models import OtherReceipt, ReceiptKind  # noqa: E402, F401
