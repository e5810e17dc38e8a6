"""RSVPs received, then placed by the worker: idempotent receipt, the status page and its
signed link, refusals found at placement, and a batch that fails placed one row at a time.
(Concurrency and a killed worker: ``test_public_received_race.py``, on PostgreSQL.)
"""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from groundswell.events import received as received_module
from groundswell.events import selectors
from groundswell.events.choices import EventStatus
from groundswell.events.models import Attendance, AttendanceStatus, Event, RsvpReceived, Shift
from groundswell.events.received import rsvp_receive, rsvps_place
from groundswell.events.tasks import rsvps_place_pending
from groundswell.events.tests.conftest_public import event, event_make, rsvp, shift, shift_make
from groundswell.people.models import Person

__all__ = ["event", "shift"]

pytestmark = pytest.mark.django_db
Status = RsvpReceived.Status


@pytest.fixture
def deferred(settings):
    """A task backend that defers, as production's does: RSVPs wait for the worker."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def _post(client, event, shifts, n, **extra):
    data = {**rsvp(n), "shift": [str(s.pk) for s in shifts], "website": "", **extra}
    return client.post(reverse("events:detail", args=[event.slug]), data)


def test_a_double_submit_is_one_received_row_and_one_attendance(client, event, shift, deferred):
    first = _post(client, event, [shift], 1)
    second = _post(client, event, [shift], 1)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert RsvpReceived.objects.count() == 1
    assert rsvps_place() == 1
    # Received again after it was placed (a retry minutes later): placed, and nothing doubles.
    third = _post(client, event, [shift], 1)
    assert third["Location"] != first["Location"]
    assert rsvps_place() == 1 and rsvps_place() == 0
    assert Attendance.objects.filter(shift=shift).count() == 1
    assert Person.objects.count() == 1
    assert set(RsvpReceived.objects.values_list("status", flat=True)) == {Status.PLACED}


def test_the_thanks_page_confirms_then_shows_the_place(client, event, shift, deferred):
    url = _post(client, event, [shift], 2)["Location"]
    waiting = client.get(url)
    html = waiting.content.decode()
    assert waiting.status_code == 200
    assert "confirming your place" in html and "An e-mail follows" in html
    assert '<meta http-equiv="refresh" content="3">' in html
    rsvps_place()
    html = client.get(url).content.decode()
    assert "You're signed up!" in html and "http-equiv" not in html
    attendance = Attendance.objects.get()
    assert reverse("events:attendance", args=[attendance.token]) in html


def test_the_thanks_page_says_waitlisted_when_the_shift_filled(client, event, deferred):
    full = shift_make(event, capacity=1)
    _post(client, event, [full], 3)
    url = _post(client, event, [full], 4)["Location"]
    rsvps_place()
    html = client.get(url).content.decode()
    assert "You're on the waitlist" in html and "on the waitlist: we'll tell you" in html


def test_a_tampered_or_borrowed_status_link_is_a_404(client, event, shift, deferred):
    url = _post(client, event, [shift], 5)["Location"]
    signed = url.rstrip("/").rsplit("/", 1)[-1]
    assert client.get(url).status_code == 200
    tampered = signed[:-1] + ("A" if signed[-1] != "A" else "B")
    assert client.get(reverse("events:thanks", args=[event.slug, tampered])).status_code == 404
    # Someone else's number under a real signature's shape is not theirs either.
    value, rest = signed.split(":", 1)
    forged = f"{int(value) + 1}:{rest}"
    assert client.get(reverse("events:thanks", args=[event.slug, forged])).status_code == 404
    # The same link on another event's address names nothing there.
    other = event_make()
    assert client.get(reverse("events:thanks", args=[other.slug, signed])).status_code == 404


def test_a_shift_that_started_before_placement_is_refused_and_said_so(
    client, event, shift, deferred
):
    url = _post(client, event, [shift], 6)["Location"]
    now = timezone.now()
    Shift.objects.filter(pk=shift.pk).update(
        starts_at=now - timedelta(minutes=5), ends_at=now + timedelta(hours=1)
    )
    assert rsvps_place() == 1
    row = RsvpReceived.objects.get()
    assert row.status == Status.REFUSED and "already started" in row.reason
    assert not Attendance.objects.exists()
    html = client.get(url).content.decode()
    assert "We could not take this sign-up" in html and "already started" in html


def test_a_shift_closed_by_another_process_within_the_second_is_refused_at_placement(
    client, event, shift, deferred, monkeypatch
):
    # The first RSVP reads the shift and its event; the process keeps that read a second.
    assert _post(client, event, [shift], 11).status_code == 302
    # Another process cancels the event: nothing tells this one (an update sends no signal).
    Event.objects.filter(pk=event.pk).update(status=EventStatus.CANCELLED)
    assert _post(client, event, [shift], 12).status_code == 302
    assert rsvps_place() == 2
    late = RsvpReceived.objects.get(email="rsvp12@example.org")
    assert late.status == Status.REFUSED and late.reason == "This event has been cancelled."
    assert not Attendance.objects.exists()
    # A second later the event is seen closed at once (its page is gone), and nothing is
    # received.
    moved = selectors.clock.monotonic() + selectors.BOOKABLE_SECONDS
    monkeypatch.setattr(selectors.clock, "monotonic", lambda: moved)
    assert _post(client, event, [shift], 13).status_code == 404
    assert not RsvpReceived.objects.filter(email="rsvp13@example.org").exists()


def test_a_change_saved_in_this_process_is_seen_by_the_next_rsvp_at_once(
    client, event, shift, deferred
):
    assert _post(client, event, [shift], 14).status_code == 302
    event.status = EventStatus.CANCELLED
    event.save()
    assert _post(client, event, [shift], 15).status_code == 404
    assert RsvpReceived.objects.count() == 1


def test_several_shifts_in_one_rsvp_are_placed_together(client, event, deferred):
    morning, afternoon = shift_make(event, hours=2), shift_make(event, days=3.5, hours=2)
    _post(client, event, [afternoon, morning], 7)
    row = RsvpReceived.objects.get()
    assert row.shift_ids == sorted([morning.pk, afternoon.pk])
    rsvps_place()
    assert set(Attendance.objects.values_list("shift_id", flat=True)) == {morning.pk, afternoon.pk}


def test_bad_details_are_refused_at_receipt_with_the_form_errors(client, event, shift, deferred):
    response = _post(client, event, [shift], 8, email="not-an-address")
    assert response.status_code == 400
    assert not RsvpReceived.objects.exists()


def test_a_row_that_breaks_its_batch_is_set_aside_and_the_rest_placed(
    event, shift, deferred, monkeypatch
):
    rows = [
        rsvp_receive(event=event, shifts=[shift], person_data=rsvp(n), ref=ref)
        for n, ref in ((10, ""), (11, "boom"), (12, ""))
    ]
    real = received_module.referral_credit

    def credit(*, code, recruit_id, created):
        if code == "boom":
            raise RuntimeError("a broken share code")
        return real(code=code, recruit_id=recruit_id, created=created)

    monkeypatch.setattr(received_module, "referral_credit", credit)
    assert rsvps_place_pending.call() == 3
    statuses = {r.pk: r.status for r in RsvpReceived.objects.all()}
    assert statuses == {rows[0].pk: Status.PLACED, rows[1].pk: Status.FAILED, rows[2].pk: "placed"}
    assert "a broken share code" in RsvpReceived.objects.get(pk=rows[1].pk).reason
    assert Attendance.objects.filter(status=AttendanceStatus.REGISTERED).count() == 2


def test_without_a_deferring_backend_the_rsvp_is_placed_in_the_request(client, event, shift):
    """The tests' immediate task backend runs every task at once: so does placement."""
    assert _post(client, event, [shift], 13).status_code == 302
    assert RsvpReceived.objects.get().status == Status.PLACED
    assert Attendance.objects.get().status == AttendanceStatus.REGISTERED


