"""The ActBlue webhook answers once the gift is committed; the task worker does the rest, once."""

import copy
import json
import threading
from datetime import UTC, date, datetime

import pytest
from django.db import connections, transaction

from groundswell.core.tests.race import at_once
from groundswell.donations import services
from groundswell.donations.compliance.limits import donor_totals_rebuild
from groundswell.donations.compliance.rules import rules_cache_clear
from groundswell.donations.intake import processing
from groundswell.donations.intake.tests.test_actblue_webhook import auth, payload, worker
from groundswell.donations.models import (
    ComplianceRule,
    Contribution,
    DonorElectionTotal,
    WebhookDelivery,
)
from groundswell.donations.selectors import DateRange, money_totals
from groundswell.donations.tasks import contributions_process_pending
from groundswell.people.models import Activity, Person

URL = "/webhooks/actblue/"


@pytest.fixture(autouse=True)
def webhook_settings(settings):
    settings.ACTBLUE_WEBHOOK_USERNAME = "actblue-hook"
    settings.ACTBLUE_WEBHOOK_PASSWORD = "s3cret-for-tests"
    settings.GROUNDSWELL_COMMITTEE_ENTITY_ID = "10001"
    settings.GROUNDSWELL_CHECK_MX = False
    rules_cache_clear()


@pytest.fixture
def lost_tasks(monkeypatch):
    """Every processing task is lost (the worker was down): only the sweep can process."""
    monkeypatch.setattr(services, "contribution_processing_enqueue", lambda: None)


def post(client, body):
    return client.post(URL, data=json.dumps(body), content_type="application/json", **auth())


def counts() -> tuple:
    """Everything a delivery can change, to compare before and after a replay."""
    return (
        Contribution.objects.count(),
        sorted(Contribution.objects.values_list("amount_cents", "refunded_cents", "held_at")),
        Person.objects.count(),
        Activity.objects.filter(kind__startswith="donation").count(),
        sorted(DonorElectionTotal.objects.values_list("donor_key", "election", "total_cents")),
    )


@pytest.mark.django_db(transaction=True)
def test_the_delivery_is_committed_before_the_answer(client, monkeypatch):
    seen = []

    def enqueue_elsewhere():
        # Another connection (another thread) sees the row the moment the task is enqueued,
        # so the row was committed before the webhook answered.
        def look():
            seen.append(Contribution.objects.filter(processor_id="4401").count())
            connections.close_all()

        thread = threading.Thread(target=look)
        thread.start()
        thread.join()

    monkeypatch.setattr(services, "contribution_processing_enqueue", enqueue_elsewhere)
    response = post(client, payload(lineitem_id=4401, amount="35.00"))
    assert response.status_code == 200
    assert seen == [1]
    contribution = Contribution.objects.get(processor_id="4401")
    # Answered but not processed yet: no donor, no key, no count; the money already counts.
    assert contribution.processed_at is None and contribution.person_id is None
    assert contribution.donor_key == "" and contribution.election == "P2026"
    assert not DonorElectionTotal.objects.exists()
    day = date(2026, 3, 30)
    assert money_totals(period=DateRange(day, date(2026, 3, 31))).net_cents == 3500
    assert worker() == 1
    contribution.refresh_from_db()
    assert contribution.processed_at is not None
    assert contribution.donor_key == f"p:{contribution.person_id}"
    assert DonorElectionTotal.objects.get().total_cents == 3500


@pytest.mark.django_db
def test_processing_twice_changes_nothing_the_second_time(client, lost_tasks):
    body = payload(lineitem_id=4501)
    assert post(client, body).status_code == 200
    contribution = Contribution.objects.get()
    assert processing.contributions_process() == (1, [])
    after_first = counts()
    assert processing.contributions_process() == (0, [])
    assert processing.contributions_process(ids=[contribution.pk]) == (0, [])
    processing.contribution_process_now(contribution)
    assert counts() == after_first
    assert after_first[2:4] == (1, 1)  # one donor, one timeline entry
    assert after_first[4][0][2] == 2700  # counted once


@pytest.mark.django_db
def test_a_lost_task_is_picked_up_by_the_sweep(client, lost_tasks):
    email = "sweep-donor@example.org"
    for n in range(3):
        assert post(client, payload(lineitem_id=4600 + n, email=email)).status_code == 200
    assert Contribution.objects.filter(processed_at__isnull=True).count() == 3
    assert not Person.objects.exists()
    assert contributions_process_pending.enqueue().return_value == 3
    assert not Contribution.objects.filter(processed_at__isnull=True).exists()
    person = Person.objects.get()
    assert set(Contribution.objects.values_list("person_id", flat=True)) == {person.pk}
    assert Activity.objects.filter(person=person, kind="donation").count() == 3
    assert DonorElectionTotal.objects.get(donor_key=f"p:{person.pk}").total_cents == 8100


@pytest.mark.django_db
def test_a_replayed_batch_changes_nothing(client, lost_tasks):
    batch = [payload(lineitem_id=4700 + n, amount=f"{10 + n}.00") for n in range(4)]
    refund = copy.deepcopy(batch[1])
    refund["lineitems"][0].update(refundId=4799, refundedAt="2026-04-02T10:00:00-04:00")
    batch.append(refund)
    for body in batch:
        assert post(client, body).status_code == 200
    worker()
    before = counts()
    assert before[0] == 4 and before[3] == 5  # four gifts, one refund on the timeline
    for body in batch:
        response = post(client, body)
        assert response.status_code == 200 and response.json()["status"] == "duplicate"
    assert worker() == 0
    assert counts() == before


