"""Events, their shifts (timeslots) and who comes to each.

An event is what a supporter finds on the list and the map; a shift is the unit they sign up
for (a canvass has a morning and an afternoon shift, a house party one). Times are stored in
UTC and shown in the event's own time zone (``Event.timezone``), so a reminder "24 hours
before" is computed in the zone the event happens in, DST included.

``Attendance`` is one person on one shift: unique per (shift, person), so a double click or a
retried request cannot register anyone twice. Its ``token`` signs the cancel and change links
in the confirmation and reminders. ``ReminderSent`` is the reminder ledger: one row per
attendance and offset, written before the message goes, so a restarted worker never sends a
reminder twice.
"""

from __future__ import annotations

import secrets
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.timezone import now as _now

from groundswell.core.models import TimeStampedModel
from groundswell.events.choices import (
    AttendanceStatus,
    EventStatus,
    EventType,
    ReceivedStatus,
    ReminderChannel,
    ReminderState,
    Repeat,
    Visibility,
)

__all__ = [
    "Attendance",
    "AttendanceStatus",
    "Event",
    "EventStatus",
    "EventType",
    "ReminderSent",
    "Repeat",
    "RsvpReceived",
    "Shift",
    "Visibility",
]

# Minutes before a shift's start at which reminders go, unless the event sets its own.
DEFAULT_REMINDER_MINUTES = [24 * 60, 2 * 60]


def _default_reminders() -> list[int]:
    return list(DEFAULT_REMINDER_MINUTES)


def _token() -> str:
    return secrets.token_urlsafe(24)


def timezone_validate(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(f"“{value}” is not a time zone (e.g. America/Chicago).") from exc


class Event(TimeStampedModel):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=120, unique=True)
    event_type = models.CharField(max_length=20, choices=EventType.choices)
    description = models.TextField(blank=True)
    status = models.CharField(
        max_length=20, choices=EventStatus.choices, default=EventStatus.DRAFT, db_index=True
    )
    visibility = models.CharField(
        max_length=20, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    timezone = models.CharField(
        max_length=64, default="America/New_York", validators=[timezone_validate]
    )

    # Where: a place, or a join link for a virtual event (sent to attendees only).
    is_virtual = models.BooleanField(default=False)
    join_url = models.URLField(max_length=500, blank=True)
    venue = models.CharField(max_length=200, blank=True)
    address_line1 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=2, blank=True)
    zip_code = models.CharField(max_length=5, blank=True, db_index=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    # The host's choice: the street address only to registered attendees (a house party).
    address_private = models.BooleanField(default=False)
    accessibility = models.TextField(blank=True, help_text="Step-free access, parking, ASL, …")

    # A supporter who hosts it (host-your-own, or a volunteer leader); null for staff events.
    host = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events_hosted",
    )
    contact_email = models.EmailField(blank=True)
    reminder_minutes = models.JSONField(default=_default_reminders, blank=True)
    # A recurring event: each shift staff enter repeats daily or weekly, at the same local
    # wall-clock time in ``timezone``, for ``repeat_count`` dates in all or until
    # ``repeat_until`` (whichever comes first); see ``events.recurrence``.
    repeat = models.CharField(max_length=10, choices=Repeat.choices, default=Repeat.NONE)
    repeat_count = models.PositiveSmallIntegerField(null=True, blank=True)
    repeat_until = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "visibility"])]

    def __str__(self) -> str:
        return self.title

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


class Shift(TimeStampedModel):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="shifts")
    label = models.CharField(max_length=100, blank=True)
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField()
    # Null: no limit. Registrations past it go to the waitlist, promoted in order.
    capacity = models.PositiveIntegerField(null=True, blank=True)
    # A date of a recurring event, made from the shift staff entered (``events.recurrence``);
    # null for a shift entered by hand.
    repeat_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="repeats"
    )

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="shift_ends_after_start"
            ),
            # A repeating shift makes each date once, even when two saves race.
            models.UniqueConstraint(fields=["repeat_of", "starts_at"], name="one_date_per_repeat"),
        ]

    def __str__(self) -> str:
        return f"{self.event} — {self.label or self.starts_at:%Y-%m-%d %H:%M}"


