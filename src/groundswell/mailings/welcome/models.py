"""The welcome series: messages sent after a sign-up, each after its delay, once per person.

Each step's message is a ``Mailing`` of its own (never sent to a segment: it has none and is
hidden from the mailings list), so a step reuses everything a mailing has: the composer, the
send ledger (``Delivery``, unique per mailing and person — here per step and person), the
suppressions checked at hand-over, List-Unsubscribe, open and click tracking, bounces.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models

from groundswell.core.models import TimeStampedModel
from groundswell.mailings.models import Mailing, MailingKind, SenderIdentity


class WelcomeTrigger(models.TextChoices):
    PAGES = "pages", "Sign-ups on the pages chosen below"
    SIGNUPS = "signups", "Sign-ups on any page"
    SUBSCRIBERS = "subscribers", "Every new e-mail subscriber (forms, imports, the API)"


class WelcomeSeries(TimeStampedModel):
    name = models.CharField(max_length=150, unique=True)
    sender = models.ForeignKey(SenderIdentity, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=MailingKind.choices, default=MailingKind.NEWS)
    trigger = models.CharField(
        max_length=12, choices=WelcomeTrigger.choices, default=WelcomeTrigger.SIGNUPS
    )
    pages = models.ManyToManyField("actions.ActionPage", blank=True, related_name="+")
    is_active = models.BooleanField(default=False, db_index=True)
    # Only people who arrive after the series was (last) activated enter it: activating a
    # series never mails the whole existing list.
    activated_at = models.DateTimeField(null=True, blank=True)
    # The last sign-up (submission id) or consent change (event id) looked at for entrants.
    checkpoint = models.BigIntegerField(default=0)
    # Where the links point (https://campaign.example.org), fixed when staff activate it.
    link_base = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "welcome series"

    def __str__(self) -> str:
        return self.name


class WelcomeStep(TimeStampedModel):
    series = models.ForeignKey(WelcomeSeries, on_delete=models.CASCADE, related_name="steps")
    # The step's message: subject, HTML, text, sender and kind (kept in step with the series).
    mailing = models.OneToOneField(Mailing, on_delete=models.PROTECT, related_name="welcome_step")
    delay_days = models.PositiveSmallIntegerField(default=0)
    delay_hours = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["delay_days", "delay_hours", "id"]

    def __str__(self) -> str:
        return f"{self.series} · {self.delay_label}"

    @property
    def delay(self) -> timedelta:
        return timedelta(days=self.delay_days, hours=self.delay_hours)

    @property
    def delay_label(self) -> str:
        if not self.delay_days and not self.delay_hours:
            return "immediately"
        parts = []
        if self.delay_days:
            parts.append(f"{self.delay_days} day{'s' if self.delay_days != 1 else ''}")
        if self.delay_hours:
            parts.append(f"{self.delay_hours} hour{'s' if self.delay_hours != 1 else ''}")
        return " ".join(parts) + " after sign-up"


class WelcomeEnrollment(models.Model):
    """One person in one series: entered once, ever (a second sign-up does not restart it)."""

    series = models.ForeignKey(WelcomeSeries, on_delete=models.CASCADE, related_name="entrants")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    entered_at = models.DateTimeField()
    source = models.CharField(max_length=300, blank=True)
    # Set when the person left the series (unsubscribed, bounced, complained): no later step.
    stopped_at = models.DateTimeField(null=True, blank=True)
    stop_reason = models.CharField(max_length=100, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["series", "person"], name="welcome_enter_once")
        ]
        indexes = [models.Index(fields=["series", "stopped_at", "entered_at"])]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.series_id}"
