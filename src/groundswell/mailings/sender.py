"""The send path: the ledger written from a checkpoint, and workers that deliver it at most once.

A send is a set of ``Delivery`` rows (the ledger). Any number of workers, in any number of
processes or machines sharing the database, run ``mailing_work``: each claims a batch of queued
rows (``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two workers never get the same
batch; SQLite has no row locks, so run one worker there), then for each message:

1. renders it;
2. in ONE committed transaction: marks the previous message ``sent`` (the server accepted it)
   and this one ``sending`` — but only if it is still queued, still ours, and the person may
   still be mailed (an unsubscribe made mid-send stops the rest);
3. hands it to the SMTP server over the worker's one reused connection.

**At most once, not exactly once.** A row is ``sending`` before the SMTP transaction starts, and
nothing ever sends a ``sending`` row again. A worker killed (kill -9, OOM, a redeploy) between
steps 2 and 3, during 3, or after 3 before the next message's commit leaves its one row
``sending``: the message may or may not have been accepted, and it is counted as "unknown, not
retried". The alternative — retrying it — would risk a second copy in a supporter's inbox, and
the issue asks for at most one; the cost is at most one unknown per killed worker. Rows merely
claimed (queued) by a dead worker are taken over by others once the claim is stale.

Folding the previous message's ``sent`` mark into the next message's transaction halves the
commits (one per message instead of two); the price is that the last accepted message of a
killed worker shows as unknown rather than sent.

``GROUNDSWELL_MAILING_HANDOFF`` (default 1) marks that many messages ``sending`` in one commit
before handing them to the server one after another: fewer commits (the send path's limit on a
busy database), at the price of up to that many "unknown, not retried" per killed worker. Still
at most once: every row is committed ``sending`` before its SMTP transaction starts. Consent is
then checked when the group is handed over, and pause/cancel between groups (with the default,
before each message). A throttled send hands over one message at a time.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
import time
from dataclasses import dataclass, field, replace
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from groundswell.donations.pages.donate import people_highest_gifts
from groundswell.mailings.ledger_sql import deliveries_hand_over, deliveries_mark_sent
from groundswell.mailings.message import (
    DkimKey,
    Envelope,
    NotReady,
    Recipient,
    dkim_key,
    envelope_for,
    message_build,
    message_id_for,
    sender_domain,
)
from groundswell.mailings.models import (
    Delivery,
    DeliveryState,
    Mailing,
    MailingStatus,
    delivery_token,
)
from groundswell.mailings.recipients import mailing_recipients, statuses_mailable
from groundswell.mailings.throttle import Throttle, domain_rates_parse
from groundswell.mailings.transport import Transport, TransportDown
from groundswell.mailings.warmup import warmup_allowance
from groundswell.people.models import PostalAddress

logger = logging.getLogger(__name__)

LEDGER_BATCH = 5000
CLAIM_BATCH = 200


def _stale_claim() -> timedelta:
    """A queued row claimed this long ago and not sent may be claimed by another worker (the
    claimant is probably dead; if not, the queued → sending step lets only one of them win)."""
    return timedelta(seconds=settings.GROUNDSWELL_MAILING_CLAIM_STALE_SECONDS)


# How often a worker re-reads the mailing's status (pause, cancel) and writes its heartbeat.
STATUS_EVERY = 0.5
HEARTBEAT_EVERY = 5.0

# The server refused this message for good: it was not delivered, and it is not retried.
REFUSED = (
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPDataError,
    smtplib.SMTPNotSupportedError,
)


def ledger_write_batch(*, mailing_id: int) -> bool:
    """Write the next batch of the ledger after the checkpoint; True once it is complete.

    The mailing row is locked for the batch, so workers writing together take turns and the
    checkpoint moves with the rows it covers (both in one transaction: a crash resumes there).
    """
    with transaction.atomic():
        # Only the mailing row: PostgreSQL refuses FOR UPDATE on the nullable side of the outer
        # join to the segment (null for a welcome series' message, which never comes here).
        mailing = (
            Mailing.objects.select_for_update(of=("self",))
            .select_related("segment", "sender")
            .get(pk=mailing_id)
        )
        if mailing.ledger_complete:
            return True
        rows = list(
            mailing_recipients(mailing=mailing)
            .filter(pk__gt=mailing.ledger_checkpoint)
            .order_by("pk")
            .values_list("pk", "primary_email")[:LEDGER_BATCH]
        )
        refcode, domain = mailing.effective_refcode, sender_domain(mailing.sender)
        deliveries = []
        for pk, email in rows:
            token = delivery_token()
            deliveries.append(
                Delivery(
                    mailing_id=mailing_id,
                    person_id=pk,
                    address=email,
                    token=token,
                    message_id=message_id_for(token=token, refcode=refcode, domain=domain),
                )
            )
        Delivery.objects.bulk_create(
            deliveries,
            ignore_conflicts=True,
            batch_size=1000,
        )
        if rows:
            mailing.ledger_checkpoint = rows[-1][0]
        mailing.ledger_complete = len(rows) < LEDGER_BATCH
        mailing.save(update_fields=["ledger_checkpoint", "ledger_complete", "modified_at"])
        return mailing.ledger_complete


def deliveries_claim(*, mailing_id: int, worker_id: str, limit: int) -> list[dict]:
    """Claim up to ``limit`` queued rows nobody else holds; returned with what the merge needs."""
    now = timezone.now()
    with transaction.atomic():
        free = (
            Delivery.objects.filter(mailing_id=mailing_id, state=DeliveryState.QUEUED)
            .filter(Q(claimed_by="") | Q(claimed_at__lt=now - _stale_claim()))
            .order_by("pk")
        )
        if connection.features.has_select_for_update_skip_locked:
            free = free.select_for_update(skip_locked=True)
        ids = list(free.values_list("pk", flat=True)[:limit])
        if ids:
            Delivery.objects.filter(pk__in=ids).update(claimed_by=worker_id, claimed_at=now)
    if not ids:
        return []
    rows = list(
        Delivery.objects.filter(pk__in=ids, claimed_by=worker_id)
        .order_by("pk")
        .values(
            "pk",
            "token",
            "address",
            "person_id",
            "person__given_name",
            "person__family_name",
            "person__state",
            "person__postal_code",
        )
    )
    cities = dict(
        PostalAddress.objects.filter(
            person_id__in=[r["person_id"] for r in rows], is_primary=True
        ).values_list("person_id", "city")
    )
    for row in rows:
        row["city"] = cities.get(row["person_id"], "")
    return rows


def _recipient(row: dict, highest: dict[int, int]) -> Recipient:
    return Recipient(
        token=row["token"],
        address=row["address"],
        highest_cents=highest.get(row["person_id"]),
        merge={
            "first_name": row["person__given_name"],
            "last_name": row["person__family_name"],
            "email": row["address"],
            "city": row["city"],
            "state": row["person__state"],
            "postal_code": row["person__postal_code"],
        },
    )


@dataclass
class WorkResult:
    sent: int = 0
    failed: int = 0
    suppressed: int = 0
    stopped: str = ""  # why the worker stopped: done, paused, cancelled, warm-up, server down


@dataclass
class _Run:
    """One worker's state for one mailing (shared by the phases of ``mailing_work``)."""

    mailing_id: int
    kind: str
    worker_id: str
    envelope: Envelope
    dkim: DkimKey | None
    transport: Transport
    throttle: Throttle
    result: WorkResult = field(default_factory=WorkResult)
    handoff: int = 1  # messages marked "sending" per commit (see HANDOFF in the settings)
    accepted: list[int] = field(default_factory=list)  # accepted, not yet marked sent
    statuses: list[str] = field(default_factory=statuses_mailable)
    status_read_at: float = 0.0
    heartbeat_at: float = 0.0
    # A ledger written elsewhere (a welcome step's, by mailings.welcome): no status to follow.
    standalone: bool = False


