"""Writes of A/B tests: save a draft test, start it, stop a variant, send the winner, cancel.

The life of a test. Staff describe variants B–D as changes to a draft mailing (A is the
mailing as written). Starting the test checks it in the request and hands it to the task worker
(at 10% of a million recipients the split is 100,000 rows: seconds, not a request's work). The
worker splits the mailing's recipients at random (seeded, so the split can be reproduced), keeps
the split (``AbTestMember``), makes one child mailing per variant and sends each to its share
through the ordinary send path, all in one transaction: a worker killed half-way leaves the test
"starting" with nothing written, and the periodic job deals it out again. The mailing itself waits
in the "A/B testing" status. The periodic job (``abtests_advance``) then decides from the
counts; when a winner is named (or the deadline comes) the mailing takes the winner's subject,
sender and content and is sent, through the same path, to the rest — the people who got no
variant (``abtests.audience``). Each step moves the test's state under a row lock, so the job
may run twice or in two workers at once and still send the winner once.
"""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from groundswell.accounts.roles import MAILINGS_SEND
from groundswell.accounts.services import audit_record
from groundswell.core.experiments import State
from groundswell.mailings import services as mailing_services
from groundswell.mailings.abtests.selectors import (
    abtest_results,
    abtest_variants,
    variant_letter,
    variants_sending,
)
from groundswell.mailings.compose import MessageContent, content_check
from groundswell.mailings.message import NotReady
from groundswell.mailings.models import (
    AbTest,
    AbTestMember,
    AbTestState,
    Mailing,
    MailingStatus,
    SenderIdentity,
)
from groundswell.mailings.recipients import mailing_recipients, recipients_summary

logger = logging.getLogger(__name__)

AUDIT_SAVE = "abtest_save"
AUDIT_START = "abtest_start"
AUDIT_BREAKER = "abtest_breaker"
AUDIT_WINNER = "abtest_winner"
AUDIT_CANCEL = "abtest_cancel"
AUDIT_ACTIONS = (
    (AUDIT_SAVE, "A/B test created or changed"),
    (AUDIT_START, "A/B test started"),
    (AUDIT_BREAKER, "A/B test variant stopped by the circuit breaker"),
    (AUDIT_WINNER, "A/B test decided, winner sent to the rest"),
    (AUDIT_CANCEL, "A/B test cancelled"),
)

MEMBER_BATCH = 5000


def _require_send(actor) -> None:
    if actor is None or not actor.can(MAILINGS_SEND):
        raise PermissionError("Your role may not send mailings.")


def abtest_save(*, test: AbTest, actor, ip_address: str | None = None) -> AbTest:
    """Save a draft test of a draft mailing (the form has checked its fields)."""
    _require_send(actor)
    if test.pk and AbTest.objects.filter(pk=test.pk).exclude(state=AbTestState.DRAFT).exists():
        raise NotReady("A test that has started cannot be changed.")
    if test.mailing.status != MailingStatus.DRAFT:
        raise NotReady("Only a draft mailing can be tested.")
    created = test.pk is None
    if created:
        test.created_by = actor
    with transaction.atomic():
        test.save()
        audit_record(
            actor=actor,
            action=AUDIT_SAVE,
            summary=f"{'created' if created else 'changed'} the A/B test of "
            f"{test.mailing.name!r}: {len(test.variants) + 1} variants on {test.metric}",
            target=test.mailing,
            details={
                "metric": test.metric,
                "test_percent": test.test_percent,
                "variants": len(test.variants) + 1,
                "min_per_variant": test.min_per_variant,
                "wait_hours": test.wait_hours,
            },
            ip_address=ip_address,
        )
    return test


def variant_mailings_build(*, test: AbTest, actor) -> list[Mailing]:
    """The variant mailings (unsaved): A is the mailing as written, B–D its changes."""
    parent = test.mailing
    senders = SenderIdentity.objects.in_bulk([v.get("sender_id") for v in test.variants if v])
    built = []
    for index, spec in enumerate([{}, *test.variants]):
        letter = variant_letter(index)
        sender_id = spec.get("sender_id") or parent.sender_id
        if sender_id != parent.sender_id and sender_id not in senders:
            raise NotReady(f"Variant {letter}'s sender no longer exists; choose another.")
        html = spec.get("html") or parent.html
        variant = Mailing(
            parent=parent,
            name=f"{parent.name} — variant {letter}"[:150],
            kind=parent.kind,
            sender_id=sender_id,
            subject=spec.get("subject") or parent.subject,
            html=html,
            # A written plain-text part belongs to A's HTML; other HTML gets its own, generated.
            text=parent.text if html == parent.html else "",
            segment_id=parent.segment_id,
            refcode=f"{parent.effective_refcode[:97]}-{letter.lower()}",
            exclude_mailed_within_days=parent.exclude_mailed_within_days,
            created_by=actor,
        )
        content_check(MessageContent(subject=variant.subject, html=variant.html, text=variant.text))
        built.append(variant)
    return built


