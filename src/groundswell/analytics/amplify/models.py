"""Suggested posts, each volunteer's tracked link to one, and what the links brought."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from groundswell.core.models import TimeStampedModel

# The refcode a tracked link adds to the page it opens. Submissions and contributions keep it,
# so the actions and donations apps' own counts say what each link brought.
REFCODE_PREFIX = "amp-"


class Network(models.TextChoices):
    X = "x", "X (Twitter)"
    FACEBOOK = "facebook", "Facebook"
    BLUESKY = "bluesky", "Bluesky"
    LINKEDIN = "linkedin", "LinkedIn"
    WHATSAPP = "whatsapp", "WhatsApp"
    EMAIL = "email", "E-mail"


class SuggestedPost(TimeStampedModel):
    """A post staff suggest volunteers share, pointing at one of our public pages."""

    text = models.CharField(max_length=280)
    # A path on this site (never a full address), chosen from the published pages when saved:
    # the tracked link can only ever send a visitor to one of our own pages.
    target_path = models.CharField(max_length=200)
    target_label = models.CharField(max_length=200, blank=True)
    hashtags = models.CharField(max_length=300, blank=True, help_text="Space-separated, no #")
    networks = models.JSONField(default=list)
    starts_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        app_label = "analytics"
        ordering = ["-starts_at", "-id"]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def hashtag_list(self) -> list[str]:
        return self.hashtags.split()

    def is_active(self, at=None) -> bool:
        at = at or timezone.now()
        return (
            self.archived_at is None
            and self.starts_at <= at
            and (self.ends_at is None or at < self.ends_at)
        )

    def network_labels(self) -> list[str]:
        return [Network(n).label for n in self.networks if n in Network.values]


class ShareLink(models.Model):
    """One staff account's personal tracked link to one post (/s/<code>/)."""

    post = models.ForeignKey(SuggestedPost, on_delete=models.CASCADE, related_name="links")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="share_links"
    )
    code = models.CharField(max_length=16, unique=True)
    # The volunteer's own share code (actions' ReferralCode) when their login e-mail is on a
    # person: the page then credits whoever signs up to them as a recruit, as a share link does.
    referral_code = models.CharField(max_length=16, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "analytics"
        constraints = [
            models.UniqueConstraint(fields=["post", "user"], name="amplify_link_once_per_user")
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def refcode(self) -> str:
        return REFCODE_PREFIX + self.code


class ShareEvent(models.Model):
    """A press of a share button (recorded before the network's page opens)."""

    link = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="shares")
    network = models.CharField(max_length=10, choices=Network.choices)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        app_label = "analytics"


class LinkClick(models.Model):
    """A visitor who followed a tracked link, once per visitor and day.

    ``visitor`` is a keyed hash of the address, browser and day; nothing else about the
    visitor is kept, and the hash cannot be joined across days.
    """

    link = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="clicks")
    day = models.DateField()
    visitor = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        app_label = "analytics"
        constraints = [
            models.UniqueConstraint(
                fields=["link", "day", "visitor"], name="amplify_click_once_per_visitor_day"
            )
        ]
