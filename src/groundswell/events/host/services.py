"""Host-your-own events: a supporter's proposal, the host's key once staff approve it, the
host's roster and the messages a host sends their attendees.

A proposal upserts the host through the shared intake (consent, source, timeline, as an RSVP
does) and creates a PROPOSED event with one shift; staff approve or decline it on the staff
pages (``staff.event_approve``). Approval issues the host a key (``EventHostKey``) and mails
them its link once the approval commits. The key opens one event: every lookup here goes
through the key's event, so a host cannot name another event's attendance and have it found.

Nothing here trusts the proposal's text: it is stored as typed and escaped wherever it is
shown; the only link a host may give (a virtual event's join link) must be http or https.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import formataddr, make_msgid, parseaddr

from django.conf import settings
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from groundswell.accounts.services import audit_record
from groundswell.actions.autoresponse import DEFAULT_GREETING, greeting_name
from groundswell.actions.services import site_get
from groundswell.events.choices import AttendanceStatus, EventStatus, Visibility
from groundswell.events.host.models import EventHostKey, EventHostMessage
from groundswell.events.models import Attendance, Event, Shift
from groundswell.events.notices.messages import base_url, recipient_address, span_text
from groundswell.events.staff import slug_unique
from groundswell.people.choices import ConsentMethod
from groundswell.people.intake import person_input_clean
from groundswell.people.services import IntakeContext, ItemExtra, people_upsert

logger = logging.getLogger(__name__)

ACTIVITY_KIND = "event_proposed"
PROPOSAL_SOURCE = "host-your-own"
# Proposals one person may have waiting for staff at once: a spammer's flood stops here even
# from many networks; a real host rarely has more than one.
PENDING_PER_PERSON = 3
# Messages a host may send their attendees per event in a day, counted from the records.
MESSAGES_PER_DAY = 3
MESSAGE_WINDOW = timedelta(hours=24)
SUBJECT_MAX = 150
BODY_MAX = 5000
AUDIT_KEY = "events.host_key"
AUDIT_ACTIONS = ((AUDIT_KEY, "Host link revoked or sent anew"),)


class ProposalRefused(Exception):
    """The proposal cannot be taken (too many waiting, or the intake refused the person)."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


class HostMessageRefused(Exception):
    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


@dataclass
class Proposal:
    """A cleaned proposal: the event's fields and its one shift."""

    fields: dict
    starts_at: datetime
    ends_at: datetime
    capacity: int | None


# ---------------------------------------------------------------- proposing


def _host_upsert(*, person_data: dict, title: str, ip_address: str | None) -> int:
    raw = {k: str(v) for k, v in person_data.items() if v}
    raw["source"] = PROPOSAL_SOURCE
    data, errors = person_input_clean(raw)
    if errors:
        raise ProposalRefused(
            {(e.field or "form"): e.reason[:1].upper() + e.reason[1:] + "." for e in errors}
        )
    [result] = people_upsert(
        [data],
        context=IntakeContext(
            method=ConsentMethod.FORM,
            source="Host-your-own /events/host/",
            ip_address=ip_address,
            activity_kind=ACTIVITY_KIND,
            activity_summary=f"Proposed the event “{' '.join(title.split())}”"[:300],
            always_record=True,
        ),
        extras=[ItemExtra(ip_address=ip_address)],
    )
    return result.person_id


def _slug(title: str) -> str:
    # slug_unique steps around the public pages' own paths (RESERVED_SLUGS).
    return slug_unique(title)


def event_propose(*, person_data: dict, proposal: Proposal, ip_address: str | None = None) -> Event:
    """Create a PROPOSED event hosted by the person (upserted), with one shift."""
    with transaction.atomic():
        person_id = _host_upsert(
            person_data=person_data, title=proposal.fields["title"], ip_address=ip_address
        )
        waiting = Event.objects.filter(host_id=person_id, status=EventStatus.PROPOSED).count()
        if waiting >= PENDING_PER_PERSON:
            raise ProposalRefused(
                {"form": "You already have events waiting for the campaign to review."}
            )
        event = Event.objects.create(
            **proposal.fields,
            slug=_slug(proposal.fields["title"]),
            status=EventStatus.PROPOSED,
            visibility=Visibility.PUBLIC,
            host_id=person_id,
            contact_email=person_data.get("email", "")[:254],
        )
        Shift.objects.create(
            event=event,
            starts_at=proposal.starts_at,
            ends_at=proposal.ends_at,
            capacity=proposal.capacity,
        )
    logger.info("event %s proposed by person %s", event.pk, person_id)
    return event


