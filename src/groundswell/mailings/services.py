"""Writes of the mailings app: sender identities, mailings, sending, unsubscribing."""

from __future__ import annotations

import logging
import secrets
from dataclasses import replace
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from groundswell.accounts.roles import MAILINGS_SEND
from groundswell.accounts.services import audit_record
from groundswell.mailings.compose import MessageContent, content_check
from groundswell.mailings.message import (
    NotReady,
    Recipient,
    envelope_for,
    message_build,
)
from groundswell.mailings.models import (
    Delivery,
    KindOptOut,
    Mailing,
    MailingKind,
    MailingStatus,
    SenderIdentity,
)
from groundswell.mailings.recipients import recipients_summary
from groundswell.mailings.transport import Transport
from groundswell.people.models import ConsentMethod, EmailAddress, EmailStatus
from groundswell.people.services import activity_record, email_status_set

logger = logging.getLogger(__name__)

# Audit log actions of this app (accounts.AuditEvent.action is free text beyond its choices).
AUDIT_SEND = "mailing_send"
AUDIT_CONTROL = "mailing_control"
AUDIT_TEST = "mailing_test"


class ConfirmationNeeded(ValueError):
    """A send to more recipients than GROUNDSWELL_MAILING_CONFIRM_ABOVE, not yet confirmed."""

    def __init__(self, recipients: int):
        super().__init__(f"Type the number of recipients ({recipients:,}) to confirm the send.")
        self.recipients = recipients


def _require_send(actor) -> None:
    if not actor.can(MAILINGS_SEND):
        raise PermissionError("Your role may not send mailings.")


@transaction.atomic
def sender_identity_save(*, sender: SenderIdentity, actor) -> SenderIdentity:
    """Save a sender identity; the one marked default takes over from the previous default."""
    _require_send(actor)
    if sender.is_default:
        SenderIdentity.objects.exclude(pk=sender.pk).filter(is_default=True).update(
            is_default=False
        )
    elif not SenderIdentity.objects.exclude(pk=sender.pk).filter(is_default=True).exists():
        sender.is_default = True  # the first identity is the default
    sender.save()
    return sender


def mailing_save(*, mailing: Mailing, actor) -> Mailing:
    """Save a draft or scheduled mailing after checking its merge fields (MergeFieldError)."""
    _require_send(actor)
    if not mailing.is_editable:
        raise NotReady("A mailing that has started sending cannot be edited.")
    content_check(MessageContent(subject=mailing.subject, html=mailing.html, text=mailing.text))
    if mailing.created_by_id is None:
        mailing.created_by = actor
    mailing.save()
    return mailing


def _ready_check(mailing: Mailing) -> dict:
    if not mailing.is_editable:
        raise NotReady(f"This mailing is {mailing.get_status_display().lower()}.")
    content_check(MessageContent(subject=mailing.subject, html=mailing.html, text=mailing.text))
    envelope_for(mailing)  # NotReady: no "Paid for by" or postal address
    summary = recipients_summary(mailing=mailing)
    if summary["recipients"] == 0:
        raise NotReady("No one in the segment may be mailed (see the removals).")
    return summary


def _confirm(summary: dict, confirmed: int | None) -> None:
    if summary["recipients"] > settings.GROUNDSWELL_MAILING_CONFIRM_ABOVE and (
        confirmed != summary["recipients"]
    ):
        raise ConfirmationNeeded(summary["recipients"])


def mailing_send(
    *,
    mailing: Mailing,
    actor,
    confirmed: int | None = None,
    base_url: str = "",
    ip_address: str | None = None,
) -> Mailing:
    """Start sending now: the workers write the ledger and deliver it (see ``sender``)."""
    _require_send(actor)
    summary = _ready_check(mailing)
    _confirm(summary, confirmed)
    with transaction.atomic():
        locked = Mailing.objects.select_for_update().get(pk=mailing.pk)
        if not locked.is_editable:
            raise NotReady("This mailing has already started.")
        mailing.status = MailingStatus.SENDING
        mailing.started_at = mailing.heartbeat_at = timezone.now()
        mailing.scheduled_at = None
        mailing.link_base = base_url.rstrip("/")
        mailing.removed = summary["removed"]
        mailing.save()
        audit_record(
            actor=actor,
            action=AUDIT_SEND,
            summary=f"sent mailing {mailing.name!r} to {summary['recipients']:,} recipients",
            target=mailing,
            details={"recipients": summary["recipients"], "removed": summary["removed"]},
            ip_address=ip_address,
        )
        transaction.on_commit(lambda: workers_start(mailing_id=mailing.pk))
    return mailing


