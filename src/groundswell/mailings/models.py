"""Mailings: who a message comes from, the message and its audience, and the send ledger.

The ledger (``Delivery``) is what makes a send exactly-once-or-less: one row per recipient,
unique per mailing and per address, whose state moves queued → sending → sent (or failed,
suppressed) and is committed before the SMTP transaction it describes (see ``mailings.sender``).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from groundswell.core.models import TimeStampedModel


class SenderIdentity(TimeStampedModel):
    """Who a mailing comes from: the From and Reply-To, and the postal address every message
    carries (CAN-SPAM asks for the sender's valid physical postal address)."""

    from_name = models.CharField(max_length=100)
    from_address = models.EmailField(max_length=254)
    reply_to = models.EmailField(max_length=254, blank=True)
    postal_address = models.TextField(
        help_text="The committee's postal address, printed in every message's footer"
    )
    is_default = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_default", "from_name"]
        verbose_name_plural = "sender identities"
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_sender"
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_name} <{self.from_address}>"

    def validate_constraints(self, exclude=None):
        """The one-default constraint is not a form error: ``sender_identity_save`` lets a new
        default take over from the previous one (the database still enforces it)."""
        super().validate_constraints(exclude={*(exclude or ()), "is_default"})


class MailingStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SCHEDULED = "scheduled", "Scheduled"
    SENDING = "sending", "Sending"
    PAUSED = "paused", "Paused"
    CANCELLED = "cancelled", "Cancelled"
    SENT = "sent", "Sent"
    # An A/B test's mailing while its variants are tested; it then sends the winner to the rest.
    TESTING = "testing", "A/B testing"


class MailingKind(models.TextChoices):
    """What a mailing is about; a recipient may stop one kind and keep the others."""

    NEWS = "news", "News and updates"
    FUNDRAISING = "fundraising", "Fundraising appeals"
    EVENTS = "events", "Events and volunteering"


class Mailing(TimeStampedModel):
    name = models.CharField(max_length=150)
    kind = models.CharField(max_length=20, choices=MailingKind.choices, default=MailingKind.NEWS)
    sender = models.ForeignKey(SenderIdentity, on_delete=models.PROTECT, related_name="mailings")
    subject = models.CharField(max_length=300)
    html = models.TextField()
    text = models.TextField(blank=True, help_text="Generated from the HTML when blank")
    # Null only for a welcome series' step (mailings.welcome), which goes to entrants, not a
    # segment; forms still require it (blank=False).
    segment = models.ForeignKey(
        "segments.Segment", null=True, on_delete=models.PROTECT, related_name="mailings"
    )
    refcode = models.CharField(max_length=100, blank=True, db_index=True)
    status = models.CharField(
        max_length=10, choices=MailingStatus.choices, default=MailingStatus.DRAFT, db_index=True
    )
    scheduled_at = models.DateTimeField(null=True, blank=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    exclude_mailed_within_days = models.PositiveSmallIntegerField(
        default=0, help_text="Skip people sent any mailing in this many days (0: no window)"
    )
    # An A/B test's variant mailings hang off their parent (mailings.abtests).
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="variants"
    )
    # Where the links in the messages point (https://campaign.example.org), fixed at send time.
    link_base = models.CharField(max_length=200, blank=True)
    # The ledger is written in batches of people by id; the last id written survives a crash.
    ledger_checkpoint = models.BigIntegerField(default=0)
    ledger_complete = models.BooleanField(default=False)
    # How many people the suppressions removed, by reason, when the send started.
    removed = models.JSONField(default=dict, blank=True)
    # Written by the workers as they go: a sending mailing whose heartbeat is old lost them.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # The links the click tracker numbered (``content_links``), fixed by the first worker of
    # the send: a click is checked against these even if the campaign's layout changes later.
    tracked_links = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name

    @property
    def effective_refcode(self) -> str:
        return self.refcode or f"m{self.pk}"

    @property
    def is_editable(self) -> bool:
        return self.status in (MailingStatus.DRAFT, MailingStatus.SCHEDULED)

    @property
    def is_active(self) -> bool:
        return self.status in (MailingStatus.SENDING, MailingStatus.PAUSED)


