"""Storing a delivery: rows, log entry and links together, by either path, exactly once."""

import json
import threading
import time

import pytest
from django.db import connection, connections, transaction

from groundswell.donations import services
from groundswell.donations.compliance.rules import rules_cache_clear
from groundswell.donations.intake.actblue import actblue_parse
from groundswell.donations.intake.actblue_store import actblue_delivery_store
from groundswell.donations.intake.tests.test_actblue_webhook import payload
from groundswell.donations.models import Contribution, WebhookDelivery


@pytest.fixture(autouse=True)
def quiet(settings, monkeypatch):
    settings.GROUNDSWELL_CHECK_MX = False
    rules_cache_clear()
    enqueued = []
    monkeypatch.setattr(
        services, "contribution_processing_enqueue", lambda: enqueued.append(time.time())
    )
    return enqueued


def two_items(first: int, second: int) -> bytes:
    body = payload(lineitem_id=first)
    extra = dict(body["lineitems"][0], lineitemId=second, sequence=1, amount="5.00")
    body["lineitems"].append(extra)
    return json.dumps(body).encode()


def store(body: bytes):
    items = actblue_parse(body, entity_id="10001")
    return actblue_delivery_store(items=items, body=body.decode(), remote_addr="127.0.0.1")


def links(delivery: WebhookDelivery) -> list[int]:
    return sorted(delivery.contributions.values_list("pk", flat=True))


@pytest.mark.django_db
def test_a_delivery_stores_its_rows_and_a_log_entry_linked_to_them(
    quiet, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        status, ids = store(two_items(7001, 7002))
    assert status == "accepted"
    rows = Contribution.objects.order_by("processor_id")
    assert [r.pk for r in rows] == ids
    assert [(r.processor_id, r.amount_cents) for r in rows] == [("7001", 2700), ("7002", 500)]
    assert all(r.processed_at is None and r.donor_email for r in rows)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.remote_addr, links(delivery)) == (
        "accepted",
        "127.0.0.1",
        sorted(ids),
    )
    assert json.loads(delivery.body)["lineitems"][1]["lineitemId"] == 7002
    assert quiet


@pytest.mark.django_db
def test_a_repeat_is_logged_as_a_duplicate_linked_to_the_same_rows(
    quiet, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _, ids = store(two_items(7101, 7102))
    before = len(quiet)
    assert before >= 1
    with django_capture_on_commit_callbacks(execute=True):
        status, again = store(two_items(7101, 7102))
    assert (status, again) == ("duplicate", ids)
    assert Contribution.objects.count() == 2
    first, second = WebhookDelivery.objects.order_by("id")
    assert links(first) == links(second) == sorted(ids)
    assert len(quiet) == before  # nothing new to process


@pytest.mark.django_db
def test_a_delivery_with_one_new_and_one_known_gift_is_accepted(quiet):
    _, (known,) = store(json.dumps(payload(lineitem_id=7201)).encode())
    status, ids = store(two_items(7201, 7202))
    assert status == "accepted"
    assert ids[0] == known and ids[1] != known
    assert Contribution.objects.count() == 2


@pytest.mark.django_db
def test_the_same_line_item_twice_in_one_delivery_is_one_row(quiet):
    status, ids = store(two_items(7301, 7301))
    assert status == "accepted"
    assert ids[0] == ids[1]
    assert Contribution.objects.count() == 1
    assert links(WebhookDelivery.objects.get()) == [ids[0]]


def _waiting_on_a_lock() -> bool:
    with connections["default"].cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("with_new_item", [False, True])
def test_a_gift_committed_by_a_concurrent_delivery_mid_statement_is_found(quiet, with_new_item):
    """The row is committed after the one statement began: the general path reads it afresh."""
    if connection.vendor != "postgresql":
        pytest.skip("the one-statement path is PostgreSQL's")
    body = two_items(7401, 7402) if with_new_item else json.dumps(payload(lineitem_id=7401))
    data = actblue_parse(body.encode() if isinstance(body, str) else body, entity_id="10001")
    inserted, release = threading.Event(), threading.Event()
    other: list = []

    def concurrent_delivery():
        try:
            with transaction.atomic():
                other.append(services.contribution_receive(data=data[0].contribution)[0].pk)
                inserted.set()
                release.wait(10)
        finally:
            connections.close_all()

    result: list = []

    def this_delivery():
        try:
            result.append(store(body.encode() if isinstance(body, str) else body))
        finally:
            connections.close_all()

    holder = threading.Thread(target=concurrent_delivery)
    holder.start()
    assert inserted.wait(10)
    storer = threading.Thread(target=this_delivery)
    storer.start()
    deadline = time.monotonic() + 10
    while not _waiting_on_a_lock():  # this delivery's INSERT waits on the uncommitted row
        assert time.monotonic() < deadline, "the delivery never waited on the other's row"
        time.sleep(0.02)
    release.set()
    holder.join()
    storer.join()

    status, ids = result[0]
    assert ids[0] == other[0]
    assert Contribution.objects.filter(processor_id="7401").count() == 1
    delivery = WebhookDelivery.objects.get()
    assert links(delivery) == sorted(set(ids))
    if with_new_item:
        # The new gift was written by this delivery: accepted, and processing was enqueued.
        assert status == delivery.status == "accepted"
        assert Contribution.objects.count() == 2
        assert quiet
    else:
        assert status == delivery.status == "duplicate"
        assert Contribution.objects.count() == 1


@pytest.mark.django_db
def test_both_paths_write_the_same_row():
    """The one-statement path's JSON row is what the general path's INSERT writes."""
    from groundswell.donations.intake import actblue_store

    body = payload(lineitem_id=7501)
    body["donor"]["country"] = "US"
    body["contribution"]["refcodes"] = {"refcode": "sms-1", "refcode2": "x"}
    fast = json.dumps(body).encode()
    body["lineitems"][0]["lineitemId"] = 7502
    general = json.dumps(body).encode()
    store(fast)
    items = actblue_parse(general, entity_id="10001")
    actblue_store._store_in_transaction(
        items=items, body=general.decode(), remote_addr=None, changed=False
    )
    skip = {"id", "processor_id", "created_at", "modified_at"}
    a, b = (
        {f.attname: getattr(c, f.attname) for f in Contribution._meta.concrete_fields}
        for c in Contribution.objects.order_by("processor_id")
    )
    assert {k: v for k, v in a.items() if k not in skip} == {
        k: v for k, v in b.items() if k not in skip
    }
    assert a["refcodes"] == {"refcode": "sms-1", "refcode2": "x"}
    assert a["received_at"] == b["received_at"] and a["received_at"].microsecond == 0