def _split(test: AbTest, variants: list[Mailing]) -> list[int]:
    """Draw the test's share at random (seeded: reproducible) and deal it out in turn; writes
    the members and returns how many each variant got."""
    ids = list(mailing_recipients(mailing=test.mailing).order_by("pk").values_list("pk", flat=True))
    _share_check(test, len(ids), len(variants))
    share = round(len(ids) * test.test_percent / 100)
    drawn = random.Random(test.seed).sample(ids, share)
    counts = [0] * len(variants)
    batch = []
    for position, person_id in enumerate(drawn):
        index = position % len(variants)
        counts[index] += 1
        batch.append(AbTestMember(test=test, person_id=person_id, variant=variants[index]))
        if len(batch) >= MEMBER_BATCH:
            AbTestMember.objects.bulk_create(batch)
            batch = []
    AbTestMember.objects.bulk_create(batch)
    return counts


def abtest_start(
    *,
    test: AbTest,
    actor,
    confirmed: int | None = None,
    base_url: str = "",
    ip_address: str | None = None,
    now: datetime | None = None,
) -> AbTest:
    """Check the test and hand it to the task worker, which deals the split out and sends the
    variants (``abtest_split``); NotReady or ConfirmationNeeded when it cannot start. The
    mailing is out of staff's hands ("A/B testing") from this moment."""
    _require_send(actor)
    now = now or timezone.now()
    parent = test.mailing
    if test.state != AbTestState.DRAFT or parent.status != MailingStatus.DRAFT:
        raise NotReady("This test has already started, or its mailing is no longer a draft.")
    if not test.variants:
        raise NotReady("Add at least a variant B before starting the test.")
    variant_mailings_build(test=test, actor=actor)  # refuses a variant that cannot be sent
    # The whole audience is confirmed at once, as a send of the mailing would be.
    summary = mailing_services._ready_check(parent)
    mailing_services._confirm(summary, confirmed)
    _share_check(test, summary["recipients"], len(test.variants) + 1)
    with transaction.atomic():
        locked = Mailing.objects.select_for_update().get(pk=parent.pk)
        if (
            locked.status != MailingStatus.DRAFT
            or AbTest.objects.filter(pk=test.pk, state=AbTestState.DRAFT).update(
                state=AbTestState.STARTING, started_at=now, started_by=actor, start_error=""
            )
            != 1
        ):
            raise NotReady("This test has already started.")
        parent.status = MailingStatus.TESTING
        parent.link_base = base_url.rstrip("/")
        parent.save(update_fields=["status", "link_base", "modified_at"])
        test.state, test.started_at, test.started_by, test.start_error = (
            AbTestState.STARTING,
            now,
            actor,
            "",
        )
        transaction.on_commit(lambda: _split_enqueue(test.pk, ip_address))
    return test


def _split_enqueue(test_id: int, ip_address: str | None) -> None:
    from groundswell.mailings.abtests.tasks import abtest_split_run

    abtest_split_run.enqueue(test_id=test_id, ip_address=ip_address)


def _share_check(test: AbTest, recipients: int, variants: int) -> None:
    share = round(recipients * test.test_percent / 100)
    if share < 2 * variants:
        raise NotReady(
            f"{test.test_percent}% of {recipients:,} recipients is too few for "
            f"{variants} variants; test a larger share or a larger segment."
        )


