"""Reminders by text: to consenting mobiles only, once per attendee, shift, offset and channel,
through a loopback double of the provider's Messages endpoint."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, transaction
from django.urls import reverse
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from groundswell.core.tests.hostile import EXAMPLES, SUITE
from groundswell.core.tests.race import at_once
from groundswell.core.tests.sms_double import Answer, error_body, sms_double
from groundswell.events.models import ReminderSent
from groundswell.events.notices import reminders, reminders_due
from groundswell.events.tests.conftest_notices import (
    attendance_make,
    event_make,
    inbox_open,
    person_make,
    shift_make,
)
from groundswell.events.tests.test_notices_reminders import DST_CASES
from groundswell.people.models import Phone, PhoneType, SmsStatus

pytestmark = pytest.mark.django_db

# Saturday 7 March 2026, 10:00 in New York (EST, UTC-5).
START = datetime(2026, 3, 7, 15, 0, tzinfo=UTC)
DAY, TWO_HOURS, MINUTE = timedelta(hours=24), timedelta(hours=2), timedelta(minutes=1)
MOBILE = "+16145550123"
State, Channel = ReminderSent.State, ReminderSent.Channel


@pytest.fixture
def inbox(settings):
    with inbox_open(settings) as box:
        yield box


@pytest.fixture
def provider(settings, inbox):
    with sms_double(settings) as double:
        yield double


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch):
    # The client's backoff between attempts: counted, not slept.
    waits = []
    monkeypatch.setattr("groundswell.core.sms.pause", waits.append)
    return waits


def texter(number=MOBILE, *, address="rosa.quill@example.org", **phone):
    person = person_make(address, given_name="Rosa")
    values = {"phone_type": PhoneType.MOBILE, "sms_status": SmsStatus.SUBSCRIBED}
    values.update(phone)
    Phone.objects.create(person=person, number=number, is_primary=True, **values)
    return person


@pytest.fixture
def attendee(provider):
    shift = shift_make(event_make(title="Phone bank for the levy"), START)
    return attendance_make(shift, texter())


def sms_rows(attendance=None):
    rows = ReminderSent.objects.filter(channel=Channel.SMS)
    return rows.filter(attendance=attendance) if attendance else rows


def test_a_consenting_mobile_gets_the_reminder_at_its_instant_with_the_local_time_and_link(
    attendee, provider, inbox
):
    assert reminders_due(now=START - DAY - MINUTE)["sms"]["sent"] == 0
    assert provider.messages == []
    counts = reminders_due(now=START - DAY)
    assert (counts["sent"], counts["sms"]["sent"]) == (1, 1)
    [text] = provider.to(MOBILE)
    assert "Phone bank for the levy, Sat, Mar 7, 10:00 AM EST." in text
    assert text.endswith(
        f"Cancel or change: https://campaign.example.org/events/attendance/{attendee.token}/"
    )
    assert provider.messages[0]["from"] == "+16145550100"
    [row] = sms_rows(attendee)
    assert (row.state, row.minutes_before) == (State.SENT, 24 * 60)
    assert row.provider_id == provider.messages[0]["sid"]
    # The e-mail went too, on its own ledger row.
    assert len(inbox.to("rosa.quill@example.org")) == 1


def test_without_a_provider_no_text_is_sent_and_the_email_still_goes(settings, inbox):
    settings.GROUNDSWELL_SMS_ACCOUNT_SID = settings.GROUNDSWELL_SMS_AUTH_TOKEN = ""
    settings.GROUNDSWELL_SMS_FROM = ""
    shift = shift_make(event_make(), START)
    attendance_make(shift, texter())
    counts = reminders_due(now=START - DAY)
    assert counts["sent"] == 1 and counts["sms"]["due"] == 0
    assert not sms_rows().exists()


def test_a_text_is_sent_once_however_often_the_job_runs(attendee, provider):
    for minutes in range(0, 10):
        reminders_due(now=START - DAY + timedelta(minutes=minutes))
    assert len(provider.to(MOBILE)) == 1
    reminders_due(now=START - TWO_HOURS)
    reminders_due(now=START - TWO_HOURS + MINUTE)
    assert len(provider.to(MOBILE)) == 2
    assert sorted(sms_rows(attendee).values_list("minutes_before", flat=True)) == [120, 1440]


class Killed(BaseException):
    """The worker dying: not an Exception, so nothing in the job catches it."""


def test_a_worker_killed_after_the_provider_took_the_text_never_sends_it_again(
    attendee, provider, monkeypatch
):
    def die(row, result):
        raise Killed

    monkeypatch.setattr(reminders, "sms_record", die)
    with pytest.raises(Killed):
        reminders_due(now=START - DAY)
    monkeypatch.undo()
    monkeypatch.setattr("groundswell.core.sms.pause", lambda s: None)
    for minutes in range(1, 4):
        assert reminders_due(now=START - DAY + minutes * MINUTE)["sms"]["sent"] == 0
    assert len(provider.to(MOBILE)) == 1
    [row] = sms_rows(attendee)
    # Claimed, sent, not recorded: left as unconfirmed rather than risking a second text.
    assert row.state == State.SENDING


def test_a_worker_killed_before_the_text_went_sends_nothing_twice_either(
    attendee, provider, monkeypatch
):
    def die(**kwargs):
        raise Killed

    monkeypatch.setattr(reminders, "sms_send", die)
    with pytest.raises(Killed):
        reminders_due(now=START - DAY)
    monkeypatch.undo()
    reminders_due(now=START - DAY + MINUTE)
    assert provider.messages == []
    assert sms_rows(attendee).get().state == State.SENDING


@pytest.mark.parametrize("start, zone", list(DST_CASES.values()), ids=list(DST_CASES))
def test_texts_across_a_clock_change_go_24_real_hours_before_and_read_local_time(
    provider, start, zone
):
    shift = shift_make(event_make(title="Door knock", timezone="America/New_York"), start)
    attendance_make(shift, texter())
    assert reminders_due(now=start - DAY - MINUTE)["sms"]["sent"] == 0
    assert reminders_due(now=start - DAY)["sms"]["sent"] == 1
    [text] = provider.to(MOBILE)
    local = start.astimezone(shift.event.tz)
    assert (local.hour, local.tzname()) == (9, zone)
    assert f"Door knock, {local:%a, %b} {local.day}, 9:00 AM {zone}." in text


@pytest.mark.parametrize(
    "phone",
    [
        {"sms_status": SmsStatus.UNKNOWN},
        {"sms_status": SmsStatus.UNSUBSCRIBED},
        {"phone_type": PhoneType.HOME},
        {"phone_type": PhoneType.OTHER},
    ],
    ids=["no-consent", "unsubscribed", "home-phone", "other-phone"],
)
def test_no_text_without_consent_on_a_mobile(provider, inbox, phone):
    shift = shift_make(event_make(), START)
    attendance_make(shift, texter(**phone))
    counts = reminders_due(now=START - DAY)
    assert counts["sms"]["due"] == 0 and counts["sent"] == 1
    assert provider.requests == []


def test_an_erased_person_gets_no_text(provider, make_user):
    from groundswell.people.cleanup import person_erase

    shift = shift_make(event_make(), START)
    attendance = attendance_make(shift, texter())
    person_erase(person=attendance.person, actor=make_user("admin"), reason="Asked")
    reminders_due(now=START - DAY)
    assert provider.requests == []


def test_consent_withdrawn_after_the_list_was_made_is_honoured(attendee, provider, monkeypatch):
    compute = reminders.reminders_compute

    def compute_then_unsubscribe(**kwargs):
        due = compute(**kwargs)
        if kwargs.get("channel") == Channel.SMS:
            Phone.objects.update(sms_status=SmsStatus.UNSUBSCRIBED)
        return due

    monkeypatch.setattr(reminders, "reminders_compute", compute_then_unsubscribe)
    assert reminders_due(now=START - DAY)["sms"]["gone"] == 1
    assert provider.requests == []
    assert sms_rows(attendee).get().state == State.SKIPPED


def test_a_person_with_a_mobile_and_no_email_gets_only_the_text(provider, inbox):
    shift = shift_make(event_make(), START)
    person = texter()
    person.primary_email = ""
    person.save(update_fields=["primary_email"])
    attendance_make(shift, person)
    counts = reminders_due(now=START - DAY)
    assert (counts["sent"], counts["sms"]["sent"]) == (0, 1)
    assert inbox.received == []


def test_a_refusal_is_recorded_with_the_providers_message_and_not_retried(attendee, provider):
    message = "Attempt to send to unsubscribed recipient"
    provider.answer(Answer(400, error_body(400, 21610, message)))
    assert reminders_due(now=START - DAY)["sms"]["failed"] == 1
    row = sms_rows(attendee).get()
    assert row.state == State.FAILED and row.detail.endswith(f"21610 {message}")
    reminders_due(now=START - DAY + MINUTE)
    assert len(provider.requests) == 1 and provider.messages == []


def test_a_rate_limit_inside_a_run_is_waited_out(attendee, provider, no_waiting):
    provider.answer(Answer(429, error_body(429, 20429, "Too Many Requests"), {"Retry-After": "2"}))
    assert reminders_due(now=START - DAY)["sms"]["sent"] == 1
    assert no_waiting == [2.0]
    assert len(provider.to(MOBILE)) == 1


def test_an_outage_is_retried_by_the_next_run_and_the_text_goes_once(attendee, provider):
    outage = Answer(500, error_body(500, 20500, "Internal Server Error"))
    provider.answer(outage, outage, outage)
    assert reminders_due(now=START - DAY)["sms"]["failed"] == 1
    row = sms_rows(attendee).get()
    assert row.state == State.RETRY and "(500)" in row.detail
    assert reminders_due(now=START - DAY + MINUTE)["sms"]["sent"] == 1
    assert reminders_due(now=START - DAY + 2 * MINUTE)["sms"]["due"] == 0
    assert len(provider.to(MOBILE)) == 1
    row.refresh_from_db()
    assert (row.state, row.attempts, row.detail) == (State.SENT, 2, "")


def test_an_outage_that_lasts_is_given_up_after_its_runs(attendee, provider):
    outage = Answer(503, error_body(503, 20503, "Service Unavailable"))
    for n in range(reminders.SMS_ATTEMPTS + 2):
        provider.answer(outage, outage, outage)
        reminders_due(now=START - DAY + n * MINUTE)
    row = sms_rows(attendee).get()
    assert (row.state, row.attempts) == (State.FAILED, reminders.SMS_ATTEMPTS)
    assert len(provider.requests) == 3 * reminders.SMS_ATTEMPTS


def test_a_farther_text_waiting_for_a_retry_is_dropped_when_a_nearer_one_is_owed(
    attendee, provider
):
    outage = Answer(503, error_body(503, 20503, "Service Unavailable"))
    provider.answer(outage, outage, outage)
    reminders_due(now=START - DAY)
    assert reminders_due(now=START - TWO_HOURS)["sms"]["sent"] == 1
    assert reminders_due(now=START - TWO_HOURS + MINUTE)["sms"]["due"] == 0
    states = dict(sms_rows(attendee).values_list("minutes_before", "state"))
    assert states == {1440: State.SKIPPED, 120: State.SENT}
    assert len(provider.messages) == 1


_hostile = st.one_of(
    st.binary(max_size=200),
    st.builds(
        lambda v: json.dumps(v).encode(),
        st.dictionaries(st.sampled_from(["sid", "status", "code", "message"]), st.text()),
    ),
    st.sampled_from([b"[" * 3000, b"{" + b" " * 70_000 + b"}", b'{"sid": 1e99999}']),
)


# Each example makes two attendees and up to six requests: a fiftieth of the usual count.
JOB_SUITE = hypothesis_settings(SUITE, max_examples=max(EXAMPLES // 50, 50))


def test_whatever_the_provider_answers_the_job_records_it_and_carries_on(provider, inbox, settings):
    seen = {"examples": 0, "sent": 0, "failed": 0}
    # One reply in ten comes after this timeout.
    settings.GROUNDSWELL_SMS_TIMEOUT = 0.3

    @JOB_SUITE
    @given(
        status=st.sampled_from([200, 201, 302, 400, 401, 404, 429, 500, 503]),
        body=_hostile,
        late=st.sampled_from([False] * 9 + [True]),
    )
    def run(status, body, late):
        with transaction.atomic():
            shift = shift_make(event_make(), START)
            first = attendance_make(shift, texter(address="first@example.org"))
            second = attendance_make(shift, texter("+16145550124", address="second@example.org"))
            provider.script.clear()
            provider.answer(*[Answer(status, body, delay=0.5 if late else 0)] * 6)
            counts = reminders_due(now=START - DAY)["sms"]
            assert counts["sent"] + counts["failed"] == 2
            for attendance in (first, second):
                row = sms_rows(attendance).get()
                assert row.state in {State.SENT, State.FAILED, State.RETRY}
                assert len(row.detail) <= 300 and "\x00" not in row.detail
                assert (row.state == State.SENT) == (row.detail == "")
                if late:
                    assert row.state == State.FAILED and "may have been sent" in row.detail
            seen["examples"] += 1
            seen["sent"] += counts["sent"]
            seen["failed"] += counts["failed"]
            transaction.set_rollback(True)

    run()
    assert seen["examples"] >= JOB_SUITE.max_examples
    assert seen["failed"] > 0


def test_an_rsvp_with_a_mobile_and_the_text_box_ticked_gets_the_reminder_by_text(
    client, provider, settings
):
    from groundswell.events.tests import conftest_public as public

    settings.GROUNDSWELL_CHECK_MX = False
    event = public.event_make(title="Riverside door knock")
    shift = public.shift_make(event, days=3)
    data = {**public.rsvp(1), "shift": [str(shift.pk)], "mobile_phone": "(202) 555-0147"}
    ticked = {**public.rsvp(2), "shift": [str(shift.pk)], "mobile_phone": "(202) 555-0148"}
    ticked["sms"] = "yes"
    for body in (data, ticked):
        response = client.post(reverse("events:detail", args=[event.slug]), body)
        assert response.status_code == 302
    reminders_due(now=shift.starts_at - DAY)
    assert [m["to"] for m in provider.messages] == ["+12025550148"]
    assert "Riverside door knock" in provider.messages[0]["body"]


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_text_each_attendee_once(settings):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    with inbox_open(settings), sms_double(settings) as provider:
        shifts = [shift_make(event_make(), START + timedelta(minutes=n)) for n in range(3)]
        for n, shift in enumerate(shifts):
            for m in range(4):
                attendance_make(shift, texter(f"+1614555{n}{m:03d}", address=f"r{n}-{m}@ex.org"))
        # The first text of one attendee meets an outage: both workers then race for the retry.
        outage = Answer(503, error_body(503, 20503, "Service Unavailable"))
        provider.answer(outage, outage, outage)
        results, errors = [], []
        for now in (START - DAY + 5 * MINUTE, START - DAY + 6 * MINUTE):

            def work(now=now):
                return reminders_due(now=now)["sms"]

            done, failed = at_once(work, work)
            results += done
            errors += failed
        assert not errors
        assert sum(r["sent"] for r in results) == 12
        assert len(provider.messages) == 12
        assert len({m["to"] for m in provider.messages}) == 12
        assert sms_rows().filter(state=State.SENT).count() == 12


def test_a_long_title_is_shortened_so_the_text_stays_within_two_segments(provider):
    title = "Canvass the whole Riverside ward, then the Quay, then the hills beyond them " * 2
    shift = shift_make(event_make(title=title), START)
    attendance_make(shift, texter())
    reminders_due(now=START - DAY)
    [text] = provider.to(MOBILE)
    assert ", Canvass the whole Riverside ward, then the Quay, then the..., Sat" in text
    # Plain ASCII (the GSM alphabet), two segments of 153 characters at most.
    assert text.isascii() and len(text) <= 306
