"""Bounces and complaints applied to people: consent history, timeline, suppression.

Every change goes through people's services, so each suppression writes a `ConsentEvent`
(method "bounce" or "complaint", with the mailbox or provider as its source) and a line on the
person's timeline. Applying the same events twice changes nothing more: status changes are
no-ops when the status is already so, and every timeline row carries a dedupe key built from
the message we sent (its Message-ID or our token) and the recipient.

What a forged report can do: anyone can send a DSN or an ARF report to the bounce address. Until
the send ledger exists, the only check here is that the address is in our database (a report
about an address we do not know is skipped and logged). With the ledger, the send path registers
a `delivery_lookup` that maps our signed delivery token to the address it was sent to; an event
that carries a token is then tied to a real message. An event whose token no lookup knows is
still applied by its address (the ledger is the place to refuse untokened reports once every
message carries a token).
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from django.db import transaction
from django.utils import timezone

from groundswell.mailings.bounces.parse import Bounce, Complaint
from groundswell.mailings.bounces.policy import (
    SOFT_LIMIT,
    SOFT_WINDOW,
    Verdict,
    suppression_advise,
)
from groundswell.people.models import Activity, ConsentMethod, EmailAddress, EmailStatus
from groundswell.people.services import activity_record, email_status_set

logger = logging.getLogger(__name__)

# Timeline kinds written here.
KIND_BOUNCED = "email_bounced"  # a hard bounce, or the soft bounce that reached the threshold
KIND_SOFT = "email_soft_bounce"  # one counted soft bounce (the rows the threshold counts)
KIND_COMPLAINT = "email_complaint"

# Statuses a hard bounce does not overwrite: the person's own choice and a complaint say more
# (an unsubscribed address that bounces stays unsubscribed; it is not mailed either way).
_KEEP_ON_BOUNCE = {EmailStatus.UNSUBSCRIBED, EmailStatus.SPAM_COMPLAINT, EmailStatus.BOUNCING}

# ---------------------------------------------------------------- delivery lookup (a registry)

DeliveryLookup = Callable[[str], str | None]
_lookups: list[DeliveryLookup] = []


def delivery_lookup_register(lookup: DeliveryLookup) -> None:
    """Register how a delivery token maps to the address it was sent to.

    The send path calls this in `MailingsConfig.ready()` once its ledger exists: `lookup(token)`
    verifies the token's signature and returns the recipient's address, or None for a token it
    does not know (forged, altered, or from another install). By default no lookup is
    registered, and an event is identified by its recipient address alone.
    """
    if lookup not in _lookups:
        _lookups.append(lookup)


def delivery_lookup_unregister(lookup: DeliveryLookup) -> None:
    if lookup in _lookups:
        _lookups.remove(lookup)


def _token_address(token: str) -> str | None:
    for lookup in _lookups:
        address = lookup(token)
        if address:
            return address
    return None


# ---------------------------------------------------------------- applying events


@dataclass
class ApplyResult:
    """What one batch of events did, for logs and the command's output."""

    suppressed: list[str] = field(default_factory=list)  # addresses suppressed now
    counted: int = 0  # soft bounces newly counted (below the threshold)
    repeated: int = 0  # events already applied earlier (nothing changed)
    unknown: int = 0  # no address, or an address not in our database
    ignored: int = 0  # delivery reports and "not spam"

    def merge(self, other: ApplyResult) -> None:
        self.suppressed += other.suppressed
        self.counted += other.counted
        self.repeated += other.repeated
        self.unknown += other.unknown
        self.ignored += other.ignored


def bounce_events_apply(
    *,
    events: Iterable[Bounce | Complaint],
    source: str,
    report_id: str = "",
    now: datetime | None = None,
) -> ApplyResult:
    """Apply parsed bounces and complaints to the people they name.

    `source` says where the events came from ("maildir:///var/mail/bounces", "postmark
    webhook"); it goes into the consent history. `report_id` (the bounce message's own
    Message-ID, or the provider's event id) keys an event that names neither our Message-ID nor
    our token, so re-reading the same report still counts it once. Each event is applied in its
    own transaction.
    """
    now = now or timezone.now()
    result = ApplyResult()
    for event in events:
        with transaction.atomic():
            _event_apply(event, source=source, report_id=report_id, now=now, result=result)
    return result


def _address_find(event: Bounce | Complaint) -> EmailAddress | None:
    address = event.recipient.strip().lower()
    if event.token:
        # A token our ledger knows names the real recipient (a redacted ARF report has only it).
        address = (_token_address(event.token) or address).strip().lower()
    if not address:
        return None
    # Locked for the event's transaction: two readers applying soft bounces of one address at
    # once count them one after the other (else both could see two and neither suppress).
    return (
        EmailAddress.objects.select_related("person")
        .select_for_update(of=("self",))
        .filter(address=address)
        .first()
    )


def _dedupe_key(kind: str, event: Bounce | Complaint, report_id: str, address: str) -> str:
    """A key for one event about one recipient: the message we sent, else the report."""
    origin = event.token or event.message_id or report_id
    if not origin:
        # Nothing names the message: the report's own words do, so a re-read is still one row.
        origin = "|".join(
            str(getattr(event, name, "")) for name in ("action", "status", "diagnostic")
        )
    digest = hashlib.sha256(f"{origin}\n{address}".encode()).hexdigest()[:40]
    return f"{kind}:{digest}"


def _clean(text: str) -> str:
    """Text a database stores (PostgreSQL refuses NUL) and UTF-8 encodes (no lone surrogate)."""
    return text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


