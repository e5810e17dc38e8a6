"""The messages an attendee receives: confirmation, waitlist, "you're in", and the reminder.

Each is text and HTML from the campaign's sender (the site's name, the configured address, as
the sign-up autoresponse sends), with a link to the attendance page to cancel or change shift
and, for a held place, the .ics and add-to-calendar links. The exact address of a private
place and the join link of a virtual event appear only here, and only to someone registered:
the waitlist message gives the public place alone.

Event mail is transactional: it goes to registered attendees whatever their marketing
subscription, but never to an address marked bouncing or complained (the marks the bounce
reader and imports set on the person's primary address).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from email import encoders
from email.mime.base import MIMEBase
from email.utils import formataddr, make_msgid, parseaddr

from django.conf import settings
from django.core import mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from groundswell.actions.autoresponse import DEFAULT_GREETING, greeting_name
from groundswell.actions.services import site_get
from groundswell.events.models import Attendance, AttendanceStatus, Event, EventStatus
from groundswell.events.notices.ics import (
    CalendarEntry,
    google_calendar_url,
    ics_build,
    outlook_calendar_url,
)
from groundswell.people.models import EmailStatus

logger = logging.getLogger(__name__)

CONFIRMATION = "confirmation"
WAITLIST = "waitlist"
PROMOTED = "promoted"
REMINDER = "reminder"
# Addresses that must not receive mail at all, transactional or not.
UNDELIVERABLE = {EmailStatus.BOUNCING, EmailStatus.PREVIOUS_BOUNCE, EmailStatus.SPAM_COMPLAINT}
# Events whose attendees hear nothing more from us.
SILENT_EVENTS = {EventStatus.CANCELLED, EventStatus.DECLINED}
SUBJECT_MAX = 150
# Without GROUNDSWELL_PUBLIC_URL a task has no request to build links from; the demo's address.
FALLBACK_BASE_URL = "http://localhost:8000"


def moment_text(moment: datetime, zone) -> str:
    """ "Sat, Mar 7, 10:00 AM EST": a moment in the event's zone, with the zone's abbreviation
    for that date (EST in winter, EDT in summer)."""
    local = moment.astimezone(zone)
    return f"{local:%a, %b} {local.day}, {_clock(local)} {local.tzname()}"


def span_text(starts_at: datetime, ends_at: datetime, zone) -> str:
    """A shift's start and end, the end's date repeated only when it differs."""
    start, end = starts_at.astimezone(zone), ends_at.astimezone(zone)
    if start.date() == end.date():
        if start.tzname() == end.tzname():
            return f"{start:%a, %b} {start.day}, {_clock(start)} – {_clock(end)} {end.tzname()}"
        return f"{moment_text(start, zone)} – {_clock(end)} {end.tzname()}"
    return f"{moment_text(start, zone)} – {moment_text(end, zone)}"


def _clock(local: datetime) -> str:
    return f"{local.hour % 12 or 12}:{local:%M %p}"


def recipient_address(person) -> str | None:
    """The person's primary address if event mail may go to it, else None."""
    if not person.primary_email or person.email_status in UNDELIVERABLE:
        return None
    return person.primary_email


def base_url() -> str:
    return (settings.GROUNDSWELL_PUBLIC_URL or FALLBACK_BASE_URL).rstrip("/")


def attendance_url(token: str) -> str:
    """The page where the attendee sees, cancels or changes their registration."""
    try:
        path = reverse("events:attendance", args=[token])
    except NoReverseMatch:
        # The public pages are built beside this package; until they are mounted the path is
        # the one they will answer at.
        path = f"/events/attendance/{token}/"
    return f"{base_url()}{path}"


def place_text(event: Event, *, held: bool) -> str:
    """Where the event happens, as this reader may know it: the join link or the street
    address only when they hold a place."""
    if event.is_virtual:
        return event.join_url if held and event.join_url else "Online"
    town = ", ".join(p for p in (event.city, f"{event.state} {event.zip_code}".strip()) if p)
    if event.address_private and not held:
        return town
    return ", ".join(p for p in (event.venue, event.address_line1, town) if p)


def _subject(kind: str, event: Event, when: str) -> str:
    # A host's title may hold line breaks or be long: one line, bounded, for the header.
    title = " ".join(event.title.split())[:SUBJECT_MAX]
    return {
        CONFIRMATION: f"You're signed up: {title}",
        WAITLIST: f"You're on the waitlist: {title}",
        PROMOTED: f"A place opened, you're in: {title}",
        REMINDER: f"Reminder: {title}, {when}",
    }[kind]


@dataclass
class Notice:
    """One message for one attendance, ready to send."""

    attendance: Attendance
    kind: str
    to: str
    message: mail.EmailMultiAlternatives


