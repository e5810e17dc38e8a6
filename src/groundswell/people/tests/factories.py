"""Factories for synthetic people (Faker), built through the same upsert every intake uses."""

from __future__ import annotations

import factory
from faker import Faker

from groundswell.people.intake import person_input_clean
from groundswell.people.models import ConsentMethod, Person
from groundswell.people.services import IntakeContext, person_upsert

fake = Faker("en_US")


def person_raw(**overrides) -> dict:
    """Raw intake values for one synthetic person."""
    given, family = fake.first_name(), fake.last_name()
    raw = {
        "given_name": given,
        "family_name": family,
        "email": f"{given}.{family}.{fake.unique.random_int(1, 10**9)}@example.org".lower(),
        "address_line1": fake.street_address(),
        "city": fake.city(),
        "state": fake.state_abbr(include_territories=False),
        "postal_code": fake.zipcode(),
    }
    raw.update(overrides)
    return raw


def person_create(*, method: str = ConsentMethod.STAFF, **overrides) -> Person:
    """Create (or match) a person from raw values; fails loudly on invalid values."""
    data, errors = person_input_clean(person_raw(**overrides))
    assert not errors, errors
    result = person_upsert(data, context=IntakeContext(method=method, source="test"))
    return Person.objects.get(pk=result.person_id)


class PersonFactory(factory.django.DjangoModelFactory):
    """A bare person row, for tests that only need someone to point at."""

    class Meta:
        model = Person

    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
