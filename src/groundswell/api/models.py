"""API keys: what an outside tool presents to read and write through the API."""

from __future__ import annotations

from django.db import models

from groundswell.core.models import TimeStampedModel

API_KEY_CREATE = "api_key_create"
API_KEY_REVOKE = "api_key_revoke"
API_PEOPLE_READ = "api_people_read"
API_AUDIT_ACTIONS = {
    API_KEY_CREATE: "API key issued",
    API_KEY_REVOKE: "API key revoked",
    API_PEOPLE_READ: "People read through the API",
}


class ApiKey(TimeStampedModel):
    """A secret that acts as one staff account: its role decides what the key may read and
    write, so demoting or deactivating the account narrows or stops the key at once.

    Only a SHA-256 of the secret is kept; the secret is shown once, when issued.
    """

    name = models.CharField(max_length=100, help_text="What uses the key, e.g. “Zapier sync”")
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="api_keys")
    # The first characters of the secret, shown in lists so staff can tell keys apart.
    prefix = models.CharField(max_length=12)
    # SHA-256 of 32 random bytes: random enough that a slow hash would add nothing but
    # latency to every request.
    secret_sha256 = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # Reading people through the API is an export of personal data: audited once a day per key.
    people_read_audited_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"API key {self.name} ({self.prefix}…)"
