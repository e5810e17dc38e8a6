"""Ad spend staff enter per refcode (or refcode prefix) and period, for return on ad spend."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class AdSpend(models.Model):
    """Money spent on ads carrying a refcode over some days, in integer cents.

    The report spreads an entry evenly over its days and counts the days inside the chosen
    range (``sources.selectors.spend_in_range``), so a month's spend shows a week's share in a
    week's report.
    """

    class Match(models.TextChoices):
        EXACT = "exact", "This refcode"
        PREFIX = "prefix", "Every refcode starting with this"

    refcode = models.CharField(max_length=100)
    match = models.CharField(max_length=6, choices=Match.choices, default=Match.EXACT)
    start = models.DateField()
    end = models.DateField()
    amount_cents = models.PositiveBigIntegerField()
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "analytics"
        ordering = ["-start", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=F("start")), name="adspend_end_after_start"
            ),
            models.CheckConstraint(condition=Q(amount_cents__gt=0), name="adspend_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.target_label}: {self.start} – {self.end}"

    @property
    def prefix(self) -> bool:
        return self.match == self.Match.PREFIX

    @property
    def target_label(self) -> str:
        return f"{self.refcode}*" if self.prefix else self.refcode

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1
