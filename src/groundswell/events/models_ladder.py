"""A volunteer's profile: what they can do, when, in which languages (one per person).

Kept apart from Person because only organizers of events read and write it; prefilled from
the participation form's answers when staff first open it (``events.volunteers``).
"""

from __future__ import annotations

from django.db import models

from groundswell.core.models import TimeStampedModel


class VolunteerProfile(TimeStampedModel):
    person = models.OneToOneField(
        "people.Person", on_delete=models.CASCADE, related_name="volunteer_profile"
    )
    skills = models.TextField(blank=True, help_text="Canvassing, data entry, driving, …")
    availability = models.TextField(blank=True, help_text="Weekday evenings, Saturdays, …")
    languages = models.CharField(max_length=200, blank=True)
    interests = models.TextField(blank=True, help_text="What they offered to do")
    notes = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"Volunteer profile of {self.person_id}"


class LadderSnapshot(models.Model):
    """The ladder page's figures, taken on the task worker when the database is too large to
    count on every view (at a million people the counts and the months take seconds each).
    One row per taking and per variant: with the donor rung (finance roles) and without it
    (everyone else; ``events.ladder.sees_gifts``). Only the latest rows are kept."""

    with_gifts = models.BooleanField()
    taken_at = models.DateTimeField()
    seconds = models.FloatField()  # how long the taking took
    counts = models.JSONField()  # [people on rung 0, rung 1, …] by Rung value
    months = models.JSONField()  # [{"month": "2031-03", "counts": [...], "moved_up": n}]

    class Meta:
        indexes = [models.Index(fields=["with_gifts", "-taken_at"], name="ladder_snapshot_latest")]

    def __str__(self) -> str:
        return f"Ladder snapshot of {self.taken_at:%Y-%m-%d %H:%M}"