def test_erasing_a_person_strips_their_received_rsvps_and_drops_a_waiting_one(
    event, shift, deferred, make_user
):
    from groundswell.people.cleanup import person_erase

    placed = rsvp_receive(event=event, shifts=[shift], person_data=rsvp(20), referrer="x")
    rsvps_place()
    later = shift_make(event, days=5)
    waiting = rsvp_receive(event=event, shifts=[later], person_data=rsvp(20))
    other = rsvp_receive(event=event, shifts=[later], person_data=rsvp(21))
    person = Person.objects.get(emails__address="rsvp20@example.org")
    person_erase(person=person, actor=make_user("admin"), reason="asked to be forgotten")
    placed.refresh_from_db()
    assert placed.person_data == {} and placed.email == "" and placed.referrer == ""
    assert placed.shift_ids == [shift.pk]
    assert not RsvpReceived.objects.filter(pk=waiting.pk).exists()
    assert RsvpReceived.objects.filter(pk=other.pk, email="rsvp21@example.org").exists()


def _surge(event, shift, count: int, *, age: timedelta = timedelta(0)) -> None:
    """``count`` RSVPs received (not placed), all at ``age`` before now."""
    for n in range(count):
        rsvp_receive(event=event, shifts=[shift], person_data=rsvp(1000 + n))
    RsvpReceived.objects.update(received_at=timezone.now() - age)


def test_placement_waits_while_rsvps_surge_and_comes_back(event, deferred):
    from django_tasks import default_task_backend

    from groundswell.events import tasks

    roomy = shift_make(event, capacity=1000)
    surge = int(tasks.SURGE_PER_SECOND * tasks.SURGE_LOOKBACK.total_seconds()) + 1
    _surge(event, roomy, surge)
    default_task_backend.clear()
    assert rsvps_place_pending.call() == 0
    assert RsvpReceived.objects.filter(status=Status.RECEIVED).count() == surge
    # It comes back once, a lookback later; a second run in the surge does not add another.
    assert rsvps_place_pending.call() == 0
    (back,) = default_task_backend.results
    assert back.task.run_after > timezone.now()
    # The surge has passed (nothing received in the last lookback): every RSVP is placed.
    RsvpReceived.objects.update(received_at=timezone.now() - 2 * tasks.SURGE_LOOKBACK)
    assert rsvps_place_pending.call() == surge
    assert Attendance.objects.filter(shift=roomy).count() == surge


