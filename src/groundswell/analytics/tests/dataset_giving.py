"""A second hand-computed campaign, for giving over time (cohorts, changes, recurring gifts).

Apart from ``dataset.py`` so that its figures stay as they were. Local days (New York):

  Ann  (person PA)  Jan 5 $10 R · Feb 5 $10 R · Mar 5 $10 R refunded in full · Apr 5 $10 R
                    Feb 20 $50
  Ben  (person PB)  2025-12-15 $20 · 2026-02-01 04:00 UTC = Jan 31, 23:00 EST $30 · Mar 10 $5
                    Apr 2 $40 R given as "B. Ray" (no person; clustered with PB)
  Cleo (no person)  Jan 20 $25 · Mar 2 $5 R · Mar 9 $5 R, $2 of it refunded
  Dov  (person PD)  Jan 12 $30 refunded in full · Feb 14 $40
  Hal  (no person)  Feb 10 $20 · Apr 10 $20
  Ivy  (no person)  2026-05-01 03:00 UTC = Apr 30, 23:00 EDT $10
  Eve               Jan 9 $99 recurring memo row (never counted)

R = a recurring installment. Months each donor gave in (counted gifts only):
Dec Ben · Jan Ann, Ben, Cleo · Feb Ann, Dov, Hal · Mar Ben, Cleo · Apr Ann, Ben, Hal, Ivy.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.utils import timezone

from groundswell.analytics.tests.dataset import gift
from groundswell.donations.models import ContributionStatus
from groundswell.identity.models import ClusterMembership, RecordKind, ResolutionRun
from groundswell.people.models import Person


def _at(month: int, day: int, year: int = 2026, hour: int = 17) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def giving_world_build() -> dict:
    now = timezone.now()
    run = ResolutionRun.objects.create(
        started_at=now,
        finished_at=now,
        status=ResolutionRun.Status.DONE,
        backend="duckdb",
        auto_link=0.99,
        review_floor=0.8,
    )
    ann = Person.objects.create(given_name="Ann", family_name="Lark")
    ben = Person.objects.create(given_name="Ben", family_name="Ray")
    dov = Person.objects.create(given_name="Dov", family_name="Pike")
    refunded = {"status": ContributionStatus.REFUNDED}
    recurring = {"is_recurring": True, "recurring_period": "monthly"}
    for month in (1, 2, 4):
        gift(_at(month, 5), 1000, "Ann", "Lark", person=ann, **recurring)
    gift(_at(3, 5), 1000, "Ann", "Lark", person=ann, refunded_cents=1000, **refunded, **recurring)
    gift(_at(2, 20), 5000, "Ann", "Lark", person=ann)
    gift(_at(12, 15, year=2025), 2000, "Ben", "Ray", person=ben)
    gift(datetime(2026, 2, 1, 4, tzinfo=UTC), 3000, "Ben", "Ray", person=ben)
    gift(_at(3, 10), 500, "Ben", "Ray", person=ben)
    b_ray = gift(_at(4, 2), 4000, "B.", "Ray", **recurring)
    gift(_at(1, 20), 2500, "Cleo", "Voss")
    gift(_at(3, 2), 500, "Cleo", "Voss", **recurring)
    gift(
        _at(3, 9),
        500,
        "Cleo",
        "Voss",
        refunded_cents=200,
        status=ContributionStatus.PARTIALLY_REFUNDED,
        **recurring,
    )
    gift(_at(1, 12), 3000, "Dov", "Pike", person=dov, refunded_cents=3000, **refunded)
    gift(_at(2, 14), 4000, "Dov", "Pike", person=dov)
    gift(_at(2, 10), 2000, "Hal", "Moss")
    gift(_at(4, 10), 2000, "Hal", "Moss")
    gift(datetime(2026, 5, 1, 3, tzinfo=UTC), 1000, "Ivy", "Quinn")
    gift(_at(1, 9), 9900, "Eve", "Oh", is_memo=True, **recurring)
    members = [
        (RecordKind.PERSON, ann.pk, f"p:{ann.pk}"),
        (RecordKind.PERSON, ben.pk, f"p:{ben.pk}"),
        (RecordKind.PERSON, dov.pk, f"p:{dov.pk}"),
        (RecordKind.CONTRIBUTION, b_ray.pk, f"p:{ben.pk}"),
    ]
    for kind, record_id, key in members:
        ClusterMembership.objects.create(
            record_kind=kind, record_id=record_id, cluster_key=key, run=run
        )
    return {"run": run, "ann": ann, "ben": ben, "dov": dov}
