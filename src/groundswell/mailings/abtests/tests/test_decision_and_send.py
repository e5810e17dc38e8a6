"""An A/B test end to end over real SMTP (a server on loopback): the split, the variants sent
through the real send path, a decision on simulated responses, and the winner sent to the
rest — each person exactly one message."""

from __future__ import annotations

import email
import random
from collections import Counter
from datetime import timedelta
from email import policy

import pytest
from django.utils import timezone

from groundswell.accounts.models import AuditEvent
from groundswell.core.experiments import State
from groundswell.mailings import sender as sender_module
from groundswell.mailings.abtests.selectors import abtest_results, abtest_variants
from groundswell.mailings.abtests.services import (
    abtest_advance,
    abtest_start,
    abtests_advance,
)
from groundswell.mailings.abtests.tests.helpers import abtest_make, clicks_simulate, people_make
from groundswell.mailings.models import (
    AbTestMember,
    AbTestState,
    Delivery,
    DeliveryState,
    MailingStatus,
)
from groundswell.mailings.services import delivery_unsubscribe
from groundswell.mailings.transport import Transport
from groundswell.people.models import Person

pytestmark = pytest.mark.django_db

PEOPLE = 600


def _subjects(sink) -> dict[str, str]:
    """Each recipient's subject, from the messages the server accepted."""
    out = {}
    for _, rcpt, raw in sink.received:
        out[rcpt] = str(email.message_from_bytes(raw, policy=policy.default)["Subject"])
    return out


def _started(mailing, admin_user, capture, **fields):
    test = abtest_make(mailing, **fields)
    with capture(execute=True):
        abtest_start(test=test, actor=admin_user, base_url="https://campaign.example.org")
    test.refresh_from_db()
    return test


def test_a_better_variant_is_named_and_sent_to_the_rest_and_nobody_gets_two_copies(
    smtp_sink, mailing_make, admin_user, django_capture_on_commit_callbacks
):
    people = people_make(PEOPLE)
    mailing = mailing_make(subject="A: a note from Mara")
    test = _started(mailing, admin_user, django_capture_on_commit_callbacks)
    variants = abtest_variants(test=test)
    assert [v.status for v in variants] == [MailingStatus.SENT, MailingStatus.SENT]
    mailing.refresh_from_db()
    assert mailing.status == MailingStatus.TESTING
    share = AbTestMember.objects.filter(test=test).count()
    assert share == round(PEOPLE * test.test_percent / 100)
    assert len(smtp_sink.received) == share  # only the test's share so far

    rng = random.Random(7)
    clicks_simulate(variants[0], 0.05, rng)
    clicks_simulate(variants[1], 0.25, rng)  # B is truly better
    with django_capture_on_commit_callbacks(execute=True):
        outcome = abtests_advance()
    test.refresh_from_db()
    mailing.refresh_from_db()

    assert test.state == AbTestState.WINNER_SENT, outcome
    assert test.winner == variants[1]
    assert test.sentence.startswith("B was clicked by")
    assert mailing.status == MailingStatus.SENT
    received = Counter(rcpt for _, rcpt, _ in smtp_sink.received)
    assert set(received) == {p.primary_email for p in people}
    assert set(received.values()) == {1}
    subjects = _subjects(smtp_sink)
    rest = Delivery.objects.filter(mailing=mailing, state=DeliveryState.SENT)
    assert rest.count() == PEOPLE - share
    assert {subjects[d.address] for d in rest} == {"B: the deadline is tonight"}
    actions = set(
        AuditEvent.objects.filter(target_id=str(mailing.pk)).values_list("action", flat=True)
    )
    assert {"abtest_start", "abtest_winner", "mailing_send"} <= actions

    # The job runs again (or in a second worker): nothing more goes out.
    with django_capture_on_commit_callbacks(execute=True):
        abtests_advance()
    assert len(smtp_sink.received) == PEOPLE


def test_the_split_is_random_but_the_same_seed_gives_the_same_split(
    smtp_sink, mailing_make, admin_user, django_capture_on_commit_callbacks
):
    people_make(400)
    first = _started(
        mailing_make(name="One"), admin_user, django_capture_on_commit_callbacks, seed=11
    )
    members = list(
        AbTestMember.objects.filter(test=first).order_by("pk").values_list("person_id", flat=True)
    )
    everyone = sorted(Person.objects.values_list("pk", flat=True))
    # Not the first people by id: a random draw across the whole audience…
    assert sorted(members) != everyone[: len(members)]
    # …that the seed reproduces, dealt out to A and B in turn.
    assert members == random.Random(11).sample(everyone, len(members))
    variants = abtest_variants(test=first)
    dealt = AbTestMember.objects.filter(test=first).order_by("pk")
    assert [m.variant_id for m in dealt[:4]] == [v.pk for v in variants] * 2


