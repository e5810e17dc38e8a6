"""Two deliveries of the same contribution at once still make one contribution (PostgreSQL)."""

from datetime import UTC, datetime

import pytest
from django.db import connection

from groundswell.core.tests.race import at_once
from groundswell.donations.models import Contribution
from groundswell.donations.services import ContributionInput, contribution_record
from groundswell.people.models import Activity


@pytest.mark.django_db(transaction=True)
def test_concurrent_deliveries_of_one_contribution_create_one_row(settings):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    settings.GROUNDSWELL_CHECK_MX = False
    data = ContributionInput(
        processor="actblue",
        processor_id="race-1",
        amount_cents=2700,
        received_at=datetime(2026, 3, 30, 12, tzinfo=UTC),
        donor={"given_name": "Test", "family_name": "Donor", "email": "race@example.org"},
    )
    results, errors = at_once(*[lambda: contribution_record(data=data)] * 4)
    assert not errors
    assert Contribution.objects.count() == 1
    assert sum(created for _, created in results) == 1
    assert len({c.pk for c, _ in results}) == 1
    assert Activity.objects.filter(kind="donation").count() == 1
