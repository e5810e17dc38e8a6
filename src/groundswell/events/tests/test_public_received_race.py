"""Placing received RSVPs with two workers at once, and a worker killed between its claim and
its commit (PostgreSQL: SKIP LOCKED claims and row locks are what is tested).
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.db.models import Count

from groundswell.core.tests.race import at_once
from groundswell.events import received as received_module
from groundswell.events.models import Attendance, AttendanceStatus, RsvpReceived
from groundswell.events.received import rsvp_receive, rsvps_place
from groundswell.events.tests.conftest_public import event_make, rsvp, shift_make

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SKIP LOCKED needs PostgreSQL"),
]

CAPACITY = 10


@pytest.fixture(autouse=True)
def deferred(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def _doubled() -> int:
    return (
        Attendance.objects.values("shift", "person").annotate(n=Count("pk")).filter(n__gt=1).count()
    )


def test_two_workers_at_once_place_each_rsvp_once_within_capacity():
    event = event_make()
    limited, open_ = shift_make(event, capacity=CAPACITY), shift_make(event, days=4)
    # One in three asks for both shifts: the workers' batches overlap on both locks.
    choices = ([limited], [limited, open_], [open_])
    for n in range(45):
        rsvp_receive(event=event, shifts=choices[n % 3], person_data=rsvp(n))

    def drain():
        while rsvps_place(limit=4):
            pass

    assert at_once(drain, drain)[1] == []
    assert not RsvpReceived.objects.exclude(status=RsvpReceived.Status.PLACED).exists()
    on_limited = Attendance.objects.filter(shift=limited)
    assert on_limited.count() == 30
    assert on_limited.filter(status=AttendanceStatus.REGISTERED).count() == CAPACITY
    assert on_limited.filter(status=AttendanceStatus.WAITLISTED).count() == 30 - CAPACITY
    assert Attendance.objects.filter(shift=open_, status=AttendanceStatus.REGISTERED).count() == 30
    assert _doubled() == 0


def test_a_worker_killed_between_claim_and_commit_leaves_its_rows_to_the_next(monkeypatch):
    event = event_make()
    shift = shift_make(event, capacity=3)
    for n in range(5):
        rsvp_receive(event=event, shifts=[shift], person_data=rsvp(n))
    claimed, killed = threading.Event(), threading.Event()
    pid: list[int] = []
    real = received_module._batch_place

    def placed_then_stalled(batch):
        real(batch)  # every write made, the transaction still open
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid.append(cursor.fetchone()[0])
        claimed.set()
        killed.wait(30)
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")  # the server has gone: this raises

    monkeypatch.setattr(received_module, "_batch_place", placed_then_stalled)
    failures: list[BaseException] = []

    def worker():
        try:
            rsvps_place()
        except BaseException as exc:  # noqa: BLE001 (the kill, expected below)
            failures.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=worker)
    thread.start()
    assert claimed.wait(30)
    monkeypatch.setattr(received_module, "_batch_place", real)
    # Claimed rows are skipped by another worker, not waited for nor placed twice.
    assert rsvps_place() == 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid[0]])
    killed.set()
    thread.join(30)
    assert failures, "the killed worker's transaction cannot have committed"
    assert not Attendance.objects.exists()
    assert RsvpReceived.objects.filter(status=RsvpReceived.Status.RECEIVED).count() == 5
    assert rsvps_place() == 5
    assert Attendance.objects.filter(status=AttendanceStatus.REGISTERED).count() == 3
    assert Attendance.objects.filter(status=AttendanceStatus.WAITLISTED).count() == 2
    assert _doubled() == 0
