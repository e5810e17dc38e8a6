"""The reminder by text message: who may get one and what it says.

A text goes only to a mobile number whose SMS consent is "subscribed" (what the RSVP form
records when a supporter ticks the box with their mobile); an unsubscribed, unknown or erased
number never gets one. Consent is read again just before sending, so a number unsubscribed
after the run computed its list is skipped. Replies (STOP) are the provider's business; their
effect reaches us as the number's ``sms_status``.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from groundswell.actions.services import site_get
from groundswell.events.models import Attendance
from groundswell.events.notices.messages import attendance_url, moment_text
from groundswell.people.models import Phone, PhoneType, SmsStatus

# One title's share of the text: with the time and the link the message stays within two
# SMS segments (306 GSM characters) for an ordinary campaign address.
TITLE_MAX = 60
SITE_MAX = 30


def textable_phones():
    """The phones a reminder may be texted to: mobile numbers with SMS consent."""
    return Phone.objects.filter(phone_type=PhoneType.MOBILE, sms_status=SmsStatus.SUBSCRIBED)


def textable_exists():
    """An ``Exists`` for an Attendance query: its person has a textable phone."""
    return Exists(textable_phones().filter(person_id=OuterRef("person_id")))


def textable_number(person) -> str | None:
    """The number to text ``person`` at (their primary consenting mobile first), or None."""
    phone = textable_phones().filter(person=person).order_by("-is_primary", "id").first()
    return phone.number if phone else None


def _short(text: str, limit: int) -> str:
    # Three dots, not "…": one character outside the GSM alphabet sends the whole text as
    # UCS-2, 70 characters a segment instead of 160.
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def sms_reminder_text(*, attendance: Attendance) -> str:
    """ "Groundswell: reminder, Door knock, Sat, Mar 7, 9:00 AM EST. Cancel or change: URL"
    — the shift's start in the event's own zone, with that date's abbreviation."""
    shift, event = attendance.shift, attendance.shift.event
    site = _short(site_get().name or "", SITE_MAX)
    when = moment_text(shift.starts_at, event.tz)
    head = f"{site}: reminder" if site else "Reminder"
    title = _short(event.title, TITLE_MAX)
    return f"{head}, {title}, {when}. Cancel or change: {attendance_url(attendance.token)}"