def test_with_no_real_difference_no_winner_is_named_however_often_it_is_looked_at(
    smtp_sink, mailing_make, admin_user, django_capture_on_commit_callbacks
):
    people_make(PEOPLE)
    mailing = mailing_make()
    test = _started(mailing, admin_user, django_capture_on_commit_callbacks)
    variants = abtest_variants(test=test)
    rng = random.Random(3)
    # Responses arrive over time, and the job looks after each wave: the same true rate.
    for _ in range(5):
        for variant in variants:
            clicks_simulate(variant, 0.03, rng)
        assert abtest_advance(test=test) == "collecting"
        results = abtest_results(test=test)
        assert results.decision.state is State.COLLECTING
        assert results.decision.winner is None
    test.refresh_from_db()
    assert test.state == AbTestState.TESTING
    assert len(smtp_sink.received) == AbTestMember.objects.filter(test=test).count()

    # At the deadline the variant ahead goes to the rest, and the page says it was no decision.
    later = test.deadline_at + timedelta(minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        abtest_advance(test=test, now=later)
    test.refresh_from_db()
    assert test.state == AbTestState.WINNER_SENT
    assert test.sentence.startswith("No clear winner by the deadline")
    assert test.winner.pk in {v.pk for v in variants}
    assert len(smtp_sink.received) == PEOPLE


def test_the_circuit_breaker_stops_a_variant_mid_send_and_its_unsent_share_gets_the_winner(
    smtp_sink, mailing_make, admin_user, django_capture_on_commit_callbacks, monkeypatch
):
    people = people_make(PEOPLE)
    mailing = mailing_make()
    test = abtest_make(mailing)
    # The worker re-reads the mailing's status before every message (a pause or a stop is
    # seen at once), so where the breaker stops the send does not depend on timing.
    monkeypatch.setattr(sender_module, "STATUS_EVERY", 0)
    real_send = Transport.send
    seen = {"b": 0}

    def send_and_unsubscribe(self, message, **kw):
        real_send(self, message, **kw)
        if "deadline is tonight" not in str(message.subject):
            return
        seen["b"] += 1
        if seen["b"] == 40:  # B angers its readers: a third of them leave
            variant_b = abtest_variants(test=test)[1]
            for delivery in Delivery.objects.filter(mailing=variant_b, state=DeliveryState.SENT)[
                :12
            ]:
                delivery_unsubscribe(delivery=delivery)
            abtests_advance()  # the periodic job runs while B is still going out

    monkeypatch.setattr(Transport, "send", send_and_unsubscribe)
    with django_capture_on_commit_callbacks(execute=True):
        abtest_start(test=test, actor=admin_user, base_url="https://campaign.example.org")
    test.refresh_from_db()
    variant_a, variant_b = abtest_variants(test=test)

    assert variant_b.status == MailingStatus.CANCELLED
    assert Delivery.objects.filter(mailing=variant_b, state=DeliveryState.QUEUED).exists()
    assert test.state == AbTestState.WINNER_SENT
    assert test.winner == variant_a
    assert "B was stopped: its unsubscribe rate is above 1.0%" in test.sentence
    assert AuditEvent.objects.filter(action="abtest_breaker").exists()
    received = Counter(rcpt for _, rcpt, _ in smtp_sink.received)
    unsubscribed = {p.primary_email for p in people if p.pk in _unsubscribed_ids()}
    # Everyone got exactly one message; B's unsent share got A (the winner) instead.
    assert set(received.values()) == {1}
    assert set(received) == {p.primary_email for p in people}
    assert unsubscribed <= set(received)


def _unsubscribed_ids() -> set[int]:
    from groundswell.people.models import Activity

    return set(
        Activity.objects.filter(kind="mailing_unsubscribe").values_list("person_id", flat=True)
    )


def test_an_unsubscribe_during_the_test_is_honoured_by_the_winners_send(
    smtp_sink, mailing_make, admin_user, django_capture_on_commit_callbacks
):
    people_make(300)
    mailing = mailing_make()
    test = _started(mailing, admin_user, django_capture_on_commit_callbacks, min_per_variant=100)
    a_delivery = Delivery.objects.filter(mailing__parent=mailing).first()
    delivery_unsubscribe(delivery=a_delivery)
    sent_before = len(smtp_sink.received)
    with django_capture_on_commit_callbacks(execute=True):
        abtest_advance(test=test, now=timezone.now() + timedelta(hours=5))
    test.refresh_from_db()
    assert test.state == AbTestState.WINNER_SENT
    assert not Delivery.objects.filter(mailing=mailing, person=a_delivery.person).exists()
    assert (
        len(smtp_sink.received) - sent_before
        == Delivery.objects.filter(mailing=mailing, state=DeliveryState.SENT).count()
    )
