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