def mailing_schedule(
    *,
    mailing: Mailing,
    actor,
    when: datetime,
    confirmed: int | None = None,
    base_url: str = "",
    ip_address: str | None = None,
) -> Mailing:
    """Send at ``when`` (the periodic job starts it); checked now as a send would be."""
    _require_send(actor)
    if when <= timezone.now():
        raise NotReady("Choose a time in the future, or send now.")
    summary = _ready_check(mailing)
    _confirm(summary, confirmed)
    with transaction.atomic():
        mailing.status = MailingStatus.SCHEDULED
        mailing.scheduled_at = when
        mailing.link_base = base_url.rstrip("/")
        mailing.save()
        audit_record(
            actor=actor,
            action=AUDIT_SEND,
            summary=f"scheduled mailing {mailing.name!r} for {when:%Y-%m-%d %H:%M %Z}",
            target=mailing,
            details={"recipients_now": summary["recipients"], "scheduled_at": when.isoformat()},
            ip_address=ip_address,
        )
    return mailing


# What each control does: from which statuses, to which.
CONTROLS = {
    "pause": ({MailingStatus.SENDING}, MailingStatus.PAUSED),
    "resume": ({MailingStatus.PAUSED}, MailingStatus.SENDING),
    "cancel": (
        {MailingStatus.SENDING, MailingStatus.PAUSED, MailingStatus.SCHEDULED},
        MailingStatus.CANCELLED,
    ),
}


def mailing_control(*, mailing: Mailing, action: str, actor, ip_address: str | None = None) -> bool:
    """Pause, resume or cancel; workers notice between messages. False if not applicable."""
    _require_send(actor)
    sources, target = CONTROLS[action]
    with transaction.atomic():
        changes = {"status": target}
        if target == MailingStatus.CANCELLED:
            changes["finished_at"] = timezone.now()
        if target == MailingStatus.SENDING:
            changes["heartbeat_at"] = timezone.now()
        done = Mailing.objects.filter(pk=mailing.pk, status__in=sources).update(**changes)
        if not done:
            return False
        audit_record(
            actor=actor,
            action=AUDIT_CONTROL,
            summary=f"{action} mailing {mailing.name!r}",
            target=mailing,
            ip_address=ip_address,
        )
        if target == MailingStatus.SENDING:
            transaction.on_commit(lambda: workers_start(mailing_id=mailing.pk))
    mailing.refresh_from_db()
    return True


def mailing_test_send(*, mailing: Mailing, actor, base_url: str = "") -> str:
    """Send the mailing once to the staff member's own address, merged with their name."""
    _require_send(actor)
    if not actor.email:
        raise NotReady("Your account has no e-mail address to send the test to.")
    content_check(MessageContent(subject=mailing.subject, html=mailing.html, text=mailing.text))
    mailing.link_base = mailing.link_base or base_url.rstrip("/")
    envelope = envelope_for(mailing)
    # No tracking in a test: its token is no delivery's, so a tracked link would lead nowhere.
    envelope = replace(
        envelope,
        content=replace(envelope.content, subject=f"[Test] {mailing.subject}"),
        track=False,
    )
    # A token no delivery has: the test's unsubscribe link leads to "not found", not to an
    # unsubscribe of whoever pressed it.
    recipient = Recipient(
        token="test-" + secrets.token_urlsafe(8),
        address=actor.email,
        merge={"first_name": actor.first_name, "last_name": actor.last_name, "email": actor.email},
    )
    message = message_build(envelope, recipient)
    transport = Transport()
    try:
        transport.ensure_open()
        transport.send(message, envelope_from=envelope.return_path, dkim=None)
    finally:
        transport.close()
    audit_record(
        actor=actor, action=AUDIT_TEST, summary=f"test of {mailing.name!r}", target=mailing
    )
    return actor.email