def _throttle() -> Throttle:
    return Throttle(
        rate=settings.GROUNDSWELL_MAILING_RATE,
        domain_rate=settings.GROUNDSWELL_MAILING_DOMAIN_RATE,
        domain_rates=domain_rates_parse(settings.GROUNDSWELL_MAILING_DOMAIN_RATES),
    )


def _links_fix(mailing: Mailing, envelope: Envelope) -> Envelope:
    """The first worker fixes the numbered links on the mailing; later workers (and the click
    redirect) use that list, so link numbers agree even if the layout changed mid-send."""
    if mailing.tracked_links:
        return replace(envelope, links=tuple(str(link) for link in mailing.tracked_links))
    Mailing.objects.filter(pk=mailing.pk).update(tracked_links=list(envelope.links))
    return envelope


def mailing_work(*, mailing_id: int, worker_id: str | None = None) -> WorkResult:
    """Deliver a sending mailing until nothing is left for this worker, or it is paused,
    cancelled or its warm-up allowance is spent. Safe to run in many workers at once."""
    mailing = Mailing.objects.select_related("sender").get(pk=mailing_id)
    if mailing.status != MailingStatus.SENDING:
        return WorkResult(stopped=mailing.status)
    try:
        envelope = envelope_for(mailing)
    except NotReady as exc:
        logger.error("mailing %s cannot be sent: %s", mailing_id, exc)
        return WorkResult(stopped=str(exc))
    envelope = _links_fix(mailing, envelope)
    run = _Run(
        mailing_id=mailing_id,
        kind=mailing.kind,
        worker_id=worker_id or secrets.token_hex(8),
        envelope=envelope,
        dkim=dkim_key(envelope),
        transport=Transport(),
        throttle=_throttle(),
        handoff=settings.GROUNDSWELL_MAILING_HANDOFF,
    )
    try:
        run.result.stopped = _work(run)
    finally:
        _finish_worker(run)
    return run.result


