"""Choices of the people app, importable without a configured Django (for import workers)."""

from django.db import models


class EmailStatus(models.TextChoices):
    UNKNOWN = "unknown", "No consent recorded"
    SUBSCRIBED = "subscribed", "Subscribed"
    UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
    BOUNCING = "bouncing", "Bouncing"
    PREVIOUS_BOUNCE = "previous_bounce", "Previous bounce"
    SPAM_COMPLAINT = "spam_complaint", "Spam complaint"


class SmsStatus(models.TextChoices):
    UNKNOWN = "unknown", "No consent recorded"
    SUBSCRIBED = "subscribed", "Subscribed"
    UNSUBSCRIBED = "unsubscribed", "Unsubscribed"


class ConsentMethod(models.TextChoices):
    FORM = "form", "Form"
    IMPORT = "import", "Import"
    API = "api", "API"
    UNSUBSCRIBE_LINK = "unsubscribe_link", "Unsubscribe link"
    STAFF = "staff", "Staff"
    BOUNCE = "bounce", "Bounce"
    COMPLAINT = "complaint", "Spam complaint"
    MERGE = "merge", "Merge"


class PhoneType(models.TextChoices):
    MOBILE = "mobile", "Mobile"
    HOME = "home", "Home"
    WORK = "work", "Work"
    OTHER = "other", "Other"