def notice_build(*, attendance: Attendance, kind: str, to: str, now: datetime, connection=None):
    """The message of ``kind`` for ``attendance`` (its shift, event and person selected)."""
    shift, event, person = attendance.shift, attendance.shift.event, attendance.person
    site = site_get()
    zone = event.tz
    held = kind != WAITLIST
    link = attendance_url(attendance.token)
    sender = formataddr((site.name, parseaddr(settings.DEFAULT_FROM_EMAIL)[1]))
    entry = CalendarEntry(
        uid=f"attendance-{attendance.pk}-shift-{shift.pk}@{_domain(sender)}",
        title=event.title,
        starts_at=shift.starts_at,
        ends_at=shift.ends_at,
        timezone=event.timezone,
        location=place_text(event, held=True),
        description=event.description,
        url=link,
        organizer_name=site.name,
        organizer_email=parseaddr(sender)[1],
        attendee_email=to,
    )
    context = {
        "kind": kind,
        "site": site,
        "event": event,
        "shift": shift,
        "greeting": greeting_name(person.given_name) or DEFAULT_GREETING,
        "when": span_text(shift.starts_at, shift.ends_at, zone),
        "place": place_text(event, held=held),
        "join_url": event.join_url if held and event.is_virtual else "",
        "attendance_url": link,
        "google_url": google_calendar_url(entry) if held else "",
        "outlook_url": outlook_calendar_url(entry) if held else "",
    }
    message = mail.EmailMultiAlternatives(
        subject=_subject(kind, event, moment_text(shift.starts_at, zone)),
        body=render_to_string("events/notices/message.txt", context),
        from_email=sender,
        to=[to],
        reply_to=[event.contact_email] if event.contact_email else None,
        headers={
            "Message-ID": make_msgid(domain=_domain(sender)),
            # Transactional: out-of-office replies and list tools should leave it alone.
            "Auto-Submitted": "auto-generated",
        },
        connection=connection,
    )
    html = render_to_string("events/notices/message.html", context)
    message.attach_alternative(html, "text/html")
    if held:
        message.attach(_ics_part(ics_build(entry, now=now)))
    return message


def _ics_part(payload: bytes) -> MIMEBase:
    # Built by hand: Django's attach() takes the part after "/" as the subtype, and calendar
    # clients look for method=REQUEST on the Content-Type itself.
    part = MIMEBase("text", "calendar", method="REQUEST", charset="utf-8")
    part.set_payload(payload)
    encoders.encode_base64(part)
    part.add_header("Content-Disposition", "attachment", filename="invite.ics")
    return part


def _domain(address: str) -> str:
    return parseaddr(address)[1].rpartition("@")[2] or "localhost"


def notice_kind(attendance: Attendance) -> str | None:
    """Which confirmation this attendance is owed now, or None if it has had it."""
    if attendance.shift.event.status in SILENT_EVENTS:
        return None
    told = attendance.notice_status
    cancelled, sent = attendance.cancelled_at, attendance.notice_sent_at
    if cancelled and sent and cancelled > sent:
        # Cancelled after the last notice and signed up again on the same row: a new sign-up.
        told = ""
    if attendance.status == AttendanceStatus.REGISTERED:
        if told == AttendanceStatus.REGISTERED:
            return None
        was_waiting = told == AttendanceStatus.WAITLISTED
        return PROMOTED if was_waiting or attendance.waitlisted_at else CONFIRMATION
    if attendance.status == AttendanceStatus.WAITLISTED:
        return None if told == AttendanceStatus.WAITLISTED else WAITLIST
    return None


def confirmations_send(*, attendance_ids: list[int], now: datetime | None = None) -> dict:
    """Send each attendance the confirmation it is owed (see ``notice_kind``), once.

    The attendance is claimed before the message goes (a conditional update on what it was
    last told), so two runs of the task send one message; a failed send gives the claim back.
    """
    now = now or timezone.now()
    counts = {"sent": 0, "skipped": 0, "failed": 0}
    attendances = Attendance.objects.filter(pk__in=attendance_ids).select_related(
        "shift__event", "person"
    )
    with mail.get_connection() as connection:
        for attendance in attendances:
            kind, to = notice_kind(attendance), recipient_address(attendance.person)
            if kind is None or to is None or attendance.shift.ends_at <= now:
                counts["skipped"] += 1
                continue
            # Compare-and-set on what the row said: a second run finds it changed.
            before = {
                "notice_status": attendance.notice_status,
                "notice_sent_at": attendance.notice_sent_at,
            }
            claimed = Attendance.objects.filter(
                pk=attendance.pk, status=attendance.status, **before
            ).update(notice_status=attendance.status, notice_sent_at=now)
            if not claimed:
                counts["skipped"] += 1
                continue
            try:
                notice_build(
                    attendance=attendance, kind=kind, to=to, now=now, connection=connection
                ).send()
            except Exception:
                logger.exception("event notice %s to attendance %s failed", kind, attendance.pk)
                Attendance.objects.filter(pk=attendance.pk, notice_sent_at=now).update(
                    notice_status=attendance.notice_status,
                    notice_sent_at=attendance.notice_sent_at,
                )
                counts["failed"] += 1
                continue
            counts["sent"] += 1
    return counts


def confirmation_enqueue(*, attendance_ids: list[int]) -> None:
    """Send these attendances their confirmation (or waitlist, or "you're in") message once the
    current transaction commits."""
    # Imported here: tasks.py imports this module (the app's own task, see development.md).
    from groundswell.events.notices.tasks import confirmations_deliver

    ids = sorted({int(pk) for pk in attendance_ids})
    if ids:
        transaction.on_commit(lambda: confirmations_deliver.enqueue(attendance_ids=ids))
