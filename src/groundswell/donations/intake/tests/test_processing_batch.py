"""The worker links a batch's donors together, with each gift at the time it was received."""

from datetime import UTC, datetime, timedelta

import pytest

from groundswell.donations import services
from groundswell.donations.compliance.rules import rules_cache_clear
from groundswell.donations.intake.processing import contributions_process
from groundswell.donations.models import Contribution, DonorElectionTotal
from groundswell.people.models import Activity, Person

START = datetime(2026, 3, 30, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def quiet(settings, monkeypatch):
    settings.GROUNDSWELL_CHECK_MX = False
    rules_cache_clear()
    monkeypatch.setattr(services, "contribution_processing_enqueue", lambda: None)


def receive(n: int, email: str, minutes: int, **donor) -> Contribution:
    data = services.ContributionInput(
        processor="actblue",
        processor_id=f"batch-{n}",
        amount_cents=1000 + n,
        received_at=START + timedelta(minutes=minutes),
        donor={"given_name": "Pat", "family_name": f"Donor{email[:3]}", "email": email, **donor},
    )
    return services.contribution_receive(data=data)[0]


@pytest.mark.django_db
def test_a_batch_links_each_donor_once_and_times_each_gift_as_received():
    receive(1, "ann@example.org", 0)
    receive(2, "bo@example.org", 5)
    receive(3, "ann@example.org", 10)  # Ann again, in the same batch
    receive(4, "", 15, phone="")  # nothing to match a person by
    assert contributions_process() == (4, [])

    ann = Person.objects.get(emails__address="ann@example.org")
    assert Person.objects.count() == 2
    gifts = {c.processor_id: c for c in Contribution.objects.all()}
    assert gifts["batch-1"].person_id == gifts["batch-3"].person_id == ann.pk
    assert gifts["batch-4"].person_id is None and gifts["batch-4"].processed_at
    assert ann.created_at == START  # made by her first gift
    entries = Activity.objects.filter(person=ann, kind="donation").order_by("occurred_at")
    assert [e.occurred_at for e in entries] == [START, START + timedelta(minutes=10)]
    assert [e.data["processor_id"] for e in entries] == ["batch-1", "batch-3"]
    totals = dict(DonorElectionTotal.objects.values_list("donor_key", "total_cents"))
    assert totals[f"p:{ann.pk}"] == 1001 + 1003


@pytest.mark.django_db
def test_fifty_gifts_are_linked_in_few_queries(django_assert_max_num_queries):
    for n in range(50):
        receive(n, f"donor{n}@example.org", n)
    # One upsert for the batch (about a dozen queries) plus, per gift, its savepoint, update
    # and limit count (about four); an upsert per gift takes about five hundred.
    with django_assert_max_num_queries(250):
        assert contributions_process() == (50, [])
    assert Person.objects.count() == 50
    assert Activity.objects.filter(kind="donation").count() == 50


@pytest.mark.django_db
def test_a_bad_donor_in_a_batch_fails_alone(monkeypatch):
    for n in range(3):
        receive(n, f"d{n}@example.org", n)
    upsert = services.people_upsert

    def broken(items, **kwargs):
        if any(item.email == "d1@example.org" for item in items):
            raise RuntimeError("cannot store this donor")
        return upsert(items, **kwargs)

    monkeypatch.setattr(services, "people_upsert", broken)
    done, failed = contributions_process()
    assert done == 3
    assert failed == [Contribution.objects.get(processor_id="batch-1").pk]
    assert Person.objects.count() == 2
    monkeypatch.setattr(services, "people_upsert", upsert)
    assert contributions_process() == (1, [])
    assert Person.objects.count() == 3
