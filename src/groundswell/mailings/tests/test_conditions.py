"""E-mail engagement conditions for segments: opened, clicked, received — any mailing or one,
in the last N days or ever, did or did not (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from groundswell.mailings.models import Delivery, DeliveryState, Engagement, Mailing
from groundswell.mailings.tests.conftest import person_make
from groundswell.segments.conditions import condition_kind
from groundswell.segments.definition import DefinitionError, definition_clean
from groundswell.segments.selectors import definition_people

pytestmark = pytest.mark.django_db


def names(leaf: dict) -> set[str]:
    definition = {"op": "and", "negate": False, "items": [leaf]}
    return set(definition_people(definition=definition).values_list("given_name", flat=True))


@pytest.fixture
def world(mailing_make):
    """Ada opened and clicked the spring mailing 3 days ago; Bo only had a privacy proxy's
    preload and a scanner's click of it; Cy received the old mailing 60 days ago and opened it
    then; Di was never sent anything (her spring delivery failed)."""
    now = timezone.now()
    spring = mailing_make(name="Spring", started_at=now - timedelta(days=3))
    old = mailing_make(name="Winter", started_at=now - timedelta(days=60))
    ada, bo, cy, di = (person_make(f"{n}@one.example") for n in ("ada", "bo", "cy", "di"))

    def deliver(mailing, person, days, state=DeliveryState.SENT):
        return Delivery.objects.create(
            mailing=mailing,
            person=person,
            address=person.primary_email,
            state=state,
            sent_at=now - timedelta(days=days) if state == DeliveryState.SENT else None,
        )

    def hit(delivery, kind, hit_class, days):
        Engagement.objects.create(
            delivery=delivery,
            mailing=delivery.mailing,
            person=delivery.person,
            kind=kind,
            hit_class=hit_class,
            at=now - timedelta(days=days),
        )

    a, b = deliver(spring, ada, 3), deliver(spring, bo, 3)
    c = deliver(old, cy, 60)
    deliver(spring, di, 3, DeliveryState.FAILED)
    hit(a, "open", "human", 3)
    hit(a, "click", "proxied", 3)
    hit(b, "open", "machine", 3)
    hit(b, "click", "scanner", 3)
    hit(c, "open", "human", 59)
    return spring, old


def test_opened_counts_peoples_opens_only_for_any_mailing_a_given_one_and_a_window(world):
    spring, old = world
    assert names({"kind": "mail_opened"}) == {"Ada", "Cy"}
    assert names({"kind": "mail_opened", "days": 30}) == {"Ada"}
    assert names({"kind": "mail_opened", "mailing": str(old.pk)}) == {"Cy"}
    assert names({"kind": "mail_opened", "did": "no", "days": 30}) == {"Bo", "Cy", "Di"}


def test_clicked_ignores_scanners_and_can_be_negated(world):
    spring, _ = world
    assert names({"kind": "mail_clicked", "mailing": spring.pk}) == {"Ada"}
    assert names({"kind": "mail_clicked", "did": "no"}) == {"Bo", "Cy", "Di"}


def test_received_means_a_message_was_sent_in_the_window_or_of_the_mailing(world):
    spring, old = world
    assert names({"kind": "mail_received", "days": 7}) == {"Ada", "Bo"}
    assert names({"kind": "mail_received"}) == {"Ada", "Bo", "Cy"}
    assert names({"kind": "mail_received", "mailing": str(old.pk)}) == {"Cy"}
    assert names({"kind": "mail_received", "did": "no", "days": 7}) == {"Cy", "Di"}


def test_a_bad_mailing_or_window_is_refused_with_a_message(world):
    for leaf in (
        {"kind": "mail_opened", "mailing": "999999"},
        {"kind": "mail_clicked", "mailing": "abc"},
        {"kind": "mail_received", "days": "0"},
        {"kind": "mail_opened", "did": "maybe"},
    ):
        with pytest.raises(DefinitionError):
            definition_clean({"op": "and", "negate": False, "items": [leaf]})


def test_each_condition_describes_itself_in_a_sentence(world):
    spring, _ = world
    kind = condition_kind("mail_opened")
    params = kind.clean({"mailing": str(spring.pk), "days": "30", "did": "no"})
    assert kind.describe(params) == "Did not open “Spring” in the last 30 days"
    received = condition_kind("mail_received")
    assert received.describe(received.clean({})) == "Received a mailing"
    assert Mailing.objects.count() == 2
