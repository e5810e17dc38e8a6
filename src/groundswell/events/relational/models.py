"""Relational organizing: the people a volunteer knows, entered by the volunteer.

A contact is credited to the staff account that entered it (and to that volunteer's own person
record when one matches their login e-mail, so the referral tree can chain through them). What
the volunteer typed is kept on the contact and is all the volunteer is ever shown: the matched
person's stored data stays out of their sight.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Relationship(models.TextChoices):
    FAMILY = "family", "Family"
    FRIEND = "friend", "Friend"
    NEIGHBOUR = "neighbour", "Neighbour"
    COWORKER = "coworker", "Coworker"
    OTHER = "other", "Other"


class RelationalContact(models.Model):
    volunteer_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="relational_contacts"
    )
    volunteer_person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="relational_contacts_made",
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="relational_contacts"
    )
    relationship = models.CharField(max_length=10, choices=Relationship.choices)
    # As the volunteer typed them: shown back to the volunteer instead of the person's record.
    name = models.CharField(max_length=200)
    contact = models.CharField(max_length=254)
    notes = models.TextField(max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["volunteer_user", "person"], name="relational_contact_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.volunteer_user_id} knows {self.person_id}"
