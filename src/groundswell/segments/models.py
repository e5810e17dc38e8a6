"""Saved segments: a definition (a tree of conditions) and, for a snapshot, its frozen members.

A segment is reusable by anything that needs a list of people: mailings now, exports, events,
call lists and ad audiences later. The definition is stored as JSON (see
``segments.definition``) so that a condition contributed by another app (mailing engagement)
needs no migration here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from groundswell.core.models import TimeStampedModel


class SegmentMode(models.TextChoices):
    DYNAMIC = "dynamic", "Dynamic (members are worked out each time it is used)"
    SNAPSHOT = "snapshot", "Snapshot (members frozen when the snapshot was taken)"


class Segment(TimeStampedModel):
    name = models.CharField(max_length=150, unique=True)
    description = models.TextField(blank=True)
    definition = models.JSONField(default=dict, blank=True)
    mode = models.CharField(max_length=10, choices=SegmentMode.choices, default=SegmentMode.DYNAMIC)
    snapshot_taken_at = models.DateTimeField(null=True, blank=True)
    # A snapshot asked for and not yet taken (the task worker takes it: a large segment takes
    # longer than a request should), and why the last one could not be taken.
    snapshot_requested_at = models.DateTimeField(null=True, blank=True)
    snapshot_error = models.CharField(max_length=500, blank=True, default="")
    # The capabilities its conditions need beyond seeing people (space-separated, kept by the
    # services from the definition): a segment over giving is listed for finance roles only.
    needs_capabilities = models.CharField(max_length=200, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SegmentMember(models.Model):
    """One person frozen into a snapshot segment."""

    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["segment", "person"], name="segment_member_once")
        ]
