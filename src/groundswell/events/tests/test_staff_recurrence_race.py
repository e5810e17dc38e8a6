"""Two saves of a recurring event at once make each date once (PostgreSQL: on SQLite writers
are serialised anyway)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection, transaction

from groundswell.core.tests.race import at_once
from groundswell.events import recurrence
from groundswell.events.models import Event
from groundswell.events.tests.conftest_public import event_make, shift_make

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a real race needs PostgreSQL"),
]


def test_racing_saves_of_a_weekly_event_make_each_date_once():
    event = event_make(repeat="weekly", repeat_count=10)
    shift_make(event, days=2)

    def save():
        with transaction.atomic():
            recurrence.repeats_write(Event.objects.get(pk=event.pk))

    assert at_once(*[save] * 6)[1] == []
    starts = list(event.shifts.order_by("starts_at").values_list("starts_at", flat=True))
    assert len(starts) == 10 == len(set(starts))
    assert all(
        b - a in (timedelta(days=7), timedelta(days=7, hours=1), timedelta(days=6, hours=23))
        for a, b in zip(starts, starts[1:], strict=False)
    )