class DeliveryState(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Handed to the mail server (unknown if interrupted)"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    SUPPRESSED = "suppressed", "Suppressed (consent changed before sending)"


def delivery_token() -> str:
    """A recipient's link token: 128 random bits, so links cannot be guessed or enumerated."""
    return secrets.token_urlsafe(16)


class Delivery(models.Model):
    """One recipient of one mailing: the send ledger."""

    mailing = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="deliveries")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    address = models.CharField(max_length=254)
    state = models.CharField(
        max_length=10, choices=DeliveryState.choices, default=DeliveryState.QUEUED
    )
    token = models.CharField(max_length=32, unique=True, default=delivery_token)
    message_id = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    # A worker's claim on a queued row (SKIP LOCKED hands each worker its own batch); a claim
    # older than the stale limit may be taken over, and the queued → sending step re-checks it.
    claimed_by = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mailing", "person"], name="delivery_once_per_person"),
            models.UniqueConstraint(
                fields=["mailing", "address"], name="delivery_once_per_address"
            ),
        ]
        indexes = [
            models.Index(fields=["mailing", "state", "id"]),
            models.Index(fields=["person", "sent_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.mailing_id} → {self.address} ({self.state})"


class KindOptOut(models.Model):
    """A person who stopped one kind of mailing (and kept the others)."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=MailingKind.choices)
    created_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "kind"], name="kind_opt_out_once")]


class EngagementKind(models.TextChoices):
    OPEN = "open", "Opened"
    CLICK = "click", "Clicked"


class HitClass(models.TextChoices):
    """Who made the hit (``mailings.tracking.machine.HitKind``): only human and proxied hits
    count as a person's open or click; the others are kept and shown apart."""

    HUMAN = "human", "A person"
    PROXIED = "proxied", "A person, through a mail provider's image proxy"
    MACHINE = "machine", "A privacy proxy's preload"
    SCANNER = "scanner", "A security scanner or a bot"


PERSON_CLASSES = (HitClass.HUMAN, HitClass.PROXIED)


class Engagement(models.Model):
    """One open or click of one delivery: the tracking ledger.

    The mailing and the person are copied from the delivery so the report (per mailing) and
    the segment conditions (per person, in the last N days) read one indexed table without a
    join. No IP address is kept: the verdict on who fetched is made at the request and
    stored as ``hit_class``, which is all the report needs."""

    # SET_NULL: a delivery removed later (a merge's duplicate) leaves its opens and clicks.
    delivery = models.ForeignKey(
        Delivery, null=True, on_delete=models.SET_NULL, related_name="engagements"
    )
    mailing = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="engagements")
    # A named reverse relation, so a merge of people moves these rows to the survivor (and its
    # undo moves them back): segment conditions then find the merged person's opens.
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="mail_engagements"
    )
    kind = models.CharField(max_length=5, choices=EngagementKind.choices)
    # For a click: the mailing's link number and where it went (the mailing's own link).
    link_index = models.PositiveIntegerField(null=True, blank=True)
    target = models.CharField(max_length=2000, blank=True)
    hit_class = models.CharField(max_length=8, choices=HitClass.choices)
    reason = models.CharField(max_length=100, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["mailing", "kind", "hit_class"], name="engagement_by_mailing"),
            models.Index(fields=["person", "kind", "at"], name="engagement_by_person"),
            models.Index(fields=["delivery", "kind", "at"], name="engagement_by_delivery"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} of delivery {self.delivery_id} ({self.hit_class})"


# ---------------------------------------------------------------- A/B tests (mailings.abtests)


class AbMetric(models.TextChoices):
    """What decides an A/B test, per recipient (``core.experiments.Metric`` by value)."""

    OPENS = "opens", "Opens per recipient"
    CLICKS = "clicks", "Clicks per recipient"
    ACTIONS = "actions", "Actions per recipient"
    DOLLARS = "dollars", "Dollars per recipient"


class AbTestState(models.TextChoices):
    DRAFT = "draft", "Draft"
    # Started by staff; the task worker is dealing the audience out to the variants.
    STARTING = "starting", "Starting"
    TESTING = "testing", "Testing"
    WINNER_SENT = "winner_sent", "Winner sent to the rest"
    STOPPED = "stopped", "Stopped by the circuit breaker"
    CANCELLED = "cancelled", "Cancelled"


def abtest_seed() -> int:
    return secrets.randbelow(2**31)


class AbTest(TimeStampedModel):
    """An A/B test of a draft mailing (its "parent"): variants go to a random share of the
    audience, and the winner is then sent by the parent mailing itself to everyone else.

    Variants B–D are kept as overrides of the parent (``variants``) while the test is a draft;
    starting it makes one child mailing per variant (``Mailing.parent``), A a copy of the parent.
    """

    mailing = models.OneToOneField(Mailing, on_delete=models.CASCADE, related_name="abtest")
    metric = models.CharField(max_length=10, choices=AbMetric.choices, default=AbMetric.CLICKS)
    test_percent = models.PositiveSmallIntegerField(default=20)
    min_per_variant = models.PositiveIntegerField(default=1000)
    wait_hours = models.PositiveSmallIntegerField(default=4)
    send_on_decision = models.BooleanField(default=True)
    unsubscribe_limit = models.FloatField(default=0.01)  # a share of recipients, 0–1
    complaint_limit = models.FloatField(default=0.001)
    # [{"subject": ..., "sender_id": ..., "html": ...}] for B, C, D; a blank part keeps A's.
    variants = models.JSONField(default=list, blank=True)
    # The split is random but reproducible: the same seed and audience give the same split.
    seed = models.BigIntegerField(default=abtest_seed)
    state = models.CharField(
        max_length=12, choices=AbTestState.choices, default=AbTestState.DRAFT, db_index=True
    )
    started_at = models.DateTimeField(null=True, blank=True)
    deadline_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    winner = models.ForeignKey(
        Mailing, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sentence = models.TextField(blank=True)  # the decision as it was when the test ended
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Who pressed "Start": the worker deals the split out and sends the variants in their name.
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Why the worker could not start the test (it is a draft again); cleared by the next start.
    start_error = models.CharField(max_length=500, blank=True)

    def __str__(self) -> str:
        return f"A/B test of {self.mailing}"


class AbTestMember(models.Model):
    """One person of a test's share and the variant they were given (the split, kept)."""

    test = models.ForeignKey(AbTest, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    variant = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["test", "person"], name="abtest_member_once"),
        ]
        indexes = [models.Index(fields=["variant", "person"], name="abtest_member_by_variant")]


# The welcome series' models live in their sub-domain; imported here so the app registers them.
from groundswell.mailings.welcome.models import (  # noqa: E402, F401
    WelcomeEnrollment,
    WelcomeSeries,
    WelcomeStep,
)