def _event_clean(event: Bounce | Complaint) -> Bounce | Complaint:
    """The event's words as a hostile report may have written them, made storable."""
    changes = {
        name: _clean(value)
        for name, value in vars(event).items()
        if isinstance(value, str) and not isinstance(value, StrEnum)
    }
    return dataclasses.replace(event, **changes)


def _event_apply(
    event: Bounce | Complaint, *, source: str, report_id: str, now: datetime, result: ApplyResult
) -> None:
    event = _event_clean(event)
    source, report_id = _clean(source), _clean(report_id)
    email = _address_find(event)
    if email is None:
        # Not ours (or a forged report about a stranger): nothing to suppress.
        logger.info("bounce: no address of ours in an event from %s", source[:100])
        result.unknown += 1
        return
    if isinstance(event, Complaint):
        _complaint_apply(event, email=email, source=source, report_id=report_id, result=result)
    elif event.hard:
        _hard_apply(event, email=email, source=source, report_id=report_id, result=result)
    elif event.soft:
        _soft_apply(event, email=email, source=source, report_id=report_id, now=now, result=result)
    else:
        result.ignored += 1


def _detail(event: Bounce) -> str:
    return " ".join(part for part in (event.status, event.diagnostic[:200]) if part)


def _suppress(*, email: EmailAddress, status: str, method: str, source: str, reason: str) -> bool:
    return email_status_set(
        email=email, status=status, method=method, source=f"{source[:150]}: {reason}"[:300]
    )


def _hard_apply(
    event: Bounce, *, email: EmailAddress, source: str, report_id: str, result: ApplyResult
) -> None:
    advice = suppression_advise(event=event, now=timezone.now())
    changed = False
    if email.status not in _KEEP_ON_BOUNCE:
        changed = _suppress(
            email=email,
            status=EmailStatus.BOUNCING,
            method=ConsentMethod.BOUNCE,
            source=source,
            reason=advice.reason,
        )
    detail = _detail(event)
    recorded = activity_record(
        person=email.person,
        kind=KIND_BOUNCED,
        summary=f"E-mail to {email.address} bounced{': ' + detail if detail else ''}",
        data=_data(event, email=email, source=source),
        dedupe_key=_dedupe_key(KIND_BOUNCED, event, report_id, email.address),
    )
    if changed:
        result.suppressed.append(email.address)
    elif recorded is None:
        result.repeated += 1
    else:
        result.ignored += 1  # already suppressed for another reason; the bounce is on record


def _soft_apply(
    event: Bounce,
    *,
    email: EmailAddress,
    source: str,
    report_id: str,
    now: datetime,
    result: ApplyResult,
) -> None:
    """Count one soft bounce (a timeline row keyed on the message and recipient, so a re-read
    mailbox never counts it twice); suppress when the rows of the window reach the limit."""
    detail = _detail(event)
    row = activity_record(
        person=email.person,
        kind=KIND_SOFT,
        summary=f"E-mail to {email.address} was not delivered for now"
        f"{': ' + detail if detail else ''}",
        data=_data(event, email=email, source=source),
        occurred_at=now,
        dedupe_key=_dedupe_key(KIND_SOFT, event, report_id, email.address),
    )
    if row is None:
        result.repeated += 1
        return
    earlier = list(
        Activity.objects.filter(
            person_id=email.person_id,
            kind=KIND_SOFT,
            occurred_at__gte=now - SOFT_WINDOW,
            occurred_at__lte=now,
            data__address=email.address,
        )
        .exclude(pk=row.pk)
        .values_list("occurred_at", flat=True)
    )
    advice = suppression_advise(
        event=event, earlier_soft=earlier, now=now, soft_limit=SOFT_LIMIT, soft_window=SOFT_WINDOW
    )
    if advice.verdict is not Verdict.SUPPRESS or email.status in _KEEP_ON_BOUNCE:
        result.counted += 1
        return
    _suppress(
        email=email,
        status=EmailStatus.BOUNCING,
        method=ConsentMethod.BOUNCE,
        source=source,
        reason=advice.reason,
    )
    activity_record(
        person=email.person,
        kind=KIND_BOUNCED,
        summary=f"E-mail to {email.address} bounced: {advice.reason}",
        data=_data(event, email=email, source=source),
        occurred_at=now,
        dedupe_key=_dedupe_key(KIND_BOUNCED, event, report_id, email.address),
    )
    result.suppressed.append(email.address)


def _complaint_apply(
    event: Complaint, *, email: EmailAddress, source: str, report_id: str, result: ApplyResult
) -> None:
    advice = suppression_advise(event=event, now=timezone.now())
    if advice.verdict is not Verdict.SUPPRESS:
        result.ignored += 1
        return
    changed = False
    if email.status != EmailStatus.SPAM_COMPLAINT:
        changed = _suppress(
            email=email,
            status=EmailStatus.SPAM_COMPLAINT,
            method=ConsentMethod.COMPLAINT,
            source=source,
            reason=advice.reason,
        )
    recorded = activity_record(
        person=email.person,
        kind=KIND_COMPLAINT,
        summary=f"Marked an e-mail to {email.address} as spam ({event.feedback_type})",
        data={
            "address": email.address,
            "feedback_type": event.feedback_type[:50],
            "message_id": event.message_id[:300],
            "source": source[:200],
        },
        dedupe_key=_dedupe_key(KIND_COMPLAINT, event, report_id, email.address),
    )
    if changed:
        result.suppressed.append(email.address)
    elif recorded is None:
        result.repeated += 1
    else:
        result.ignored += 1


def _data(event: Bounce, *, email: EmailAddress, source: str) -> dict:
    return {
        "address": email.address,
        "action": str(event.action),
        "status": event.status,
        "diagnostic": event.diagnostic[:300],
        "message_id": event.message_id[:300],
        "source": source[:200],
    }
