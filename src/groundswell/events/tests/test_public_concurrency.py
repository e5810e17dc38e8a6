"""Capacity and the waitlist under concurrent registrations and cancellations (PostgreSQL).

Threads each hold their own database connection, so the row lock on the shift is what
serialises them; SQLite serialises every writer anyway, so the test is PostgreSQL's.
"""

from __future__ import annotations

import pytest
from django.db import connection

from groundswell.core.tests.race import at_once
from groundswell.events.models import Attendance, AttendanceStatus
from groundswell.events.services import attendance_cancel, attendance_register
from groundswell.events.tests.conftest_public import event_make, rsvp, shift_make

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]

CAPACITY = 5


def test_concurrent_registrations_never_pass_the_capacity():
    shift = shift_make(event_make(), capacity=CAPACITY)
    jobs = [(lambda n=n: attendance_register(shift=shift, person_data=rsvp(n))) for n in range(16)]
    assert at_once(*jobs)[1] == []
    statuses = list(Attendance.objects.filter(shift=shift).values_list("status", flat=True))
    assert statuses.count(AttendanceStatus.REGISTERED) == CAPACITY
    assert statuses.count(AttendanceStatus.WAITLISTED) == 16 - CAPACITY


def test_concurrent_cancellations_and_registrations_promote_each_person_at_most_once():
    shift = shift_make(event_make(), capacity=CAPACITY)
    people = [attendance_register(shift=shift, person_data=rsvp(n)) for n in range(12)]
    registered = [a for a in people if a.status == AttendanceStatus.REGISTERED]
    promotions: list[list[int]] = []

    def cancel(attendance):
        promotions.append([a.pk for a in attendance_cancel(attendance=attendance)])

    jobs = [(lambda a=a: cancel(a)) for a in registered[:4]]
    jobs += [(lambda a=registered[0]: cancel(a))]  # the same cancel sent twice
    jobs += [
        (lambda n=n: attendance_register(shift=shift, person_data=rsvp(n))) for n in range(20, 26)
    ]
    assert at_once(*jobs)[1] == []

    promoted = [pk for batch in promotions for pk in batch]
    assert len(promoted) == len(set(promoted)), "someone was promoted twice"
    assert len(promoted) == 4, "every freed place went to the waitlist"
    rows = Attendance.objects.filter(shift=shift)
    assert rows.filter(status=AttendanceStatus.REGISTERED).count() == CAPACITY
    assert rows.filter(status=AttendanceStatus.CANCELLED).count() == 4
    waiting_ids = set(
        Attendance.objects.filter(pk__in=[a.pk for a in people])
        .filter(status=AttendanceStatus.WAITLISTED)
        .values_list("pk", flat=True)
    )
    # The first waitlisted people were promoted: nobody still waiting asked before them.
    first_waiting = [a.pk for a in people if a.status == AttendanceStatus.WAITLISTED][:4]
    assert sorted(promoted) == sorted(first_waiting)
    assert not waiting_ids & set(promoted)


def test_a_double_clicked_rsvp_sent_at_once_registers_one_person_once():
    shift = shift_make(event_make(), capacity=CAPACITY)
    results = []
    jobs = [
        (lambda: results.append(attendance_register(shift=shift, person_data=rsvp(7)).pk))
        for _ in range(6)
    ]
    assert at_once(*jobs)[1] == []
    assert len(set(results)) == 1
    assert Attendance.objects.filter(shift=shift).count() == 1