def abtest_split(*, test_id: int, ip_address: str | None = None, now=None) -> str:
    """The worker's half of starting a test: split, make the variants and send them, in one
    transaction under the test's row lock (a second worker skips a test being dealt out). A
    test that can no longer start (its starter lost the right to send, the audience shrank, a
    sender was deleted) becomes a draft again with the reason on its page."""
    try:
        with transaction.atomic():
            test = (
                AbTest.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("mailing", "started_by")
                .filter(pk=test_id, state=AbTestState.STARTING)
                .first()
            )
            if test is None:
                return "not starting (or being started by another worker)"
            return _split_and_send(test, ip_address, now or timezone.now())
    except (NotReady, mailing_services.ConfirmationNeeded, PermissionError) as exc:
        reason = str(exc) or exc.__class__.__name__
        logger.warning("A/B test %s could not start: %s", test_id, reason)
        with transaction.atomic():
            if AbTest.objects.filter(pk=test_id, state=AbTestState.STARTING).update(
                state=AbTestState.DRAFT, started_at=None, start_error=reason[:500]
            ):
                Mailing.objects.filter(abtest__pk=test_id, status=MailingStatus.TESTING).update(
                    status=MailingStatus.DRAFT
                )
        return f"could not start: {reason}"


def _split_and_send(test: AbTest, ip_address: str | None, now: datetime) -> str:
    actor, parent = test.started_by, test.mailing
    _require_send(actor)
    variants = variant_mailings_build(test=test, actor=actor)
    for variant in variants:
        variant.save()
    counts = _split(test, variants)
    test.state = AbTestState.TESTING
    test.deadline_at = now + timedelta(hours=test.wait_hours)
    test.save(update_fields=["state", "deadline_at", "modified_at"])
    audit_record(
        actor=actor,
        action=AUDIT_START,
        summary=f"started the A/B test of {parent.name!r}: {sum(counts):,} recipients "
        f"({test.test_percent}%) in {len(variants)} variants",
        target=parent,
        details={"counts": counts, "seed": test.seed, "metric": test.metric},
        ip_address=ip_address,
    )
    for variant, count in zip(variants, counts, strict=True):
        mailing_services.mailing_send(
            mailing=variant,
            actor=actor,
            confirmed=count,
            base_url=parent.link_base,
            ip_address=ip_address,
        )
    return f"started: {sum(counts):,} recipients in {len(variants)} variants"


# ---------------------------------------------------------------- the periodic job


def _breaker_apply(test: AbTest, results) -> None:
    """Stop the sends of variants the circuit breaker tripped (their queued rows stay unsent)."""
    for row in results.rows:
        reason = results.estimates[row.letter].stopped
        if not reason:
            continue
        stopping = [MailingStatus.SENDING, MailingStatus.PAUSED, MailingStatus.SCHEDULED]
        if Mailing.objects.filter(pk=row.mailing.pk, status__in=stopping).update(
            status=MailingStatus.CANCELLED, finished_at=timezone.now()
        ):
            row.mailing.status = MailingStatus.CANCELLED
            audit_record(
                actor=None,
                action=AUDIT_BREAKER,
                summary=f"stopped variant {row.letter} of {test.mailing.name!r}: {reason}",
                target=test.mailing,
                details={"variant": row.letter, "reason": reason},
            )


def abtest_advance(*, test: AbTest, now: datetime | None = None) -> str:
    """One look at a running test: apply the circuit breaker, then send the winner if it is
    decided (or the deadline came). Returns what happened, for the job's log."""
    now = now or timezone.now()
    results = abtest_results(test=test, now=now)
    if test.state != AbTestState.TESTING or results is None:
        return "not testing"
    _breaker_apply(test, results)
    decision = results.decision
    if decision.state is State.STOPPED:
        return _abtest_end(test, AbTestState.STOPPED, winner=None, sentence=decision.sentence)
    if variants_sending(variants=[row.mailing for row in results.rows]):
        return "variants still sending"
    if decision.state is State.DECIDED and (test.send_on_decision or results.deadline_reached):
        letter, sentence = decision.winner, decision.sentence
    elif results.deadline_reached:
        letter = decision.leader
        sentence = f"{decision.sentence} Sent the variant ahead, {letter}, to the rest."
    else:
        return "collecting"
    winner = next(row.mailing for row in results.rows if row.letter == letter)
    return _abtest_end(test, AbTestState.WINNER_SENT, winner=winner, sentence=sentence)