def queued_work(*, mailing_id: int, worker_id: str | None = None) -> WorkResult:
    """Deliver the queued rows of a mailing whose ledger another part wrote (a welcome step's
    entrants): the same claim, hand-over (consent re-checked), SMTP and sent mark as a send,
    so at most once per row; the mailing's status is not consulted."""
    mailing = Mailing.objects.select_related("sender").get(pk=mailing_id)
    try:
        envelope = envelope_for(mailing)
    except NotReady as exc:
        logger.error("mailing %s cannot be sent: %s", mailing_id, exc)
        return WorkResult(stopped=str(exc))
    run = _Run(
        mailing_id=mailing_id,
        kind=mailing.kind,
        worker_id=worker_id or secrets.token_hex(8),
        envelope=_links_fix(mailing, envelope),
        dkim=dkim_key(envelope),
        transport=Transport(),
        throttle=_throttle(),
        standalone=True,
    )
    try:
        while True:
            rows = deliveries_claim(
                mailing_id=mailing_id, worker_id=run.worker_id, limit=CLAIM_BATCH
            )
            if not rows:
                run.result.stopped = "done"
                break
            if stopped := _batch_send(run, rows):
                run.result.stopped = stopped
                break
    finally:
        _finish_worker(run)
    return run.result


def _work(run: _Run) -> str:
    while True:
        status = _status_read(run, force=True)
        if status != MailingStatus.SENDING:
            return status
        complete = ledger_write_batch(mailing_id=run.mailing_id)
        limit = CLAIM_BATCH
        allowance = warmup_allowance()
        if allowance is not None:
            if allowance <= 0:
                return "warm-up allowance for today is spent"
            limit = min(limit, allowance)
        if run.throttle.limited:
            run.throttle.share = _workers_active(run)
        rows = deliveries_claim(mailing_id=run.mailing_id, worker_id=run.worker_id, limit=limit)
        if not rows:
            if complete:
                mailing_finish_if_done(mailing_id=run.mailing_id)
                return "done"
            continue
        stopped = _batch_send(run, rows)
        if stopped:
            return stopped


def _batch_send(run: _Run, rows: list[dict]) -> str:
    """Send a claimed batch, each message when the throttle allows its domain; "" when done."""
    pending = rows
    while pending:
        status = _status_read(run)
        if status != MailingStatus.SENDING:
            return status
        group = _group_ready(run, pending)
        if not group:
            continue
        try:
            run.transport.ensure_open()
        except TransportDown as exc:
            logger.warning("mailing %s: mail server unreachable: %s", run.mailing_id, exc)
            return "mail server unreachable"
        _group_deliver(run, group)
    return ""


def _group_ready(run: _Run, pending: list[dict]) -> list[dict]:
    """Take the next messages to hand over together (removed from ``pending``): up to the
    handoff size when nothing is throttled, else the first one whose domain may go now
    (sleeping a little when none may)."""
    if not run.throttle.limited:
        group = pending[: run.handoff]
        del pending[: run.handoff]
        return group
    now = time.monotonic()
    waits = [run.throttle.wait(_domain(r), now) for r in pending]
    ready = next((i for i, w in enumerate(waits) if w <= 0), None)
    if ready is None:
        time.sleep(min(min(waits), STATUS_EVERY))
        return []
    return [pending.pop(ready)]


def _domain(row: dict) -> str:
    return row["address"].rpartition("@")[2].lower()


def _group_deliver(run: _Run, rows: list[dict]) -> None:
    built = []
    # One query per group for the personalised ask (nothing when the message has none).
    highest = (
        people_highest_gifts(person_ids=[row["person_id"] for row in rows])
        if run.envelope.ask_page is not None and run.envelope.ask_personal
        else {}
    )
    for row in rows:
        try:
            built.append((row, message_build(run.envelope, _recipient(row, highest))))
        except Exception as exc:  # a value no header can carry: this row fails, not the send
            logger.warning("mailing %s delivery %s not built: %s", run.mailing_id, row["pk"], exc)
            _ours(run, [row["pk"]]).update(
                state=DeliveryState.FAILED, error=f"could not build the message: {exc}"[:300]
            )
            run.result.failed += 1
    handed = _handoff(run, [row["pk"] for row, _ in built])
    # Committed: from here these rows are never sent again, whatever happens to this process.
    for row, message in built:
        if row["pk"] in handed:
            _smtp(run, row, message)
            run.throttle.sent(_domain(row), time.monotonic())


