"""Building an A/B test's world: many synthetic people, a test, and simulated responses."""

from __future__ import annotations

import random

from django.utils import timezone

from groundswell.mailings.models import (
    AbTest,
    Delivery,
    DeliveryState,
    Engagement,
    EngagementKind,
    HitClass,
)
from groundswell.people.models import EmailAddress, EmailStatus, Person


def people_make(count: int, domain: str = "ab.example") -> list[Person]:
    """``count`` subscribed synthetic people, in two bulk inserts."""
    people = Person.objects.bulk_create(
        Person(
            given_name=f"P{n}",
            primary_email=f"p{n}@{domain}",
            email_status=EmailStatus.SUBSCRIBED,
        )
        for n in range(count)
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(
            person=p, address=p.primary_email, is_primary=True, status=EmailStatus.SUBSCRIBED
        )
        for p in people
    )
    return people


def abtest_make(mailing, **fields) -> AbTest:
    values = {
        "metric": "clicks",
        "test_percent": 50,
        "min_per_variant": 150,
        "wait_hours": 4,
        "variants": [{"subject": "B: the deadline is tonight"}],
        "created_by": mailing.created_by,
    }
    values.update(fields)
    return AbTest.objects.create(mailing=mailing, **values)


def clicks_simulate(variant, rate: float, rng: random.Random) -> int:
    """Each sent recipient of ``variant`` clicks with probability ``rate`` (a person's click)."""
    clicks = []
    for delivery in Delivery.objects.filter(mailing=variant, state=DeliveryState.SENT):
        if rng.random() < rate:
            clicks.append(
                Engagement(
                    delivery=delivery,
                    mailing=variant,
                    person_id=delivery.person_id,
                    kind=EngagementKind.CLICK,
                    link_index=0,
                    hit_class=HitClass.HUMAN,
                    at=timezone.now(),
                )
            )
    Engagement.objects.bulk_create(clicks)
    return len(clicks)
