"""A small campaign whose every figure was worked out by hand (the numbers are in the tests).

The campaign is in New York (settings.TIME_ZONE). Gifts, with their local day:

  g1  Pia (person P1)    $10.00 paid                 2026-02-01 04:30 UTC = Jan 31, 23:30 EST
  g2  Pia (person P1)    $25.00, $5.00 refunded      Feb 3
  g3  "R. Quill" no person, clustered with P2  $50   Jan 10
  g4  Rafe (person P2)   $20.00 paid                 Feb 10
  g5  Carol Jones, no person, no cluster  $7.00      2026-02-01 03:00 UTC = Jan 31, 22:00 EST
  g6  Dave Ng, fully refunded $30.00                 Feb 5 (counts nothing)
  g7  Eve Oh, a memo row $99.00                      Feb 6 (never counted)
  g8  Pia (person P1)    $15.00                      2025-06-01
  g9  Frank Ito          $40.00                      2025-03-01 (last year only: LYBUNT)
  g10 Gina Park          $10.00                      2024-05-05 (two years ago: SYBUNT)
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from django.utils import timezone

from groundswell.donations.models import Contribution, ContributionStatus, Processor
from groundswell.identity.models import ClusterMembership, RecordKind, ResolutionRun
from groundswell.people.models import Person

_ids = itertools.count(1)


def gift(when: datetime, cents: int, given: str, family: str, **extra) -> Contribution:
    status = extra.pop("status", ContributionStatus.PAID)
    return Contribution.objects.create(
        amount_cents=cents,
        received_at=when,
        processor=Processor.ACTBLUE,
        processor_id=f"AN-{next(_ids)}",
        status=status,
        donor_given_name=given,
        donor_family_name=family,
        donor_state="VT",
        donor_postal_code="05401",
        **extra,
    )


def _run_finished(at: datetime) -> ResolutionRun:
    """A finished resolution run at ``at`` (the extract reads the newest run's clusters)."""
    return ResolutionRun.objects.create(
        started_at=at,
        finished_at=at,
        status=ResolutionRun.Status.DONE,
        backend="duckdb",
        auto_link=0.99,
        review_floor=0.8,
    )


def world_build() -> dict:
    run = _run_finished(timezone.now())
    p1 = Person.objects.create(given_name="Pia", family_name="Lund")
    p2 = Person.objects.create(given_name="Rafe", family_name="Quill")
    gifts = {
        "g1": gift(datetime(2026, 2, 1, 4, 30, tzinfo=UTC), 1000, "Pia", "Lund", person=p1),
        "g2": gift(
            datetime(2026, 2, 3, 15, tzinfo=UTC),
            2500,
            "Pia",
            "Lund",
            person=p1,
            refunded_cents=500,
            status=ContributionStatus.PARTIALLY_REFUNDED,
        ),
        "g3": gift(datetime(2026, 1, 10, 17, tzinfo=UTC), 5000, "R.", "Quill"),
        "g4": gift(datetime(2026, 2, 10, 12, tzinfo=UTC), 2000, "Rafe", "Quill", person=p2),
        "g5": gift(datetime(2026, 2, 1, 3, tzinfo=UTC), 700, " Carol ", "JONES"),
        "g6": gift(
            datetime(2026, 2, 5, 12, tzinfo=UTC),
            3000,
            "Dave",
            "Ng",
            refunded_cents=3000,
            status=ContributionStatus.REFUNDED,
        ),
        "g7": gift(datetime(2026, 2, 6, 12, tzinfo=UTC), 9900, "Eve", "Oh", is_memo=True),
        "g8": gift(datetime(2025, 6, 1, 16, tzinfo=UTC), 1500, "Pia", "Lund", person=p1),
        "g9": gift(datetime(2025, 3, 1, 16, tzinfo=UTC), 4000, "Frank", "Ito"),
        "g10": gift(datetime(2024, 5, 5, 16, tzinfo=UTC), 1000, "Gina", "Park"),
    }
    members = [
        (RecordKind.PERSON, p1.pk, f"p:{p1.pk}"),
        (RecordKind.PERSON, p2.pk, f"p:{p2.pk}"),
        (RecordKind.CONTRIBUTION, gifts["g1"].pk, f"p:{p1.pk}"),
        (RecordKind.CONTRIBUTION, gifts["g3"].pk, f"p:{p2.pk}"),  # g4 goes by its person
    ]
    for kind, record_id, key in members:
        ClusterMembership.objects.create(
            record_kind=kind, record_id=record_id, cluster_key=key, run=run
        )
    return {"run": run, "p1": p1, "p2": p2, **gifts}


def sources_tag(world: dict) -> dict:
    """Refcodes, a donation page and an ActBlue form on the campaign's gifts (other metrics'
    figures do not change). By gift:

      g1 email-0412   g2 fb-spring, page Spring   g3 email-eoq   g4 fb_ads, page Spring
      g5 (none), ActBlue form "ActBlue main"      g6 fb-spring (refunded)   g7 fb-spring (memo)
      g8 email-0412 (2025)   g9 sms-1 (2025)   g10 (none)
    """
    from groundswell.donations.models import DonationPage

    spring = DonationPage.objects.create(slug="an-spring", title="Spring drive")
    tags = {
        "g1": {"refcode": "email-0412"},
        "g2": {"refcode": "fb-spring", "page": spring},
        "g3": {"refcode": "email-eoq"},
        "g4": {"refcode": "fb_ads", "page": spring},
        "g5": {"form_name": "ActBlue main"},
        "g6": {"refcode": "fb-spring"},
        "g7": {"refcode": "fb-spring"},
        "g8": {"refcode": "email-0412"},
        "g9": {"refcode": "sms-1"},
    }
    for name, fields in tags.items():
        Contribution.objects.filter(pk=world[name].pk).update(**fields)
    return {**world, "spring": spring}


def run_linking_carol_to_pia(world: dict) -> ResolutionRun:
    """A resolution run, a minute newer than the world's, that keeps every cluster and finds
    that Carol's gift (g5) is Pia's: the extract must pick up the new run's clusters."""
    run = _run_finished(timezone.now() + timedelta(minutes=1))
    ClusterMembership.objects.update(run=run)
    ClusterMembership.objects.create(
        record_kind=RecordKind.CONTRIBUTION,
        record_id=world["g5"].pk,
        cluster_key=f"p:{world['p1'].pk}",
        run=run,
    )
    return run