# ---------------------------------------------------------------- the host's key


def host_key_get(*, token: str) -> EventHostKey | None:
    """The live key a host link names, with its event and person; None for anything else."""
    if not token or len(token) > 64 or not token.isascii() or not token.isprintable():
        return None
    return (
        EventHostKey.objects.select_related("event", "person")
        .filter(token=token, revoked_at__isnull=True)
        .exclude(event__status__in=[EventStatus.PROPOSED, EventStatus.DECLINED])
        .first()
    )


def host_key_issue(*, event: Event) -> tuple[EventHostKey, bool]:
    """The event's live key for its host, made if there is none: (key, made now)."""
    live = EventHostKey.objects.filter(
        event=event, person_id=event.host_id, revoked_at__isnull=True
    ).first()
    if live is not None:
        return live, False
    return EventHostKey.objects.create(event=event, person_id=event.host_id), True


def host_key_revoke(*, key: EventHostKey, now: datetime | None = None) -> EventHostKey:
    """Close a host link for good (issue a new key to give the host another)."""
    EventHostKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(
        revoked_at=now or timezone.now()
    )
    key.refresh_from_db()
    return key


def host_link_revoke(*, event: Event, actor, ip_address: str | None = None) -> int:
    """Staff close every live host link of the event; returns how many were closed."""
    closed = EventHostKey.objects.filter(event=event, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    audit_record(
        actor=actor,
        action=AUDIT_KEY,
        summary=f"revoked the host link of “{event.title}”"[:500],
        target=event,
        details={"revoked": closed},
        ip_address=ip_address,
    )
    return closed


def host_link_resend(*, event: Event, actor, ip_address: str | None = None) -> bool:
    """Staff close the event's host link and mail its host a new one (a lost or leaked link).
    False when there is no host to send to, or the event is not published."""
    with transaction.atomic():
        host_link_revoke(event=event, actor=actor, ip_address=ip_address)
    return host_approval_send(event_id=event.pk)


def host_url(key: EventHostKey) -> str:
    return f"{base_url()}{reverse('events:host_page', args=[key.token])}"


def _sender() -> str:
    return formataddr((site_get().name, parseaddr(settings.DEFAULT_FROM_EMAIL)[1]))


def host_approval_send(*, event_id: int) -> bool:
    """Mail the host of an approved event the link to its roster, once (a key issued, a
    message sent; a failed send takes the key back so a retry sends again)."""
    event = Event.objects.select_related("host").filter(pk=event_id).first()
    if event is None or event.host is None or event.status != EventStatus.PUBLISHED:
        return False
    to = recipient_address(event.host)
    if to is None:
        return False
    key, made = host_key_issue(event=event)
    if not made:
        return False
    shift = event.shifts.order_by("starts_at").first()
    greeting = greeting_name(event.host.given_name) or DEFAULT_GREETING
    title = " ".join(event.title.split())[:SUBJECT_MAX]
    when = span_text(shift.starts_at, shift.ends_at, event.tz) if shift else ""
    body = (
        f"Hi {greeting},\n\n"
        f"Your event “{title}” ({when}) is approved and open for sign-ups:\n"
        f"{base_url()}{reverse('events:detail', args=[event.slug])}\n\n"
        "Your host page shows who signed up, lets you check people in on the day and send "
        "your attendees a message. Keep this link to yourself: anyone holding it can see "
        f"your roster.\n{host_url(key)}\n\nThank you for hosting!\n{site_get().name}\n"
    )
    sender = _sender()
    message = mail.EmailMessage(
        subject=f"Your event is approved: {title}",
        body=body,
        from_email=sender,
        to=[to],
        headers={"Message-ID": make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2])},
    )
    try:
        message.send()
    except Exception:
        logger.exception("host link for event %s failed to send", event.pk)
        key.delete()
        return False
    return True


