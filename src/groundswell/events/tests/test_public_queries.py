"""How many queries an RSVP costs: the bound that keeps the public form's throughput.

`bench/events_rsvp.py` measures RSVPs per second through the production server; most of an
RSVP's CPU, in the web process and in PostgreSQL, is its statements. These bounds hold the
path where it was brought (30 statements before: the shifts and their counts read twice, a
rate-limit check of five statements and a commit, a savepoint and a read before each timeline
entry). The rate limits count in the database cache here, as in production, not in the memory
cache the other tests use; the confirmation is one callback left for the commit.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from groundswell.config.env import CACHE_TABLE
from groundswell.events.models import Attendance, AttendanceStatus
from groundswell.events.tests.conftest_public import event, event_make, rsvp, shift, shift_make
from groundswell.people.models import Activity, Person

__all__ = ["event", "shift"]

pytestmark = pytest.mark.django_db

# Measured, then held. PostgreSQL (row locks, one-statement counters and timeline inserts) and
# SQLite (a savepoint to retry from, get_or_create, add-then-incr on the counters) differ.
NEW_PERSON = {"postgresql": 15, "sqlite": 21}
KNOWN_PERSON = {"postgresql": 16, "sqlite": 30}
# A shift with a capacity counts its registrations under the lock.
CAPACITY = 1


@pytest.fixture
def database_cache(settings):
    settings.CACHES = {
        "default": {"BACKEND": "groundswell.core.cache.DatabaseCache", "LOCATION": CACHE_TABLE}
    }


def _post(client, event, shift, n):
    data = {**rsvp(n), "shift": [str(shift.pk)], "website": ""}
    return client.post(reverse("events:detail", args=[event.slug]), data)


def test_an_rsvp_stays_within_its_query_bound(
    client,
    event,
    shift,
    database_cache,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    bound = NEW_PERSON[connection.vendor] + CAPACITY
    with django_capture_on_commit_callbacks() as callbacks, django_assert_max_num_queries(bound):
        response = _post(client, event, shift, 1)
    assert response.status_code == 302
    attendance = Attendance.objects.get()
    assert attendance.status == AttendanceStatus.REGISTERED
    assert Activity.objects.filter(person=attendance.person, kind="event_rsvp").count() == 2
    # The confirmation: one enqueue, when the sign-up commits.
    assert len(callbacks) == 1

    # The same person again (a double click): nothing added, still within the known-person bound.
    known = KNOWN_PERSON[connection.vendor] + CAPACITY
    with django_capture_on_commit_callbacks() as callbacks, django_assert_max_num_queries(known):
        assert _post(client, event, shift, 1).status_code == 302
    assert Attendance.objects.count() == 1 and Person.objects.count() == 1
    assert callbacks == []


def test_a_known_person_on_a_second_event_stays_within_its_bound(
    client, shift, database_cache, django_assert_max_num_queries
):
    other = event_make()
    unlimited = shift_make(other)
    assert _post(client, shift.event, shift, 2).status_code == 302
    with django_assert_max_num_queries(KNOWN_PERSON[connection.vendor]):
        assert _post(client, other, unlimited, 2).status_code == 302
    assert Person.objects.count() == 1
    assert Attendance.objects.filter(person__emails__address="rsvp2@example.org").count() == 2


def test_the_rate_limit_still_counts_in_the_database_cache(
    client, settings, event, shift, database_cache
):
    settings.GROUNDSWELL_RATE_PER_IP = 2
    assert _post(client, event, shift, 3).status_code == 302
    assert _post(client, event, shift, 4).status_code == 302
    assert _post(client, event, shift, 5).status_code == 429
    assert Attendance.objects.count() == 2
