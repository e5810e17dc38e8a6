"""Host-your-own: the host's key to their one event, and the messages they sent its attendees.

A supporter who proposed an event gets, once staff approve it, a link carrying an
``EventHostKey.token``: 32 random bytes (URL-safe), unguessable, compared by the database's
unique index. The link opens that event's roster and nothing else; staff revoke a key by
setting ``revoked_at`` (a new one can be issued). ``EventHostMessage`` records each message a
host sent through the link: who, what, to how many, so staff can see what went out in the
campaign's name, and so the per-event cap counts from the database rather than a cache.
"""

from __future__ import annotations

import secrets

from django.db import models


def host_token() -> str:
    return secrets.token_urlsafe(32)


class EventHostKey(models.Model):
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="host_keys")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64, unique=True, default=host_token)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"host key for event {self.event_id} ({'revoked' if self.revoked_at else 'live'})"


class EventHostMessage(models.Model):
    event = models.ForeignKey(
        "events.Event", on_delete=models.CASCADE, related_name="host_messages"
    )
    key = models.ForeignKey(EventHostKey, on_delete=models.CASCADE, related_name="messages")
    subject = models.CharField(max_length=150)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    recipients = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"host message {self.pk} for event {self.event_id}"