class Attendance(TimeStampedModel):
    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="attendances")
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="event_attendances"
    )
    status = models.CharField(
        max_length=20, choices=AttendanceStatus.choices, default=AttendanceStatus.REGISTERED
    )
    # None until the host takes the roster: True attended, False a no-show.
    attended = models.BooleanField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    # Volunteer minutes credited for the shift (its length unless the host says otherwise).
    minutes_credited = models.PositiveIntegerField(null=True, blank=True)
    is_walk_in = models.BooleanField(default=False)
    source = models.CharField(max_length=100, blank=True)
    refcode = models.CharField(max_length=100, blank=True)
    token = models.CharField(max_length=64, unique=True, default=_token)
    # Waitlist order: promoted in the order people asked.
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # The last notice claimed for this attendance (registered: the confirmation or "you're in";
    # waitlisted: "you are on the waitlist"), so a task run twice sends each one once.
    notice_status = models.CharField(max_length=20, blank=True)
    notice_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["shift", "person"], name="one_attendance_per_shift")
        ]
        indexes = [models.Index(fields=["shift", "status"])]

    def __str__(self) -> str:
        return f"{self.person_id} at {self.shift_id} ({self.status})"


class ReminderSent(models.Model):
    """The ledger of reminders: one row per attendance, offset and channel, inserted before the
    message goes (see ``events.notices.reminders``)."""

    Channel = ReminderChannel
    State = ReminderState

    attendance = models.ForeignKey(Attendance, on_delete=models.CASCADE, related_name="reminders")
    minutes_before = models.PositiveIntegerField()
    channel = models.CharField(
        max_length=5, choices=ReminderChannel.choices, default=ReminderChannel.EMAIL
    )
    state = models.CharField(
        max_length=10, choices=ReminderState.choices, default=ReminderState.SENT
    )
    sent_at = models.DateTimeField()
    # The provider's message id (an SMS) and, for a failure, its reason in its own words.
    provider_id = models.CharField(max_length=64, blank=True)
    detail = models.CharField(max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["attendance", "minutes_before", "channel"],
                name="one_reminder_per_offset_channel",
            )
        ]


class RsvpReceived(models.Model):
    """An RSVP as the public form received it, stored in one insert before it is acknowledged.

    The task worker places it (``events.received``): the person through the shared intake, an
    attendance on each chosen shift (registered or waitlisted), the timeline, the referral
    credit and the confirmation — in batches, one transaction each, so a surge of RSVPs costs
    the web process one insert apiece. While it waits, one row per event, address and set of
    shifts: a double click or a retried request finds the same row (``one_rsvp_pending``); the
    attendance's own unique key keeps one per person and shift after it is placed.
    """

    Status = ReceivedStatus

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rsvps_received")
    # The chosen shifts' ids in ascending order (the lock order), and the same as text for the
    # unique key ("12,15").
    shift_ids = models.JSONField(default=list)
    shift_key = models.CharField(max_length=200)
    email = models.CharField(max_length=254)
    # The person fields as posted and checked by the shared intake's cleaning (not yet upserted).
    person_data = models.JSONField(default=dict)
    source = models.CharField(max_length=100, blank=True)
    refcode = models.CharField(max_length=100, blank=True)
    ref = models.CharField(max_length=16, blank=True)
    referrer = models.CharField(max_length=500, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    received_at = models.DateTimeField(default=_now)
    status = models.CharField(
        max_length=10, choices=ReceivedStatus.choices, default=ReceivedStatus.RECEIVED
    )
    placed_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "email", "shift_key"],
                condition=Q(status="received"),
                name="one_rsvp_pending",
            )
        ]
        indexes = [
            models.Index(fields=["status", "id"]),
            models.Index(fields=["event", "status"]),
        ]

    def __str__(self) -> str:
        return f"RSVP {self.pk} for {self.event_id} ({self.status})"


from groundswell.events.host.models import EventHostKey, EventHostMessage  # noqa: E402, F401
from groundswell.events.ladder.models import LadderSnapshot, VolunteerProfile  # noqa: E402,F401
from groundswell.events.relational.models import RelationalContact, Relationship  # noqa: E402,F401