@pytest.mark.django_db
def test_a_refund_of_a_gift_not_yet_processed_is_taken_off_a_counted_total(client, lost_tasks):
    post(client, payload(lineitem_id=4801, amount="40.00"))
    refund = payload(lineitem_id=4801, amount="40.00")
    refund["lineitems"][0].update(refundId=4899, refundedAt="2026-04-02T10:00:00-04:00")
    assert post(client, refund).status_code == 200
    contribution = Contribution.objects.get()
    # The refund needed the gift counted first, so the request processed it.
    assert contribution.processed_at is not None and contribution.refunded_cents == 4000
    assert DonorElectionTotal.objects.get().total_cents == 0
    assert Activity.objects.filter(kind="donation_refund").count() == 1
    assert worker() == 0


@pytest.mark.django_db
def test_the_hold_is_applied_when_the_gift_is_processed(client, lost_tasks):
    email = "big-donor@example.org"
    post(client, payload(lineitem_id=4901, amount="3000.00", email=email))
    post(client, payload(lineitem_id=4902, amount="1000.00", email=email))
    assert not Contribution.objects.filter(held_at__isnull=False).exists()
    worker()
    held = Contribution.objects.get(held_at__isnull=False)
    assert held.processor_id == "4902"
    assert "by $500.00" in held.hold_reason


@pytest.mark.django_db
def test_the_worker_designates_with_the_rule_as_it_is_now(client, lost_tasks):
    post(client, payload(lineitem_id=5001))  # remembers the default rule (no primary date)
    ComplianceRule.objects.create(cycle=2026, primary_date=date(2026, 3, 1))
    post(client, payload(lineitem_id=5002))
    # On receipt the cached rule may be stale; the worker counts with the saved one.
    worker()
    assert set(Contribution.objects.values_list("election", flat=True)) == {"G2026"}


@pytest.mark.django_db
def test_a_malformed_delivery_writes_nothing_but_its_log(client):
    body = payload(lineitem_id=5101)
    second = copy.deepcopy(body["lineitems"][0])
    second.update(lineitemId=5102, amount="12.345")
    body["lineitems"].append(second)
    response = post(client, body)
    assert response.status_code == 400
    assert response.json()["field"] == "lineitems[1].amount"
    assert not Contribution.objects.exists()
    assert WebhookDelivery.objects.get().status == "rejected"


@pytest.mark.django_db(transaction=True)
def test_concurrent_receipts_of_one_contribution_store_one_row(monkeypatch):
    if connections["default"].vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    monkeypatch.setattr(services, "contribution_processing_enqueue", lambda: None)
    data = services.ContributionInput(
        processor="actblue",
        processor_id="race-receive-1",
        amount_cents=2700,
        received_at=datetime(2026, 3, 30, 12, tzinfo=UTC),
        donor={"given_name": "Test", "family_name": "Donor", "email": "race@example.org"},
    )

    def receive():
        with transaction.atomic():
            return services.contribution_receive(data=data)

    results, errors = at_once(*[receive] * 4)
    assert not errors
    assert Contribution.objects.count() == 1
    assert sum(created for _, created in results) == 1
    assert len({c.pk for c, _ in results}) == 1
    assert processing.contributions_process() == (1, [])
    assert Activity.objects.filter(kind="donation").count() == 1


@pytest.mark.django_db
def test_a_gift_that_fails_to_process_is_left_for_later_and_the_rest_go_on(
    client, lost_tasks, monkeypatch
):
    for n in range(3):
        post(client, payload(lineitem_id=5200 + n))
    bad = Contribution.objects.get(processor_id="5201").donor_email
    upsert = services.people_upsert

    def broken(items, **kwargs):
        # Fails for one donor, whether it comes alone or in the worker's batch of donors.
        if any(item.email == bad for item in items):
            raise RuntimeError("the people database is having a bad day")
        return upsert(items, **kwargs)

    monkeypatch.setattr(services, "people_upsert", broken)
    assert contributions_process_pending.enqueue().return_value == 2
    pending = Contribution.objects.get(processed_at__isnull=True)
    assert pending.processor_id == "5201" and pending.person_id is None
    assert sum(DonorElectionTotal.objects.values_list("total_cents", flat=True)) == 5400
    monkeypatch.setattr(services, "people_upsert", upsert)
    assert contributions_process_pending.enqueue().return_value == 1
    assert sum(DonorElectionTotal.objects.values_list("total_cents", flat=True)) == 8100


@pytest.mark.django_db
def test_a_totals_rebuild_leaves_a_gift_not_yet_processed_to_the_worker(client, lost_tasks):
    post(client, payload(lineitem_id=5301, amount="27.00"))
    donor_totals_rebuild()
    assert Contribution.objects.get().donor_key == ""
    assert not DonorElectionTotal.objects.exclude(total_cents=0).exists()
    worker()
    donor_totals_rebuild()
    contribution = Contribution.objects.get()
    assert list(DonorElectionTotal.objects.values_list("donor_key", "total_cents")) == [
        (f"p:{contribution.person_id}", 2700)
    ]


@pytest.mark.django_db(transaction=True)
def test_a_failed_enqueue_still_answers_2xx_and_the_sweep_takes_the_gift(client, monkeypatch):
    def down():
        raise ConnectionError("the task queue is down")

    monkeypatch.setattr(services, "contribution_processing_enqueue", down)
    response = post(client, payload(lineitem_id=5401))
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    assert Contribution.objects.get().processed_at is None
    assert contributions_process_pending.enqueue().return_value == 1
    assert Contribution.objects.get().person_id is not None
