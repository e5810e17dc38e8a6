"""The demo's events: upcoming events of several kinds near the demo's Ohioans, full shifts with
a waitlist, an online one, a private-address house party, a past one with attendance taken and
one proposal waiting for staff; seeding twice changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from groundswell.demo.events_seed import demo_events_seed
from groundswell.demo.people_seed import people_seed
from groundswell.events.models import Attendance, AttendanceStatus, Event, EventStatus, Shift
from groundswell.people.models import Person

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_its_events_once_with_sign_ups_from_demo_people():
    people_seed(count=300, seed=7)
    now = timezone.now()
    made = demo_events_seed(seed=7, now=now)
    assert made >= 8
    assert demo_events_seed(seed=7, now=now) == 0
    assert Event.objects.count() == made

    upcoming = Event.objects.filter(status=EventStatus.PUBLISHED, shifts__starts_at__gt=now)
    assert upcoming.values("event_type").distinct().count() >= 6
    latest = Shift.objects.order_by("-starts_at").first().starts_at
    assert latest < now + timedelta(weeks=3, days=1)
    assert Event.objects.filter(is_virtual=True).exclude(join_url="").exists()
    assert Event.objects.filter(address_private=True, event_type="house_party").exists()
    assert Event.objects.filter(status=EventStatus.PROPOSED, host__isnull=False).exists()
    assert Shift.objects.filter(repeat_of__isnull=False, event__repeat="weekly").exists()

    waiting = Attendance.objects.filter(status=AttendanceStatus.WAITLISTED)
    assert waiting.exists()
    for shift in Shift.objects.filter(attendances__in=waiting).distinct():
        held = shift.attendances.filter(status=AttendanceStatus.REGISTERED).count()
        assert held == shift.capacity

    past = Attendance.objects.filter(shift__ends_at__lt=now)
    assert past.filter(attended=True, minutes_credited__gt=0).exists()
    assert past.filter(attended=False, minutes_credited=0).exists()
    assert not Attendance.objects.filter(shift__ends_at__gt=now, attended__isnull=False).exists()
    # Near the demo's people: in Ohio, at real (geocoded) ZIPs, the busiest where demo people live.

    in_person = list(Event.objects.filter(is_virtual=False))
    assert all(e.state == "OH" and e.latitude and e.longitude for e in in_person)
    assert any(
        Person.objects.filter(postal_code__startswith=e.zip_code).exists() for e in in_person
    )
