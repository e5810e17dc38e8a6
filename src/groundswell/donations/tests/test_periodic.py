"""`groundswell periodic`: the clock that enqueues the webhook sweep and the recurring charges."""

from datetime import UTC, datetime

import pytest
from django.core.management import call_command

from groundswell.donations import services
from groundswell.donations.models import Contribution

pytestmark = pytest.mark.django_db


def test_one_tick_sweeps_webhook_gifts_whose_task_was_lost(monkeypatch):
    # The task enqueued with the delivery is lost (as if the process died after the commit).
    monkeypatch.setattr(services, "contribution_processing_enqueue", lambda: None)
    contribution, created = services.contribution_receive(
        data=services.ContributionInput(
            processor="actblue",
            processor_id="lost-task-1",
            amount_cents=2700,
            received_at=datetime(2026, 3, 30, 12, tzinfo=UTC),
            donor={"given_name": "Sam", "family_name": "Sweep", "email": "sweep@example.org"},
        )
    )
    assert created and contribution.processed_at is None
    call_command("periodic", "--once")
    contribution.refresh_from_db()
    assert contribution.processed_at is not None
    assert contribution.person.primary_email == "sweep@example.org"
    assert Contribution.objects.filter(processed_at__isnull=True).count() == 0
