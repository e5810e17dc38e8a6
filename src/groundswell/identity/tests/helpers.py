"""Hand-made gifts and clusters for the identity page tests (no Splink: memberships are built)."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time

from django.utils import timezone

from groundswell.donations.models import Contribution, ContributionStatus, Processor
from groundswell.identity.models import ClusterMembership, RecordKind, ResolutionRun

_ids = itertools.count(1)


def finished_run() -> ResolutionRun:
    now = timezone.now()
    return ResolutionRun.objects.create(
        started_at=now,
        finished_at=now,
        status=ResolutionRun.Status.DONE,
        backend="duckdb",
        auto_link=0.99,
        review_floor=0.8,
    )


def gift(
    *,
    given: str,
    family: str,
    state: str = "IA",
    postal: str = "50309",
    on: date = date(2019, 3, 1),
    cents: int = 2700,
    status: str = ContributionStatus.PAID,
    memo: bool = False,
    person=None,
    cluster: str | None = None,
    run: ResolutionRun | None = None,
) -> Contribution:
    """One gift; with ``cluster`` (and a run) it is put in that cluster as a run would."""
    gift = Contribution.objects.create(
        amount_cents=cents,
        refunded_cents=cents if status == ContributionStatus.REFUNDED else 0,
        received_at=timezone.make_aware(datetime.combine(on, time(12))),
        processor=Processor.ACTBLUE,
        processor_id=f"TEST-{next(_ids)}",
        status=status,
        is_memo=memo,
        person=person,
        donor_given_name=given,
        donor_family_name=family,
        donor_state=state,
        donor_postal_code=postal,
    )
    if cluster is not None:
        ClusterMembership.objects.create(
            record_kind=RecordKind.CONTRIBUTION, record_id=gift.pk, cluster_key=cluster, run=run
        )
    return gift
