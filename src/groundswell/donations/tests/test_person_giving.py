"""The person page's Giving panel: for finance roles only, memo rows and voids excluded."""

from datetime import UTC, datetime

import pytest

from groundswell.donations.models import Contribution
from groundswell.donations.services import (
    ContributionInput,
    contribution_record,
    contribution_refund,
)

pytestmark = pytest.mark.django_db


def give(lineitem, cents, **extra):
    contribution, _ = contribution_record(
        data=ContributionInput(
            processor="actblue",
            processor_id=str(lineitem),
            amount_cents=cents,
            received_at=datetime(2026, 2, lineitem, 12, tzinfo=UTC),
            donor={"given_name": "Robin", "family_name": "Testgiver", "email": "robin@example.org"},
            **extra,
        )
    )
    return contribution


@pytest.fixture
def person():
    first = give(1, 2_500)
    give(2, 10_000)
    give(3, 5_000, is_memo=True)
    contribution_refund(processor="actblue", processor_id="2", refund_cents=4_000, refund_key="r1")
    voided = give(4, 99_900)
    Contribution.objects.filter(pk=voided.pk).update(status="voided")
    return first.person


def test_finance_staff_see_the_net_given_and_the_gifts(persona_client, person):
    page = persona_client("finance").get(f"/people/{person.pk}/").content.decode()
    assert 'id="giving"' in page
    assert "$85.00" in page  # 25 + (100 - 40); the memo row and the voided gift count nothing
    assert "$100.00" in page  # the largest gift
    assert f"/finance/donors/p:{person.pk}/" in page


@pytest.mark.parametrize("role", ["organizer", "volunteer"])
def test_other_roles_do_not_see_giving(persona_client, person, role):
    page = persona_client(role).get(f"/people/{person.pk}/").content.decode()
    assert 'id="giving"' not in page
    assert "$85.00" not in page


def test_someone_who_never_gave_has_an_empty_panel(persona_client):
    from groundswell.people.models import Person

    other = Person.objects.create(given_name="Nogift")
    page = persona_client("admin").get(f"/people/{other.pk}/").content.decode()
    assert "No contributions." in page
