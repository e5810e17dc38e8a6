"""A campaign's day for the home tests: supporters, sign-ups and gifts at known times, and one
of everything that waits for a person. Synthetic people only (invented names, example.org)."""

from __future__ import annotations

import itertools
from datetime import datetime, time, timedelta

from django.utils import timezone

from groundswell.actions.models import ActionPage, Submission
from groundswell.donations.models import Contribution
from groundswell.identity.models import MergeSuggestion, RecordKind, ResolutionRun
from groundswell.mailings.models import (
    Delivery,
    DeliveryState,
    Mailing,
    MailingStatus,
    SenderIdentity,
)
from groundswell.people.models import EmailStatus, ImportJob, Person
from groundswell.segments.models import Segment

_ids = itertools.count(1)


def at(days_ago: int, hour: int = 12) -> datetime:
    """Noon (or ``hour``) of a day counted back from today, in the campaign's time zone."""
    day = timezone.localdate() - timedelta(days=days_ago)
    return timezone.make_aware(datetime.combine(day, time(hour)))


def person(days_ago: int = 30, **fields) -> Person:
    n = next(_ids)
    fields.setdefault("email_status", EmailStatus.SUBSCRIBED)
    return Person.objects.create(
        given_name=f"Quenby{n}",
        family_name="Marrowvale",
        primary_email=f"quenby{n}@example.org",
        created_at=at(days_ago),
        **fields,
    )


def signup(days_ago: int, page: ActionPage | None = None) -> Submission:
    page = (
        page
        or ActionPage.objects.get_or_create(
            slug="stand-with-us", defaults={"title": "Stand with us", "headline": "Stand with us"}
        )[0]
    )
    n = next(_ids)
    return Submission.objects.create(
        page=page, token=f"home-{n}", email=f"signer{n}@example.org", received_at=at(days_ago)
    )


def gift(days_ago: int, cents: int, donor: Person | None = None, **fields) -> Contribution:
    donor = donor or person(days_ago=60)
    return Contribution.objects.create(
        person=donor,
        amount_cents=cents,
        received_at=at(days_ago),
        processor="offline",
        processor_id=f"home-test-{next(_ids)}",
        status=fields.pop("status", "paid"),
        **fields,
    )


def run() -> ResolutionRun:
    now = timezone.now()
    return ResolutionRun.objects.create(
        started_at=now, finished_at=now, status=ResolutionRun.Status.DONE, backend="duckdb",
        auto_link=0.99, review_floor=0.8,
    )  # fmt: skip


def suggestion(resolution: ResolutionRun, kind: str = RecordKind.PERSON) -> MergeSuggestion:
    a, b = next(_ids), next(_ids)
    return MergeSuggestion.objects.create(
        run=resolution, kind_a=kind, id_a=a, kind_b=kind, id_b=b, probability=0.93,
        match_weight=7.0,
    )  # fmt: skip


def mailing(status: str = MailingStatus.SENDING, failed: int = 0, sent: int = 0) -> Mailing:
    sender = SenderIdentity.objects.first() or SenderIdentity.objects.create(
        from_name="Mara Quillon", from_address="mara@campaign.example.org",
        postal_address="PO Box 4471\nColumbus, OH 43215", is_default=True,
    )  # fmt: skip
    segment = Segment.objects.first() or Segment.objects.create(name="Everyone", definition={})
    n = next(_ids)
    m = Mailing.objects.create(
        name=f"Week {n} update", sender=sender, segment=segment, subject="Hello",
        html="<p>Hello</p>", status=status, started_at=at(1),
    )  # fmt: skip
    for state, count in ((DeliveryState.FAILED, failed), (DeliveryState.SENT, sent)):
        for _ in range(count):
            p = person()
            Delivery.objects.create(mailing=m, person=p, address=p.primary_email, state=state)
    return m


def import_job(status: str) -> ImportJob:
    n = next(_ids)
    return ImportJob.objects.create(
        original_name=f"volunteers-{n}.csv", sha256=f"{n:064d}", status=status, total_rows=200,
        processed_rows=50,
    )  # fmt: skip


def busy_day(scale: int = 1) -> dict:
    """``scale`` of everything the home counts or lists: the page's query count must not grow."""
    resolution = run()
    for _ in range(scale):
        for days_ago in (0, 1, 3, 9):
            person(days_ago=days_ago)
            signup(days_ago)
            gift(days_ago, 2700 + days_ago)
        gift(0, 500_000, held_at=timezone.now())
        person(email_status=EmailStatus.BOUNCING)
        suggestion(resolution)
        suggestion(resolution, kind=RecordKind.CONTRIBUTION)
        mailing(failed=2, sent=1)
        import_job(ImportJob.Status.RUNNING)
        import_job(ImportJob.Status.PENDING)
    return {"run": resolution}
