"""A merge of two people moves their gifts' limit totals with them, and an undo moves them back."""

from datetime import UTC, datetime

import pytest

from groundswell.donations.models import Contribution, DonorElectionTotal
from groundswell.donations.services import ContributionInput, contribution_record
from groundswell.people.merge import person_merge, person_merge_undo

pytestmark = pytest.mark.django_db


def give(lineitem, email, cents):
    contribution, _ = contribution_record(
        data=ContributionInput(
            processor="actblue",
            processor_id=str(lineitem),
            amount_cents=cents,
            received_at=datetime(2026, 3, 1, 12, tzinfo=UTC),
            donor={"given_name": "Casey", "family_name": "Testdonor", "email": email},
        )
    )
    return contribution


def totals():
    return {
        (row.donor_key, row.election): row.total_cents
        for row in DonorElectionTotal.objects.exclude(total_cents=0)
    }


def test_merging_two_donors_adds_their_totals_and_undo_splits_them_again():
    a = give(1, "casey.one@example.org", 200_000)
    b = give(2, "casey.two@example.org", 100_000)
    election = a.election
    assert totals() == {
        (f"p:{a.person_id}", election): 200_000,
        (f"p:{b.person_id}", election): 100_000,
    }
    record = person_merge(survivor=a.person, merged=b.person)
    assert totals() == {(f"p:{a.person_id}", election): 300_000}
    assert set(Contribution.objects.values_list("donor_key", flat=True)) == {f"p:{a.person_id}"}

    person_merge_undo(record=record)
    assert totals() == {
        (f"p:{a.person_id}", election): 200_000,
        (f"p:{b.person_id}", election): 100_000,
    }
