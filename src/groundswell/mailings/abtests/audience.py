"""Who an A/B test's mailings go to: a variant only to its share, the parent only to the rest.

Read by ``mailings.recipients`` for every mailing, so the ledger, the counts and the
suppressions all see the same audience. Imports models only (recipients imports it).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from groundswell.mailings.models import (
    AbTest,
    AbTestMember,
    AbTestState,
    Delivery,
    DeliveryState,
    Mailing,
    MailingStatus,
)

# A variant's delivery in these states may have reached the person (a lost connection's
# "failed" too): such a person never gets the winner as well.
REACHED = (DeliveryState.SENT, DeliveryState.SENDING, DeliveryState.FAILED)


def audience_restrict(*, mailing: Mailing, people: QuerySet) -> QuerySet:
    """``people`` narrowed for an A/B test: a variant's own share, or — for the tested mailing
    once its test started — the rest: everyone who got no variant. A member of the share whose
    variant is still going out counts as reached; one whose variant was stopped before their
    message was handed over did not get one, and gets the winner."""
    if mailing.pk is None:
        return people
    if (
        mailing.parent_id is not None
        and AbTest.objects.filter(mailing_id=mailing.parent_id).exists()
    ):
        return people.filter(
            Exists(AbTestMember.objects.filter(variant_id=mailing.pk, person_id=OuterRef("pk")))
        )
    test = (
        AbTest.objects.filter(mailing_id=mailing.pk)
        .exclude(state=AbTestState.DRAFT)
        .values_list("pk", flat=True)
        .first()
    )
    if test is None:
        return people
    reached = Delivery.objects.filter(
        mailing__parent_id=mailing.pk, person_id=OuterRef("pk"), state__in=REACHED
    )
    pending = AbTestMember.objects.filter(test_id=test, person_id=OuterRef("pk")).exclude(
        variant__status__in=[MailingStatus.SENT, MailingStatus.CANCELLED]
    )
    return people.exclude(Exists(reached)).exclude(Exists(pending))