def host_approval_enqueue(*, event_id: int) -> None:
    """Send the host their link once the approval commits (called by ``staff.event_approve``)."""
    from groundswell.events.host.tasks import host_approval_deliver

    transaction.on_commit(lambda: host_approval_deliver.enqueue(event_id=event_id))


# ---------------------------------------------------------------- the roster and messages


def host_attendance_get(*, key: EventHostKey, attendance_id: int | None) -> Attendance | None:
    """An attendance of the key's own event, or None: ids of other events are not found."""
    if not attendance_id:
        return None
    return (
        Attendance.objects.select_related("shift")
        .filter(pk=attendance_id, shift__event_id=key.event_id)
        .first()
    )


def host_roster(*, key: EventHostKey) -> list[Attendance]:
    """Everyone on the key's event, by shift then sign-up; nobody from any other event."""
    return list(
        Attendance.objects.filter(shift__event_id=key.event_id)
        .select_related("shift", "person")
        .order_by("shift__starts_at", "shift_id", "created_at", "pk")
    )


def host_message_send(
    *, key: EventHostKey, subject: str, body: str, now: datetime | None = None
) -> EventHostMessage:
    """Record a host's message to the event's registered attendees and send it once the record
    commits. At most ``MESSAGES_PER_DAY`` per event a day."""
    subject = " ".join(subject.split())[:SUBJECT_MAX]
    body = body.strip()[:BODY_MAX]
    if not subject or not body:
        raise HostMessageRefused("Write a subject and a message.")
    now = now or timezone.now()
    with transaction.atomic():
        # The event row's lock serialises two sends racing for the last message of the day.
        Event.objects.select_for_update().filter(pk=key.event_id).first()
        recent = EventHostMessage.objects.filter(
            event_id=key.event_id, created_at__gt=now - MESSAGE_WINDOW
        ).count()
        if recent >= MESSAGES_PER_DAY:
            raise HostMessageRefused(
                f"You can send {MESSAGES_PER_DAY} messages a day; try again tomorrow."
            )
        record = EventHostMessage.objects.create(
            event_id=key.event_id, key=key, subject=subject, body=body
        )
        from groundswell.events.host.tasks import host_message_deliver

        transaction.on_commit(lambda: host_message_deliver.enqueue(message_id=record.pk))
    return record


def host_message_deliver_now(*, message_id: int, now: datetime | None = None) -> int:
    """Send a recorded host message to the event's registered attendees, once: the record is
    claimed (``sent_at`` set) before anything goes. Returns how many it went to."""
    now = now or timezone.now()
    if not EventHostMessage.objects.filter(pk=message_id, sent_at__isnull=True).update(sent_at=now):
        return 0
    record = EventHostMessage.objects.select_related("event", "key__person").get(pk=message_id)
    event = record.event
    people = {
        a.person_id: a.person
        for a in Attendance.objects.filter(
            shift__event=event, status=AttendanceStatus.REGISTERED
        ).select_related("person")
    }
    host_name = record.key.person.given_name or "Your host"
    sender = _sender()
    sent = 0
    with mail.get_connection() as connection:
        for person in people.values():
            to = recipient_address(person)
            if to is None:
                continue
            body = (
                f"{record.body}\n\n— {host_name}, host of “{' '.join(event.title.split())}”\n"
                f"(Sent through {site_get().name}; you signed up for this event.)\n"
            )
            try:
                mail.EmailMessage(
                    subject=record.subject,
                    body=body,
                    from_email=sender,
                    to=[to],
                    connection=connection,
                    headers={"Auto-Submitted": "auto-generated"},
                ).send()
            except Exception:
                logger.exception("host message %s to person %s failed", record.pk, person.pk)
                continue
            sent += 1
    EventHostMessage.objects.filter(pk=record.pk).update(recipients=sent)
    return sent
