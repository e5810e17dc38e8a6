"""Writes of the welcome series: saving series and steps, activating, and the periodic job
that lets new people in, writes each due step's ledger rows and delivers them.

Exactly-once-or-less per person and step comes from the send ledger: a step's rows are
``Delivery`` rows of the step's own mailing, unique per (mailing, person), written with
``ignore_conflicts`` (two jobs at once write one row) and handed over by the send path, which
marks a row ``sending`` in a committed transaction before its SMTP transaction and never sends
a ``sending`` row again. A restarted or doubled job therefore finds the row and sends nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from groundswell.accounts.roles import MAILINGS_SEND
from groundswell.accounts.services import audit_record
from groundswell.actions.models import Submission
from groundswell.mailings.compose import MessageContent, content_check, content_links
from groundswell.mailings.message import NotReady, envelope_for, message_id_for, sender_domain
from groundswell.mailings.models import (
    Delivery,
    DeliveryState,
    KindOptOut,
    Mailing,
    MailingStatus,
    delivery_token,
)
from groundswell.mailings.recipients import statuses_mailable
from groundswell.mailings.sender import queued_work
from groundswell.mailings.welcome.models import (
    WelcomeEnrollment,
    WelcomeSeries,
    WelcomeStep,
    WelcomeTrigger,
)
from groundswell.people.models import ConsentEvent, EmailStatus, Person

logger = logging.getLogger(__name__)

AUDIT_WELCOME = "welcome_series"
# Entrants looked at per series and run; the next run (a minute later) takes the rest.
ENROLL_BATCH = 2000
# A step more than this late (the series was paused, or the step was added after the person
# entered) is skipped for that person: a "welcome" a week late, or every past entrant mailed
# when a step is added, would be worse than none.
LATE_LIMIT = timedelta(days=2)
# Why a person stops receiving the series, by the e-mail status that stopped them.
STOP_REASONS = {
    EmailStatus.UNSUBSCRIBED: "unsubscribed",
    EmailStatus.BOUNCING: "bouncing",
    EmailStatus.PREVIOUS_BOUNCE: "bouncing",
    EmailStatus.SPAM_COMPLAINT: "marked a message as spam",
}


def _require_send(actor) -> None:
    if not actor.can(MAILINGS_SEND):
        raise PermissionError("Your role may not send mailings.")


def _audit(actor, summary: str, series: WelcomeSeries, ip_address: str | None, **details) -> None:
    audit_record(
        actor=actor,
        action=AUDIT_WELCOME,
        summary=summary,
        target=series,
        details=details or None,
        ip_address=ip_address,
    )


@transaction.atomic
def series_save(
    *, series: WelcomeSeries, pages=None, actor, ip_address: str | None = None
) -> WelcomeSeries:
    """Save a series (its steps' messages follow its sender and kind); audited."""
    _require_send(actor)
    if series.trigger == WelcomeTrigger.PAGES and pages is not None and not list(pages):
        raise NotReady("Choose at least one page, or let sign-ups on any page in.")
    created = series.pk is None
    if created:
        series.created_by = actor
    else:
        before = WelcomeSeries.objects.filter(pk=series.pk).values_list("trigger", flat=True)[0]
        if (before == WelcomeTrigger.SUBSCRIBERS) != (series.trigger == WelcomeTrigger.SUBSCRIBERS):
            # The checkpoint counts consent events or sign-ups; a switch starts over (only
            # arrivals since activation enter either way).
            series.checkpoint = 0
    series.save()
    if pages is not None:
        series.pages.set(pages)
    Mailing.objects.filter(welcome_step__series=series).update(
        sender=series.sender, kind=series.kind
    )
    verb = "created" if created else "changed"
    _audit(actor, f"{verb} welcome series {series.name!r}", series, ip_address)
    return series


def _step_name(series: WelcomeSeries, position: int) -> str:
    return f"Welcome: {series.name}"[:130] + f" · step {position}"


@transaction.atomic
def step_save(
    *,
    series: WelcomeSeries,
    step: WelcomeStep | None,
    subject: str,
    html: str,
    text: str,
    delay_days: int,
    delay_hours: int,
    actor,
    ip_address: str | None = None,
) -> WelcomeStep:
    """Create or change a step after checking its content (MergeFieldError with the line)."""
    _require_send(actor)
    content = MessageContent(subject=subject, html=html, text=text)
    content_check(content)
    if step is None:
        position = series.steps.count() + 1
        mailing = Mailing(
            name=_step_name(series, position),
            sender=series.sender,
            kind=series.kind,
            segment=None,
            status=MailingStatus.DRAFT,
            created_by=actor,
            # A message added to an active series links where its siblings do.
            link_base=series.link_base,
        )
        step = WelcomeStep(series=series)
    else:
        mailing = step.mailing
    mailing.subject, mailing.html, mailing.text = subject, html, text
    # The click tracker numbers links by their place in this list and checks a click against
    # it, so links of messages already sent keep their numbers: new links are appended.
    links = list(mailing.tracked_links or [])
    links += [link for link in content_links(content) if link not in links]
    mailing.tracked_links = links
    mailing.save()
    step.mailing = mailing
    step.delay_days, step.delay_hours = delay_days, delay_hours
    step.save()
    _audit(
        actor,
        f"saved a step ({step.delay_label}) of welcome series {series.name!r}",
        series,
        ip_address,
        step=step.pk,
        subject=subject,
    )
    return step


@transaction.atomic
def step_delete(*, step: WelcomeStep, actor, ip_address: str | None = None) -> None:
    """Remove a message nobody was sent yet (the ledger of one that was sent is kept)."""
    _require_send(actor)
    sent = Delivery.objects.filter(mailing_id=step.mailing_id).count()
    if sent:
        raise NotReady(
            f"This message went to {sent:,} {'person' if sent == 1 else 'people'}; its record "
            "stays. Edit it, or pause the series."
        )
    series, mailing, label = step.series, step.mailing, step.delay_label
    step.delete()
    mailing.delete()
    _audit(actor, f"removed a step ({label}) of welcome series {series.name!r}", series, ip_address)


def series_ready_check(*, series: WelcomeSeries) -> None:
    """NotReady with what to fix: no step, content refused, no "Paid for by" or address."""
    steps = list(series.steps.select_related("mailing__sender"))
    if not steps:
        raise NotReady("Add a first message before activating the series.")
    for step in steps:
        mailing = step.mailing
        content_check(MessageContent(subject=mailing.subject, html=mailing.html, text=mailing.text))
        envelope_for(mailing)


@transaction.atomic
def series_control(
    *,
    series: WelcomeSeries,
    action: str,
    actor,
    base_url: str = "",
    ip_address: str | None = None,
) -> bool:
    """Activate or pause a series; False if it already is. Pausing drops the rows not yet
    handed to the mail server (they are written again, if still due, on resume)."""
    _require_send(actor)
    if action not in ("activate", "pause"):
        raise ValueError(action)
    locked = WelcomeSeries.objects.select_for_update().get(pk=series.pk)
    if locked.is_active == (action == "activate"):
        return False
    if action == "activate":
        series_ready_check(series=locked)
        locked.is_active, locked.activated_at = True, timezone.now()
        locked.link_base = base_url.rstrip("/") or locked.link_base
        Mailing.objects.filter(welcome_step__series=locked).update(link_base=locked.link_base)
    else:
        locked.is_active = False
        Delivery.objects.filter(
            mailing__welcome_step__series=locked, state=DeliveryState.QUEUED
        ).delete()
    locked.save(update_fields=["is_active", "activated_at", "link_base", "modified_at"])
    verb = "activated" if action == "activate" else "paused"
    _audit(actor, f"{verb} welcome series {locked.name!r}", locked, ip_address)
    series.refresh_from_db()
    return True


# ---------------------------------------------------------------- the periodic job


def _signup_entrants(series: WelcomeSeries) -> list[tuple[int, int, datetime, str]]:
    """(submission id, person, when, where) of processed sign-ups after the checkpoint; stops
    before the first one still waiting to be processed, so none is passed over."""
    after = Submission.objects.filter(pk__gt=series.checkpoint)
    waiting = after.filter(status=Submission.Status.RECEIVED).aggregate(first=Min("pk"))["first"]
    found = after.filter(
        status=Submission.Status.PROCESSED,
        person__isnull=False,
        received_at__gte=series.activated_at,
    )
    if waiting is not None:
        found = found.filter(pk__lt=waiting)
    if series.trigger == WelcomeTrigger.PAGES:
        found = found.filter(page__in=series.pages.all())
    rows = found.order_by("pk").values_list("pk", "person_id", "received_at", "page__slug")
    return [
        (pk, person, at, f"sign-up on /a/{slug}/") for pk, person, at, slug in rows[:ENROLL_BATCH]
    ]


def _subscriber_entrants(series: WelcomeSeries) -> list[tuple[int, int, datetime, str]]:
    """(consent event id, person, when, where) of addresses newly subscribed after the
    checkpoint (a consent event is written in its person's transaction: ids only grow)."""
    rows = (
        ConsentEvent.objects.filter(
            pk__gt=series.checkpoint,
            channel=ConsentEvent.Channel.EMAIL,
            status=EmailStatus.SUBSCRIBED,
            occurred_at__gte=series.activated_at,
        )
        .exclude(previous_status=EmailStatus.SUBSCRIBED)
        .order_by("pk")
        .values_list("pk", "person_id", "occurred_at", "source")
    )
    return [(pk, p, at, f"subscribed: {src}"[:300]) for pk, p, at, src in rows[:ENROLL_BATCH]]


def series_enroll(*, series: WelcomeSeries) -> int:
    """Let in the people who arrived since the last run; each enters a series once, ever."""
    if series.trigger == WelcomeTrigger.SUBSCRIBERS:
        rows = _subscriber_entrants(series)
    else:
        rows = _signup_entrants(series)
    if not rows:
        return 0
    with transaction.atomic():
        made = WelcomeEnrollment.objects.bulk_create(
            [
                WelcomeEnrollment(series=series, person_id=person, entered_at=at, source=source)
                for _, person, at, source in rows
            ],
            ignore_conflicts=True,
        )
        WelcomeSeries.objects.filter(pk=series.pk, checkpoint__lt=rows[-1][0]).update(
            checkpoint=rows[-1][0]
        )
    series.checkpoint = max(series.checkpoint, rows[-1][0])
    return len(made)


@dataclass
class StepQueued:
    queued: int = 0
    stopped: int = 0


def step_queue(*, step: WelcomeStep, now: datetime) -> StepQueued:
    """Write the ledger rows of the entrants for whom ``step`` is due and who have no row
    yet; entrants who can no longer be mailed leave the series instead."""
    due_before = now - step.delay
    mailing = step.mailing
    candidates = (
        WelcomeEnrollment.objects.filter(
            series_id=step.series_id,
            stopped_at__isnull=True,
            entered_at__lte=due_before,
            entered_at__gte=due_before - LATE_LIMIT,
        )
        .exclude(person_id__in=Delivery.objects.filter(mailing=mailing).values("person_id"))
        .values_list("pk", "person_id")
    )
    enrollments = dict(candidates[:ENROLL_BATCH])
    if not enrollments:
        return StepQueued()
    people = Person.objects.filter(pk__in=enrollments.values()).values_list(
        "pk", "primary_email", "email_status"
    )
    opted_out = set(
        KindOptOut.objects.filter(
            person_id__in=enrollments.values(), kind=mailing.kind
        ).values_list("person_id", flat=True)
    )
    mailable, stops = set(statuses_mailable()), {}
    token_domain = sender_domain(mailing.sender)
    rows = []
    for pk, address, status in people:
        reason = STOP_REASONS.get(status)
        if reason is None and pk in opted_out:
            reason = "stopped this kind of mailing"
        if reason is None and (not address or status not in mailable):
            reason = "no e-mail address" if not address else "no consent recorded"
        if reason:
            stops.setdefault(reason, []).append(pk)
            continue
        token = delivery_token()
        rows.append(
            Delivery(
                mailing=mailing,
                person_id=pk,
                address=address,
                token=token,
                message_id=message_id_for(
                    token=token, refcode=mailing.effective_refcode, domain=token_domain
                ),
            )
        )
    with transaction.atomic():
        Delivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
        for reason, person_ids in stops.items():
            WelcomeEnrollment.objects.filter(
                series_id=step.series_id, person_id__in=person_ids, stopped_at__isnull=True
            ).update(stopped_at=now, stop_reason=reason)
    return StepQueued(queued=len(rows), stopped=sum(len(v) for v in stops.values()))


def welcome_process(*, now: datetime | None = None) -> dict:
    """One run of the periodic job over every active series: let new people in, write the due
    steps' ledger rows, deliver them. Safe to run twice, or in two workers at once."""
    now = now or timezone.now()
    totals = {"entered": 0, "queued": 0, "stopped": 0, "sent": 0, "suppressed": 0, "failed": 0}
    for series in WelcomeSeries.objects.filter(is_active=True):
        totals["entered"] += series_enroll(series=series)
        for step in series.steps.select_related("mailing__sender"):
            queued = step_queue(step=step, now=now)
            totals["queued"] += queued.queued
            totals["stopped"] += queued.stopped
            if not Delivery.objects.filter(
                mailing=step.mailing, state=DeliveryState.QUEUED
            ).exists():
                continue
            result = queued_work(mailing_id=step.mailing_id)
            totals["sent"] += result.sent
            totals["suppressed"] += result.suppressed
            totals["failed"] += result.failed
            if result.stopped != "done":
                logger.warning("welcome step %s stopped: %s", step.pk, result.stopped)
    return totals