def _abtest_end(test: AbTest, state: str, *, winner: Mailing | None, sentence: str) -> str:
    """End the test once (under its row lock): the winner's content goes to the rest."""
    with transaction.atomic():
        if (
            not AbTest.objects.select_for_update()
            .filter(pk=test.pk, state=AbTestState.TESTING)
            .exists()
        ):
            return "already ended"
        parent = Mailing.objects.select_for_update().get(pk=test.mailing_id)
        test.state, test.decided_at = state, timezone.now()
        test.winner, test.sentence = winner, sentence[:2000]
        test.save(update_fields=["state", "decided_at", "winner", "sentence", "modified_at"])
        letter = next(
            (variant_letter(i) for i, v in enumerate(abtest_variants(test=test)) if v == winner),
            "",
        )
        audit_record(
            actor=None,
            action=AUDIT_WINNER if winner else AUDIT_BREAKER,
            summary=(
                f"A/B test of {parent.name!r}: variant {letter} won and goes to the rest"
                if winner
                else f"A/B test of {parent.name!r} stopped: every variant tripped the breaker"
            ),
            target=parent,
            details={"winner": letter, "sentence": sentence[:1000]},
        )
        if winner is None:
            parent.status, parent.finished_at = MailingStatus.CANCELLED, timezone.now()
            parent.save(update_fields=["status", "finished_at", "modified_at"])
            return "stopped"
        return _winner_send(test, parent, winner)


def _winner_send(test: AbTest, parent: Mailing, winner: Mailing) -> str:
    parent.subject, parent.html, parent.text = winner.subject, winner.html, winner.text
    parent.sender_id = winner.sender_id
    parent.status = MailingStatus.DRAFT  # for mailing_send's checks, inside this transaction
    parent.save(update_fields=["subject", "html", "text", "sender", "status", "modified_at"])
    actor = test.created_by
    if actor is None or not actor.can(MAILINGS_SEND):
        # Nobody may send in the test's name; roll the whole ending back and say so.
        raise PermissionError("the test's creator may no longer send mailings")
    rest = recipients_summary(mailing=parent)["recipients"]
    if rest == 0:
        parent.status, parent.finished_at = MailingStatus.SENT, timezone.now()
        parent.save(update_fields=["status", "finished_at", "modified_at"])
        return "decided; no one left to send the winner to"
    mailing_services.mailing_send(
        mailing=parent, actor=actor, confirmed=rest, base_url=parent.link_base
    )
    return f"winner sent to {rest:,}"


def abtests_advance(*, now: datetime | None = None) -> dict[int, str]:
    """The periodic job: deal out any test still starting (its task was lost, or its worker
    killed half-way) and look at every running test (see ``abtest_advance``)."""
    done = {}
    for test_id in AbTest.objects.filter(state=AbTestState.STARTING).values_list("pk", flat=True):
        done[test_id] = abtest_split(test_id=test_id, now=now)
    # A test dealt out just now has nothing to decide yet: it is looked at on the next round.
    testing = AbTest.objects.filter(state=AbTestState.TESTING).exclude(pk__in=list(done))
    for test in testing.select_related("mailing"):
        try:
            done[test.pk] = abtest_advance(test=test, now=now)
        except PermissionError as exc:
            logger.error("A/B test %s cannot send its winner: %s", test.pk, exc)
            done[test.pk] = f"cannot send: {exc}"
    return done


def abtest_cancel(*, test: AbTest, actor, ip_address: str | None = None) -> bool:
    """Stop a running test: variants still going out stop, and the mailing is a draft again
    (sent later, it reaches only the people who got no variant). A test still being dealt out
    waits for its worker's transaction and is then cancelled the same way. False if not
    running."""
    _require_send(actor)
    running = [AbTestState.STARTING, AbTestState.TESTING]
    with transaction.atomic():
        if not AbTest.objects.filter(pk=test.pk, state__in=running).update(
            state=AbTestState.CANCELLED, decided_at=timezone.now()
        ):
            return False
        Mailing.objects.filter(
            parent_id=test.mailing_id,
            status__in=[MailingStatus.SENDING, MailingStatus.PAUSED, MailingStatus.SCHEDULED],
        ).update(status=MailingStatus.CANCELLED, finished_at=timezone.now())
        Mailing.objects.filter(pk=test.mailing_id, status=MailingStatus.TESTING).update(
            status=MailingStatus.DRAFT
        )
        audit_record(
            actor=actor,
            action=AUDIT_CANCEL,
            summary=f"cancelled the A/B test of {test.mailing.name!r}",
            target=test.mailing,
            ip_address=ip_address,
        )
    test.refresh_from_db()
    return True
