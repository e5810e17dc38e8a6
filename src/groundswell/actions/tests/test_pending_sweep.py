"""`groundswell periodic` sweeps stored sign-ups whose processing task was lost."""

import pytest
from django.core.management import call_command

from groundswell.actions import services
from groundswell.actions.models import ActionPage, Submission
from groundswell.people.models import Person

pytestmark = pytest.mark.django_db


def test_one_tick_turns_stored_sign_ups_whose_task_was_lost_into_people(monkeypatch):
    page = ActionPage.objects.create(
        kind="signup", slug="join", title="Join", headline="Join us", tags=["joined"]
    )
    # The task enqueued with each sign-up is lost (the process died after the commit).
    monkeypatch.setattr(services, "_enqueue_processing", lambda: None)
    for n in range(3):
        services.submission_receive(
            page=page, token=f"lost-{n}", data={"email": f"swept{n}@example.org"}
        )
    assert Submission.objects.filter(status=Submission.Status.RECEIVED).count() == 3
    assert not Person.objects.exists()

    call_command("periodic", "--once")

    assert not Submission.objects.filter(status=Submission.Status.RECEIVED).exists()
    emails = sorted(Person.objects.values_list("emails__address", flat=True))
    assert emails == ["swept0@example.org", "swept1@example.org", "swept2@example.org"]
    assert all(
        list(p.tags.values_list("name", flat=True)) == ["joined"] for p in Person.objects.all()
    )
    # A second tick finds nothing left and changes nothing.
    call_command("periodic", "--once")
    assert Person.objects.count() == 3
