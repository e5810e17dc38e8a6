"""The synthetic campaign: deterministic, spread over the states, with consent histories."""

import pytest

from groundswell.demo.people_seed import people_seed
from groundswell.demo.people_synthetic import people_generate
from groundswell.people.models import ConsentEvent, Person


def test_the_same_seed_makes_the_same_people():
    first = [p.raw["email"] for p in people_generate(50, seed=3)]
    again = [p.raw["email"] for p in people_generate(50, seed=3)]
    other = [p.raw["email"] for p in people_generate(50, seed=4)]
    assert first == again
    assert first != other


def test_people_join_in_order_toward_the_present():
    joined = [p.joined_at for p in people_generate(3000, seed=1)]
    assert joined == sorted(joined)


def test_states_are_weighted_by_population():
    states = [p.raw["state"] for p in people_generate(20000, seed=1)]
    assert states.count("CA") > 5 * states.count("OR") > 0
    assert states.count("WY") < states.count("TX") / 20


@pytest.mark.django_db
def test_seeding_writes_people_with_consent_histories():
    written = people_seed(count=2100, seed=5)  # three chunks: made in a helper process
    assert written == Person.objects.count() == 2100
    email_consent = ConsentEvent.objects.filter(channel="email", status="subscribed", method="form")
    assert email_consent.count() == 2100
    unsubscribed = ConsentEvent.objects.filter(status="unsubscribed", method="unsubscribe_link")
    assert 0 < unsubscribed.count() < 2100 * 0.15
    assert Person.objects.filter(email_status="unsubscribed").count() == unsubscribed.count()