def test_past_the_lag_bound_a_surge_is_placed_a_trickle_at_a_time_oldest_first(event, deferred):
    from django_tasks import default_task_backend

    from groundswell.events import tasks

    roomy = shift_make(event, capacity=1000)
    surge = int(tasks.SURGE_PER_SECOND * tasks.SURGE_LOOKBACK.total_seconds()) + 1
    _surge(event, roomy, surge + 1)  # a surge still once the oldest is out of the lookback
    oldest = RsvpReceived.objects.order_by("id").first()
    RsvpReceived.objects.filter(pk=oldest.pk).update(
        received_at=timezone.now() - tasks.MAX_LAG - timedelta(seconds=1)
    )
    default_task_backend.clear()
    # The web keeps the cores: a few of the oldest are placed, and the task comes back.
    assert rsvps_place_pending.call() == tasks.TRICKLE
    first = list(RsvpReceived.objects.order_by("id").values_list("id", flat=True)[: tasks.TRICKLE])
    placed = RsvpReceived.objects.filter(status=Status.PLACED)
    assert sorted(placed.values_list("id", flat=True)) == first
    (back,) = default_task_backend.results
    assert back.task.run_after > timezone.now()


def test_a_surge_that_begins_while_the_task_places_stops_it_after_the_batch(
    event, deferred, monkeypatch
):
    from django_tasks import default_task_backend

    from groundswell.events import tasks

    roomy = shift_make(event, capacity=1000)
    # Three RSVPs waiting from a quiet half-minute ago: no surge when the task begins.
    for n in range(3):
        rsvp_receive(event=event, shifts=[roomy], person_data=rsvp(2000 + n))
    RsvpReceived.objects.update(received_at=timezone.now() - timedelta(seconds=30))
    surge = int(tasks.SURGE_PER_SECOND * tasks.SURGE_LOOKBACK.total_seconds()) + 1
    batches = []

    def one_at_a_time_then_a_surge(**kwargs):
        done = rsvps_place(limit=1)
        if not batches:
            # While the first batch is placed, the surge begins.
            for n in range(surge):
                rsvp_receive(event=event, shifts=[roomy], person_data=rsvp(3000 + n))
        batches.append(done)
        return done

    monkeypatch.setattr(tasks, "rsvps_place", one_at_a_time_then_a_surge)
    default_task_backend.clear()
    assert rsvps_place_pending.call() == 1
    assert batches == [1]
    assert RsvpReceived.objects.filter(status=Status.RECEIVED).count() == 2 + surge
    # It comes back after the surge, as a task that found the surge at its start does.
    (back,) = default_task_backend.results
    assert back.task.run_after > timezone.now()


def test_below_the_surge_rate_and_by_hand_placement_does_not_wait(event, deferred):
    from groundswell.events import tasks

    roomy = shift_make(event, capacity=1000)
    calm = int(tasks.SURGE_PER_SECOND * tasks.SURGE_LOOKBACK.total_seconds())
    _surge(event, roomy, calm)
    assert rsvps_place_pending.call() == calm
    _surge(event, roomy, calm + 1)  # the same people again and one more: a surge
    assert rsvps_place_pending.call(yield_to_surge=False) == calm + 1


def test_the_deferred_task_finds_the_database_caches_key_gone_and_comes_back_again(
    event, deferred, settings, monkeypatch
):
    """The database cache keeps whole seconds, so a key may outlive its timeout by up to one;
    the task coming back a lookback later must still be able to come back once more."""
    import time
    from datetime import datetime

    from django_tasks import default_task_backend

    from groundswell.config.env import CACHE_TABLE
    from groundswell.core import cache as database_cache
    from groundswell.events import tasks

    settings.CACHES = {
        "default": {"BACKEND": "groundswell.core.cache.DatabaseCache", "LOCATION": CACHE_TABLE}
    }
    roomy = shift_make(event, capacity=1000)
    surge = int(tasks.SURGE_PER_SECOND * tasks.SURGE_LOOKBACK.total_seconds()) + 1
    _surge(event, roomy, surge)
    default_task_backend.clear()
    # The worst case: the first deferral late in a second, the next exactly a lookback on.
    first = datetime(2026, 12, 6, 2, 0, 0, 900_000, tzinfo=UTC)
    for n, at in enumerate((first, first + tasks.SURGE_LOOKBACK), start=1):
        # The cache's clock: its "now" and the time its expiry is counted from.
        monkeypatch.setattr(database_cache, "now", lambda at=at: at)
        monkeypatch.setattr(time, "time", lambda at=at: at.timestamp())
        RsvpReceived.objects.update(received_at=timezone.now())  # still arriving fast
        assert rsvps_place_pending.call() == 0
        assert len(default_task_backend.results) == n