def _ours(run: _Run, ids: list[int]):
    return Delivery.objects.filter(pk__in=ids, state=DeliveryState.QUEUED, claimed_by=run.worker_id)


def _handoff(run: _Run, ids: list[int]) -> set[int]:
    """In one commit: the previous accepted messages are marked sent, and these marked sending
    if still queued, still ours and still mailable. Returns the ids marked sending."""
    if not ids:
        return set()
    with transaction.atomic():
        _accepted_flush(run)
        count = deliveries_hand_over(
            ids=ids,
            worker_id=run.worker_id,
            kind=run.kind,
            statuses=run.statuses,
            when=timezone.now(),  # handed at; the sent mark makes it accepted at
        )
        if count == len(ids):
            return set(ids)
        # Some were not handed: still ours but no longer mailable (the person unsubscribed or
        # bounced mid-send) are suppressed; rows another worker took over are left to it.
        handed = set(
            Delivery.objects.filter(
                pk__in=ids, state=DeliveryState.SENDING, claimed_by=run.worker_id
            ).values_list("pk", flat=True)
        )
        run.result.suppressed += _ours(run, ids).update(
            state=DeliveryState.SUPPRESSED, error="consent changed before sending"
        )
        return handed


def _smtp(run: _Run, row: dict, message) -> None:
    try:
        run.transport.send(message, envelope_from=run.envelope.return_path, dkim=run.dkim)
    except REFUSED as exc:
        _mark(row["pk"], DeliveryState.FAILED, error=f"refused by the mail server: {exc}")
        run.result.failed += 1
    except (smtplib.SMTPException, OSError) as exc:
        # The connection broke mid-transaction: delivered or not, we cannot know; not retried.
        _mark(row["pk"], DeliveryState.FAILED, error=f"connection lost, may be delivered: {exc}")
        run.result.failed += 1
        run.transport.reset()
    else:
        run.accepted.append(row["pk"])
        run.result.sent += 1


def _mark(pk: int, state: str, *, error: str = "") -> None:
    Delivery.objects.filter(pk=pk, state=DeliveryState.SENDING).update(
        state=state, error=error[:300]
    )


def _accepted_flush(run: _Run) -> None:
    if run.accepted:
        deliveries_mark_sent(ids=run.accepted, when=timezone.now())
        run.accepted = []


def _status_read(run: _Run, *, force: bool = False) -> str:
    """The mailing's status, re-read at most every STATUS_EVERY seconds; writes the heartbeat."""
    if run.standalone:
        return MailingStatus.SENDING
    now = time.monotonic()
    if not force and now - run.status_read_at < STATUS_EVERY:
        return MailingStatus.SENDING
    run.status_read_at = now
    if now - run.heartbeat_at >= HEARTBEAT_EVERY:
        run.heartbeat_at = now
        Mailing.objects.filter(pk=run.mailing_id).update(heartbeat_at=timezone.now())
    return Mailing.objects.filter(pk=run.mailing_id).values_list("status", flat=True).first() or ""


def _workers_active(run: _Run) -> int:
    """How many workers claimed rows of this mailing lately (the throttle's share)."""
    recent = timezone.now() - _stale_claim() / 2
    others = (
        Delivery.objects.filter(mailing_id=run.mailing_id, claimed_at__gte=recent)
        .exclude(claimed_by=run.worker_id)
        .values("claimed_by")
        .distinct()
        .count()
    )
    return others + 1


def _finish_worker(run: _Run) -> None:
    """Leaving: mark the last accepted message, hand back unsent claims, close the connection."""
    _accepted_flush(run)
    Delivery.objects.filter(
        mailing_id=run.mailing_id, state=DeliveryState.QUEUED, claimed_by=run.worker_id
    ).update(claimed_by="", claimed_at=None)
    run.transport.close()


def mailing_finish_if_done(*, mailing_id: int) -> bool:
    """Mark a sending mailing sent once its ledger is complete and no row is queued."""
    if Delivery.objects.filter(mailing_id=mailing_id, state=DeliveryState.QUEUED).exists():
        return False
    return bool(
        Mailing.objects.filter(
            pk=mailing_id, status=MailingStatus.SENDING, ledger_complete=True
        ).update(status=MailingStatus.SENT, finished_at=timezone.now())
    )