def workers_start(*, mailing_id: int) -> None:
    """Enqueue the send's worker tasks (each claims its own batches)."""
    # tasks.py imports this module; the task is imported where it is enqueued.
    from groundswell.mailings.tasks import mailing_deliver

    for _ in range(settings.GROUNDSWELL_MAILING_WORKERS):
        mailing_deliver.enqueue(mailing_id=mailing_id)


def mailings_start_due(*, now: datetime | None = None) -> list[int]:
    """Start scheduled mailings whose time has come, and restart sends whose workers died
    (no heartbeat for two minutes: the task was lost, or a worker was killed)."""
    now = now or timezone.now()
    started = []
    for pk in Mailing.objects.filter(
        status=MailingStatus.SCHEDULED, scheduled_at__lte=now
    ).values_list("pk", flat=True):
        with transaction.atomic():
            if Mailing.objects.filter(pk=pk, status=MailingStatus.SCHEDULED).update(
                status=MailingStatus.SENDING, started_at=now, heartbeat_at=now
            ):
                transaction.on_commit(lambda pk=pk: workers_start(mailing_id=pk))
                started.append(pk)
    stale = now - timezone.timedelta(minutes=2)
    for pk in Mailing.objects.filter(
        status=MailingStatus.SENDING, heartbeat_at__lt=stale
    ).values_list("pk", flat=True):
        # Touch the heartbeat first so two sweeps do not both restart it.
        if Mailing.objects.filter(pk=pk, heartbeat_at__lt=stale).update(heartbeat_at=now):
            logger.warning("mailing %s had no live worker; restarting its workers", pk)
            workers_start(mailing_id=pk)
            started.append(pk)
    return started


# ---------------------------------------------------------------- unsubscribing

UNSUBSCRIBE_ALL = "all"


@transaction.atomic
def delivery_unsubscribe(
    *,
    delivery: Delivery,
    scope: str = UNSUBSCRIBE_ALL,
    ip_address: str | None = None,
    via: str = "link",
) -> bool:
    """The recipient of ``delivery`` stops all e-mail (a ConsentEvent, via people's services)
    or just this mailing's kind; a timeline entry either way. False if nothing changed.
    ``via`` is "link" (the page or the one-click POST) or "mailto" (a mail to the
    List-Unsubscribe address), named in the consent history's source."""
    mailing = delivery.mailing
    source = f"mailing {mailing.name}" + (" (unsubscribe by e-mail)" if via == "mailto" else "")
    source = source[:300]
    person = delivery.person
    if scope == UNSUBSCRIBE_ALL:
        email = EmailAddress.objects.filter(address=delivery.address).first()
        changed = email is not None and email_status_set(
            email=email,
            status=EmailStatus.UNSUBSCRIBED,
            method=ConsentMethod.UNSUBSCRIBE_LINK,
            source=source,
            ip_address=ip_address,
        )
        summary = f"Unsubscribed from all e-mail ({delivery.address}) via {source}"
    else:
        _, changed = KindOptOut.objects.get_or_create(
            person=person, kind=mailing.kind, defaults={"source": source}
        )
        summary = f"Stopped {MailingKind(mailing.kind).label.lower()} e-mails via {source}"
    if changed:
        activity_record(
            person=person,
            kind="mailing_unsubscribe",
            summary=summary,
            data={"mailing": mailing.pk, "scope": scope},
            dedupe_key=f"mailing-unsub:{delivery.pk}:{scope}",
        )
    return bool(changed)


def delivery_address_for(token: str) -> str | None:
    """The address a delivery (by its token, as in X-Groundswell-Delivery) was sent to; None
    for a token of ours that does not exist (forged, or from another install)."""
    if not isinstance(token, str) or not 8 <= len(token) <= 64:
        return None
    return Delivery.objects.filter(token=token).values_list("address", flat=True).first()
