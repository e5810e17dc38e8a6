"""How many queries an RSVP request costs: the bound that keeps the public form's throughput.

`bench/events_rsvp.py` measures RSVPs per second through the production server; most of an
RSVP's CPU, in the web process and in PostgreSQL, is its statements. The request only stores
the RSVP (``events.received``): the chosen shifts with their event in one read, the rate
limits, one insert, and the placement task enqueued once the insert commits. Placing it — the
person through the shared intake, the attendance, the timeline, the confirmation — is the task
worker's, measured here per batch. (Before the RSVP was received then placed, the request did
all of it: 16 statements on PostgreSQL.) The rate limits count in the database cache here, as
in production, not in the memory cache the other tests use.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.cache import cache, caches
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from groundswell.config.env import CACHE_TABLE
from groundswell.core import cache as core_cache
from groundswell.events.models import Attendance, AttendanceStatus, RsvpReceived
from groundswell.events.received import rsvps_place
from groundswell.events.tests.conftest_public import event, event_make, rsvp, shift, shift_make
from groundswell.people.models import Activity, Person

__all__ = ["event", "shift"]

pytestmark = pytest.mark.django_db

# Measured, then held. PostgreSQL (one-statement counters) and SQLite (add-then-incr on the
# counters) differ.
# In production the insert commits alone (3 on PostgreSQL: the read, the counters, the
# insert); inside the test's transaction it takes a savepoint (two more).
RECEIVE = {"postgresql": 5, "sqlite": 6}
# Another RSVP for the same shift within the second: the process kept the shifts' read.
# (SQLite counts the address's existing rate-limit key in five statements.)
KEPT = {"postgresql": 4, "sqlite": 9}
# The repeat of an RSVP not yet placed: the insert refused, the waiting row read. (SQLite
# counts an existing rate-limit key in five statements.)
REPEAT = {"postgresql": 7, "sqlite": 16}
# Placing a batch of 21: per RSVP its attendance, its timeline entry, the shift's waitlist and
# count; the person upsert, the claim and the shift locks once per batch (or per event).
BATCH_OF_21 = {"postgresql": 103, "sqlite": 166}


@pytest.fixture
def database_cache(settings, monkeypatch):
    settings.CACHES = {
        "default": {"BACKEND": "groundswell.core.cache.DatabaseCache", "LOCATION": CACHE_TABLE}
    }
    # The cache clears expired keys after one add in CULL_ONE_ADD_IN, at random: one statement
    # more in that request (a CI run's bound failed by one so). The bounds are the request's
    # own statements, so the draw never culls here.
    monkeypatch.setattr(
        core_cache, "random", SimpleNamespace(randrange=lambda n: n - 1), raising=True
    )


@pytest.fixture
def deferred(settings):
    """A task backend that defers, as production's does: the request only receives."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def _post(client, event, shift, n):
    data = {**rsvp(n), "shift": [str(shift.pk)], "website": ""}
    return client.post(reverse("events:detail", args=[event.slug]), data)


def test_an_rsvp_request_stays_within_its_query_bound(
    client,
    event,
    shift,
    database_cache,
    deferred,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    with (
        django_capture_on_commit_callbacks() as callbacks,
        django_assert_max_num_queries(RECEIVE[connection.vendor]),
    ):
        response = _post(client, event, shift, 1)
    assert response.status_code == 302
    received = RsvpReceived.objects.get()
    assert received.status == RsvpReceived.Status.RECEIVED and received.shift_ids == [shift.pk]
    assert not Attendance.objects.exists() and not Person.objects.exists()
    # The placement task: one enqueue, when the receipt commits.
    assert len(callbacks) == 1

    # The same person again before the worker came (a double click): the same row.
    with (
        django_capture_on_commit_callbacks() as callbacks,
        django_assert_max_num_queries(REPEAT[connection.vendor]),
    ):
        again = _post(client, event, shift, 1)
    assert again.status_code == 302 and again["Location"] == response["Location"]
    assert RsvpReceived.objects.count() == 1 and callbacks == []

    # Someone else for the same shift: the shifts and their event are not read again.
    with django_assert_max_num_queries(KEPT[connection.vendor]) as captured:
        other = _post(client, event, shift, 2)
    assert other.status_code == 302 and RsvpReceived.objects.count() == 2
    assert not any('"events_shift"' in q["sql"] for q in captured.captured_queries)


def test_a_batch_places_many_rsvps_in_few_statements_each(
    client, event, database_cache, deferred, django_assert_max_num_queries
):
    limited = shift_make(event, capacity=100)
    for n in range(20):
        assert _post(client, event, limited, 100 + n).status_code == 302
    # A known person on another event too: matched, not created again.
    other = event_make()
    assert _post(client, other, shift_make(other), 100).status_code == 302
    with django_assert_max_num_queries(BATCH_OF_21[connection.vendor]):
        assert rsvps_place() == 21
    assert Person.objects.count() == 20
    assert Attendance.objects.filter(status=AttendanceStatus.REGISTERED).count() == 21
    registered = Activity.objects.filter(kind="event_rsvp", summary__startswith="Registered for")
    assert registered.count() == 21
    # The intake's own entry for each newcomer (a known person, unchanged, gets none).
    assert Activity.objects.filter(kind="event_rsvp", summary__startswith="Signed up").count() == 20
    assert not RsvpReceived.objects.filter(status=RsvpReceived.Status.RECEIVED).exists()


def test_the_rate_limit_still_counts_in_the_database_cache(
    client, settings, event, shift, database_cache
):
    settings.GROUNDSWELL_RATE_PER_IP = 2
    assert _post(client, event, shift, 3).status_code == 302
    assert _post(client, event, shift, 4).status_code == 302
    assert _post(client, event, shift, 5).status_code == 429
    assert Attendance.objects.count() == 2


def test_a_surge_asks_the_cache_once_a_second_per_process_and_loses_no_rsvp(
    client, event, database_cache, deferred, monkeypatch, django_capture_on_commit_callbacks
):
    """The placement task is enqueued through the cache at most once a second per process;
    every RSVP received meanwhile is committed before that task starts, so it drains them."""
    from django_tasks import default_task_backend

    from groundswell.events import received
    from groundswell.events.tasks import rsvps_place_pending

    limited = shift_make(event, capacity=100)
    asked = []
    backend = caches["default"]  # the object the cache proxy stands for, in this thread
    real_add = backend.add

    def add(key, *args, **kwargs):
        if key == "events:placement-enqueued":
            asked.append(key)
        return real_add(key, *args, **kwargs)

    monkeypatch.setattr(backend, "add", add)
    # The dummy backend keeps what was enqueued: each task's due time.
    default_task_backend.clear()
    enqueued = default_task_backend.results
    clock = [1000.0]
    monkeypatch.setattr(received.time, "monotonic", lambda: clock[0])
    commits = []
    for n in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            assert _post(client, event, limited, n).status_code == 302
        commits.append(timezone.now())
        clock[0] += 0.1
    assert (len(asked), len(enqueued)) == (1, 1)
    # Every row skipped was committed before the one task was due to start.
    assert all(at < enqueued[0].task.run_after for at in commits)
    clock[0] += 1.0  # a second later: the next RSVP asks again (the cache key has expired)
    cache.delete("events:placement-enqueued")
    with django_capture_on_commit_callbacks(execute=True):
        assert _post(client, event, limited, 9).status_code == 302
    assert (len(asked), len(enqueued)) == (2, 2)
    rsvps_place_pending.call()
    assert Attendance.objects.filter(shift=limited).count() == 6
