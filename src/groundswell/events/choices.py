"""The events app's fixed vocabularies."""

from django.db import models


class EventType(models.TextChoices):
    CANVASS = "canvass", "Canvass"
    PHONE_BANK = "phone_bank", "Phone bank"
    TEXT_BANK = "text_bank", "Text bank"
    HOUSE_PARTY = "house_party", "House party"
    RALLY = "rally", "Rally"
    DEBATE_WATCH = "debate_watch", "Debate watch party"
    TRAINING = "training", "Training"
    MEETING = "meeting", "Meeting"


class EventStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    # Proposed by a supporter on the public host-your-own page, waiting for staff.
    PROPOSED = "proposed", "Proposed"
    PUBLISHED = "published", "Published"
    DECLINED = "declined", "Declined"
    CANCELLED = "cancelled", "Cancelled"


class Visibility(models.TextChoices):
    PUBLIC = "public", "Public: listed and on the map"
    UNLISTED = "unlisted", "Unlisted: anyone with the link"
    PRIVATE = "private", "Private: staff add attendees"


class AttendanceStatus(models.TextChoices):
    REGISTERED = "registered", "Registered"
    WAITLISTED = "waitlisted", "Waitlisted"
    CANCELLED = "cancelled", "Cancelled"


class ReminderChannel(models.TextChoices):
    EMAIL = "email", "E-mail"
    SMS = "sms", "SMS"


class ReminderState(models.TextChoices):
    """Where one reminder stands in the ledger (``ReminderSent``)."""

    # Claimed by a run and being sent: a row left here was cut off between the send and the
    # record (the worker died) and is never sent again — it may or may not have gone.
    SENDING = "sending", "Sending (unconfirmed)"
    SENT = "sent", "Sent"
    # Refused for good (the provider's 4xx, an invalid number); ``detail`` says why.
    FAILED = "failed", "Failed"
    # Refused for now (rate limit, outage): a later run takes it again while it is still due.
    RETRY = "retry", "Failed, will retry"
    # A farther offset owed at the same time as a nearer one (the worker was down): not sent.
    SKIPPED = "skipped", "Skipped for a nearer one"


class Repeat(models.TextChoices):
    NONE = "none", "Does not repeat"
    DAILY = "daily", "Every day"
    WEEKLY = "weekly", "Every week"


class ReceivedStatus(models.TextChoices):
    RECEIVED = "received", "Received, not yet placed"
    PLACED = "placed", "Placed"
    # The shift could no longer be booked when the worker came to it (it started, the event was
    # cancelled), or the row could not be placed at all: ``reason`` says which.
    REFUSED = "refused", "Refused"
    FAILED = "failed", "Failed"
