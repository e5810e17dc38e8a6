"""Recurring events: a shift repeated daily or weekly at the same local time across DST, the
limits, saving again without duplicates, and the dates on the public page."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime

import pytest
from django.urls import reverse

from groundswell.events.models import Attendance, Event
from groundswell.events.recurrence import MAX_DATES
from groundswell.events.tests.conftest_public import rsvp
from groundswell.events.tests.test_staff_views import _post_data

pytestmark = pytest.mark.django_db
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
CREATE = "events_staff:create"

# In 2031 New York springs forward on Sunday March 9 and falls back on Sunday November 2.
SPRING = {
    "shifts-0-label": "Phone bank",
    "shifts-0-starts_at": "2031-03-04T18:00",  # a Tuesday, 6 pm EST
    "shifts-0-ends_at": "2031-03-04T20:00",
}


def _create(client, **overrides):
    return client.post(reverse(CREATE), _post_data(**{**SPRING, **overrides}))


def _edit(client, event, **overrides):
    """Post the edit form as it is shown: the shifts it lists, the rule as saved."""
    shifts = list(event.shifts.filter(repeat_of__isnull=True))
    data = _post_data(
        **{
            "repeat": event.repeat,
            "repeat_count": event.repeat_count or "",
            "repeat_until": event.repeat_until or "",
            "shifts-TOTAL_FORMS": str(len(shifts) + 1),
            "shifts-INITIAL_FORMS": str(len(shifts)),
        }
    )
    for i, s in enumerate(shifts):
        local = (s.starts_at.astimezone(NEW_YORK), s.ends_at.astimezone(NEW_YORK))
        data |= {
            f"shifts-{i}-shift_id": str(s.pk),
            f"shifts-{i}-label": s.label,
            f"shifts-{i}-starts_at": local[0].strftime("%Y-%m-%dT%H:%M"),
            f"shifts-{i}-ends_at": local[1].strftime("%Y-%m-%dT%H:%M"),
            f"shifts-{i}-capacity": str(s.capacity or ""),
        }
    n = len(shifts)
    data |= {f"shifts-{n}-{k}": "" for k in ("label", "starts_at", "ends_at", "capacity")}
    data.update(overrides)
    return client.post(reverse("events_staff:edit", args=[event.pk]), data)


def test_a_weekly_6pm_shift_stays_6pm_local_across_the_dst_change(persona_client):
    client = persona_client("organizer")
    assert _create(client, repeat="weekly", repeat_count="4").status_code == 302
    event = Event.objects.get()
    starts = list(event.shifts.order_by("starts_at").values_list("starts_at", "ends_at"))
    assert [s.astimezone(NEW_YORK).date() for s, _ in starts] == [
        date(2031, 3, 4),
        date(2031, 3, 11),
        date(2031, 3, 18),
        date(2031, 3, 25),
    ]
    for start, end in starts:
        assert (start.astimezone(NEW_YORK).hour, end.astimezone(NEW_YORK).hour) == (18, 20)
    # In UTC the time moves by the hour the clocks moved: 23:00 before, 22:00 after.
    assert [s.astimezone(UTC).hour for s, _ in starts] == [23, 22, 22, 22]


def test_a_daily_shift_until_a_date_keeps_its_local_time_when_clocks_fall_back(persona_client):
    client = persona_client("organizer")
    response = _create(
        client,
        repeat="daily",
        repeat_until="2031-11-04",
        **{"shifts-0-starts_at": "2031-10-31T09:30", "shifts-0-ends_at": "2031-10-31T12:00"},
    )
    assert response.status_code == 302
    starts = list(
        Event.objects.get().shifts.order_by("starts_at").values_list("starts_at", flat=True)
    )
    assert [s.astimezone(NEW_YORK).day for s in starts] == [31, 1, 2, 3, 4]
    assert {(s.astimezone(NEW_YORK).hour, s.astimezone(NEW_YORK).minute) for s in starts} == {
        (9, 30)
    }
    assert [s.astimezone(UTC).hour for s in starts] == [13, 13, 14, 14, 14]


def test_saving_again_adds_no_duplicates_and_keeps_every_date(persona_client):
    client = persona_client("organizer")
    _create(client, repeat="weekly", repeat_count="6")
    event = Event.objects.get()
    before = list(event.shifts.order_by("starts_at").values_list("pk", "starts_at"))
    assert len(before) == 6
    for _ in range(2):
        assert _edit(client, event).status_code == 302
    assert list(event.shifts.order_by("starts_at").values_list("pk", "starts_at")) == before
    edit_page = client.get(reverse("events_staff:edit", args=[event.pk])).content.decode()
    assert edit_page.count('name="shifts-0-starts_at"') == 1
    assert 'name="shifts-1-starts_at" value="2031' not in edit_page  # only the shift entered


def test_a_shorter_rule_removes_dates_nobody_took_and_keeps_one_with_sign_ups(persona_client):
    client = persona_client("organizer")
    _create(client, repeat="weekly", repeat_count="5")
    event = Event.objects.get()
    event.status = "published"
    event.save()
    last = event.shifts.order_by("starts_at").last()
    person_row = Attendance.objects.create(
        shift=last,
        person=_person(),
    )
    assert _edit(client, event, repeat_count="2").status_code == 302
    kept = list(event.shifts.order_by("starts_at").values_list("pk", flat=True))
    assert len(kept) == 3 and kept[-1] == last.pk
    assert Attendance.objects.filter(pk=person_row.pk).exists()
    # A longer rule again adds the missing dates back, once.
    assert _edit(client, event, repeat_count="5").status_code == 302
    assert event.shifts.count() == 5


def _person():
    from groundswell.people.models import Person  # noqa: PLC0415

    return Person.objects.create(given_name="Ottoline", family_name="Brackwater")


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"repeat": "weekly"}, "how many dates"),
        ({"repeat": "weekly", "repeat_count": "1"}, f"2 to {MAX_DATES} dates"),
        ({"repeat": "weekly", "repeat_count": str(MAX_DATES + 1)}, f"2 to {MAX_DATES} dates"),
        ({"repeat": "daily", "repeat_until": "2031-03-01"}, "comes after the first shift"),
        ({"repeat": "daily", "repeat_until": "2031-12-31"}, f"more than {MAX_DATES} dates"),
        ({"repeat": "monthly", "repeat_count": "3"}, "Select a valid choice"),
        (
            {
                "repeat": "weekly",
                "repeat_count": "3",
                **{f"shifts-0-{k}": "" for k in ("label", "starts_at", "ends_at", "capacity")},
            },
            "first shift",
        ),
    ],
)
def test_a_rule_outside_the_limits_is_refused_with_the_reason(persona_client, overrides, words):
    response = _create(persona_client("organizer"), **overrides)
    assert response.status_code == 400
    assert words in response.content.decode()
    assert not Event.objects.exists()


def test_a_repeated_shift_with_people_on_a_later_date_cannot_be_removed(persona_client):
    client = persona_client("organizer")
    _create(client, repeat="weekly", repeat_count="3")
    event = Event.objects.get()
    later = event.shifts.filter(repeat_of__isnull=False).first()
    Attendance.objects.create(shift=later, person=_person())
    response = _edit(client, event, **{"shifts-0-DELETE": "on"})
    assert response.status_code == 400
    assert "repeated dates" in response.content.decode()
    assert event.shifts.count() == 3


def test_the_public_page_lists_the_dates_to_pick_and_takes_a_later_one(
    persona_client, client, settings
):
    settings.GROUNDSWELL_CHECK_MX = False
    staff = persona_client("organizer")
    _create(
        staff,
        repeat="weekly",
        repeat_count="3",
        **{"shifts-0-starts_at": "2031-03-04T18:00", "shifts-0-ends_at": "2031-03-04T20:00"},
    )
    event = Event.objects.get()
    event.status = "published"
    event.save()
    staff.logout()
    page = client.get(reverse("events:detail", args=[event.slug])).content.decode()
    assert "Choose the dates you can come" in page
    assert "Every week — 3 dates ahead." in page
    for when in ("Tue, Mar 4, 6:00 PM EST", "Tue, Mar 11, 6:00 PM EDT", "Tue, Mar 18, 6:00 PM EDT"):
        assert when in page
    third = event.shifts.order_by("starts_at").last()
    data = {**rsvp(1), "shift": [str(third.pk)]}
    assert client.post(reverse("events:detail", args=[event.slug]), data).status_code == 302
    assert Attendance.objects.get().shift_id == third.pk


def test_the_dates_follow_a_shift_moved_to_another_time(persona_client):
    client = persona_client("organizer")
    _create(client, repeat="weekly", repeat_count="3")
    event = Event.objects.get()
    response = _edit(
        client,
        event,
        **{"shifts-0-starts_at": "2031-03-05T19:00", "shifts-0-ends_at": "2031-03-05T21:00"},
    )
    assert response.status_code == 302
    starts = [
        s.astimezone(NEW_YORK)
        for s in event.shifts.order_by("starts_at").values_list("starts_at", flat=True)
    ]
    assert [(s.day, s.hour) for s in starts] == [(5, 19), (12, 19), (19, 19)]
    assert datetime(2031, 3, 4, 18, tzinfo=NEW_YORK) not in starts


def test_the_staff_event_page_says_how_the_event_repeats(persona_client):
    client = persona_client("organizer")
    _create(client, repeat="weekly", repeat_count="4")
    event = Event.objects.get()
    page = client.get(reverse("events_staff:detail", args=[event.pk])).content.decode()
    assert "Every week, 4 dates" in page
