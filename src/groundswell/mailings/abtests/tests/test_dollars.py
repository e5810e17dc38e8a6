"""Dollars per recipient: each variant's donors and net gifts are read from contributions
credited to its own refcode (integer cents, refunds taken off, voided gifts nothing)."""

from __future__ import annotations

import random

import pytest
from django.utils import timezone

from groundswell.core.experiments import State
from groundswell.donations.models import Contribution
from groundswell.mailings.abtests.selectors import abtest_results, variant_counts
from groundswell.mailings.abtests.services import variant_mailings_build
from groundswell.mailings.abtests.tests.helpers import abtest_make, people_make
from groundswell.mailings.models import AbTestState, Delivery, DeliveryState, MailingStatus

pytestmark = pytest.mark.django_db

_ids = iter(range(1, 10**6))


def _gift(person, cents, refcode, **fields):
    return Contribution.objects.create(
        person=person,
        amount_cents=cents,
        received_at=timezone.now(),
        processor="offline",
        processor_id=f"ab-{next(_ids)}",
        refcode=refcode,
        **fields,
    )


def _sent_test(mailing_make, admin_user, people, **fields):
    """A started dollars test whose two variants were each sent to half of ``people``."""
    mailing = mailing_make(refcode="june", status=MailingStatus.TESTING)
    test = abtest_make(mailing, metric="dollars", **fields)
    variants = variant_mailings_build(test=test, actor=admin_user)
    for variant in variants:
        variant.status = MailingStatus.SENT
        variant.save()
    half = len(people) // 2
    for variant, share in ((variants[0], people[:half]), (variants[1], people[half:])):
        Delivery.objects.bulk_create(
            Delivery(
                mailing=variant,
                person=p,
                address=p.primary_email,
                state=DeliveryState.SENT,
                sent_at=timezone.now(),
            )
            for p in share
        )
    test.state = AbTestState.TESTING
    test.save()
    return test, variants


def test_each_variants_gifts_are_read_by_its_own_refcode_net_of_refunds(mailing_make, admin_user):
    people = people_make(10)
    test, (a, b) = _sent_test(mailing_make, admin_user, people)
    assert (a.refcode, b.refcode) == ("june-a", "june-b")
    _gift(people[0], 2_500, "june-a")
    _gift(people[0], 1_000, "june-a")  # one donor, one total
    _gift(people[1], 5_000, "june-a", status="voided")
    _gift(people[6], 10_000, "june-b", status="partially_refunded", refunded_cents=4_000)
    _gift(people[7], 3_000, "june")  # the rest's refcode: not the test's
    rows = variant_counts(test=test, variants=[a, b])
    assert [sorted(r.gifts_cents) for r in rows] == [[3_500], [6_000]]
    assert [r.sent for r in rows] == [5, 5]


def test_a_variant_that_raises_more_per_recipient_wins_on_dollars(mailing_make, admin_user):
    people = people_make(1200)
    test, (a, b) = _sent_test(mailing_make, admin_user, people, min_per_variant=500)
    rng = random.Random(5)
    ladder = [500, 1_000, 2_500, 5_000, 10_000]
    for person in people[:600]:
        if rng.random() < 0.02:
            _gift(person, rng.choice(ladder), "june-a")
    for person in people[600:]:
        if rng.random() < 0.08:  # B's ask works four times as often
            _gift(person, rng.choice(ladder), "june-b")
    results = abtest_results(test=test)
    assert results.decision.state is State.DECIDED
    assert results.decision.winner == "B"
    assert results.decision.sentence.startswith("B raised $")
    row_b = next(r for r in results.table() if r["letter"] == "B")
    assert row_b["mean"].startswith("$") and " – $" in row_b["interval"]
