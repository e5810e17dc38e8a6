"""Host-your-own end to end: a supporter proposes an event, staff approve it, the host is mailed
a link (through a real SMTP server on loopback) that opens that event's roster and nothing
else, checks people in and writes to the attendees."""

from __future__ import annotations

import re
import zoneinfo
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from groundswell.events.host import services as host_services
from groundswell.events.host.forms import proposal_read
from groundswell.events.host.models import EventHostKey, EventHostMessage
from groundswell.events.host.tests.conftest_host import attendee, hosted_event, proposal_form
from groundswell.events.models import Attendance, Event, EventStatus
from groundswell.events.received import rsvps_place
from groundswell.events.staff import RESERVED_SLUGS, event_approve
from groundswell.events.tests.conftest_notices import inbox_open
from groundswell.events.tests.conftest_public import rsvp
from groundswell.people.models import Activity

pytestmark = pytest.mark.django_db
PROPOSE = "/events/host/"


@pytest.fixture(autouse=True)
def _quiet(settings):
    settings.GROUNDSWELL_CHECK_MX = False


@pytest.fixture
def inbox(settings):
    with inbox_open(settings) as box:
        yield box


def _page(key_or_token) -> str:
    token = getattr(key_or_token, "token", key_or_token)
    return reverse("events:host_page", args=[token])


# ---------------------------------------------------------------- proposing


def test_the_proposal_page_opens_with_its_form(client):
    response = client.get(PROPOSE)
    assert response.status_code == 200
    assert b'name="title"' in response.content and b'name="website"' in response.content


def test_a_proposal_creates_a_proposed_event_hosted_by_the_upserted_person_with_one_shift(client):
    form = proposal_form()
    response = client.post(PROPOSE, form)
    assert response.status_code == 302
    event = Event.objects.get(title=form["title"])
    assert event.status == EventStatus.PROPOSED
    assert event.host.primary_email == form["email"]
    assert event.address_private and not event.is_virtual
    [shift] = event.shifts.all()
    local = shift.starts_at.astimezone(zoneinfo.ZoneInfo("America/Chicago"))
    assert (local.date().isoformat(), f"{local:%H:%M}") == (form["date"], form["starts"])
    assert shift.capacity == 12
    assert Activity.objects.filter(person=event.host, kind=host_services.ACTIVITY_KIND).exists()


def test_a_filled_honeypot_is_thanked_and_nothing_is_kept(client):
    response = client.post(PROPOSE, proposal_form(website="http://spam.example"))
    assert response.status_code == 302
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://files.example.org/x",
        "vbscript:msgbox",
    ],
)
def test_a_join_link_that_is_not_http_or_https_is_refused(client, link):
    response = client.post(PROPOSE, proposal_form(where="online", join_url=link))
    assert response.status_code == 400
    assert b"join link must be a web address" in response.content
    assert not Event.objects.exists()


def test_a_virtual_event_keeps_an_https_join_link_and_no_street_address(client):
    form = proposal_form(where="online", join_url="https://meet.example.org/abc")
    assert client.post(PROPOSE, form).status_code == 302
    event = Event.objects.get()
    assert event.is_virtual and event.join_url == form["join_url"]
    assert (event.address_line1, event.zip_code, event.address_private) == ("", "", False)


def test_a_local_time_the_clocks_skip_is_refused_and_one_they_repeat_is_read_once():
    # 8 March 2026, the second Sunday of March: 2:00-3:00 AM does not exist in Chicago.
    now = datetime(2026, 2, 1, tzinfo=UTC)
    skipped = proposal_form(date="2026-03-08", starts="02:30", ends="04:00")
    proposal, errors = proposal_read(QueryDict(urlencode(skipped)), now=now)
    assert proposal is None and "clocks change" in errors["starts"]
    # 1 November 2026: 1:30 AM happens twice; the first (daylight time, UTC-5) is taken.
    repeated = proposal_form(date="2026-11-01", starts="01:30", ends="03:00")
    proposal, errors = proposal_read(QueryDict(urlencode(repeated)), now=now)
    assert errors == {}
    assert proposal.starts_at.astimezone(UTC) == datetime(2026, 11, 1, 6, 30, tzinfo=UTC)
    assert proposal.ends_at - proposal.starts_at == timedelta(hours=2, minutes=30)


def test_a_past_date_an_end_before_the_start_and_a_bad_capacity_are_refused(client):
    # Two days back: "yesterday" in UTC is still ahead in the evening in American zones.
    yesterday = (timezone.now() - timedelta(days=2)).date().isoformat()
    for bad in (
        {"date": yesterday},
        {"starts": "20:00", "ends": "19:00"},
        {"capacity": "0"},
        {"capacity": "²"},
        {"timezone": "Mars/Olympus"},
        {"event_type": "riot"},
        {"zip_code": "6270"},
    ):
        assert client.post(PROPOSE, proposal_form(**bad)).status_code == 400, bad
    assert not Event.objects.exists()


def test_a_person_may_have_only_a_few_proposals_waiting(client):
    for n in range(host_services.PENDING_PER_PERSON):
        assert client.post(PROPOSE, proposal_form(title=f"Event {n}")).status_code == 302
    response = client.post(PROPOSE, proposal_form(title="One more"))
    assert response.status_code == 400
    assert Event.objects.count() == host_services.PENDING_PER_PERSON


def test_proposals_past_the_rate_limit_are_refused_with_retry_after(client, settings):
    settings.GROUNDSWELL_RATE_PER_IP = 2
    codes = [client.post(PROPOSE, proposal_form(n)).status_code for n in range(3)]
    assert codes[:2] == [302, 302] and codes[2] == 429


def test_a_title_that_would_take_a_reserved_path_gets_another_slug(client):
    assert client.post(PROPOSE, proposal_form(title="Host")).status_code == 302
    assert Event.objects.get().slug not in RESERVED_SLUGS


HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_hostile_text_is_escaped_on_the_refused_form_and_on_the_host_page(client):
    response = client.post(PROPOSE, proposal_form(title=HOSTILE, description=HOSTILE, date=""))
    assert response.status_code == 400
    assert b"<script>alert" not in response.content and b"<img src=x" not in response.content
    event, _, key = hosted_event(title=HOSTILE, description=f"line one\n{HOSTILE}")
    page = client.get(_page(key)).content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "line one<br>" in page


# ---------------------------------------------------------------- approval and the host link


def test_approval_mails_the_host_a_link_that_opens_their_roster(
    client, inbox, django_capture_on_commit_callbacks
):
    client.post(PROPOSE, proposal_form())
    event = Event.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        event_approve(event=event, actor=None)
    [message] = inbox.to(proposal_form()["email"])
    assert "approved" in message["Subject"]
    body = message.get_content()
    [link] = re.findall(r"https://campaign\.example\.org(/events/host/[^/\s]+/)", body)
    key = EventHostKey.objects.get(event=event)
    assert link == _page(key)
    assert client.get(link).status_code == 200


def test_approval_run_twice_mails_the_host_once(inbox, django_capture_on_commit_callbacks):
    event, _, _ = hosted_event()
    EventHostKey.objects.all().delete()
    type(event.host).objects.filter(pk=event.host_id).update(primary_email="twice@example.org")
    assert host_services.host_approval_send(event_id=event.pk)
    assert not host_services.host_approval_send(event_id=event.pk)
    assert len(inbox.to("twice@example.org")) == 1


def test_a_guessed_token_a_revoked_token_and_a_proposed_events_token_are_not_found(client):
    _, _, key = hosted_event()
    assert client.get(_page("A" * 43)).status_code == 404
    assert (
        client.get(_page(key.token[:-1] + ("x" if key.token[-1] != "x" else "y"))).status_code
        == 404
    )
    host_services.host_key_revoke(key=key)
    assert client.get(_page(key)).status_code == 404
    waiting, _, other = hosted_event(2)
    Event.objects.filter(pk=waiting.pk).update(status=EventStatus.PROPOSED)
    assert client.get(_page(other)).status_code == 404


def test_the_host_page_shows_its_own_roster_with_contacts_and_nobody_from_another_event(client):
    event, _, key = hosted_event(1)
    other, _, _ = hosted_event(2)
    attendee(event, 1)
    attendee(other, 2)
    page = client.get(_page(key)).content.decode()
    assert rsvp(1)["email"] in page and rsvp(1)["given_name"] in page
    assert rsvp(2)["email"] not in page and rsvp(2)["given_name"] not in page
    assert client.get(_page(key))["Referrer-Policy"] == "same-origin"


def test_a_host_checks_in_their_attendee_and_cannot_touch_another_events(client):
    event, _, key = hosted_event(1)
    other, _, _ = hosted_event(2)
    mine, theirs = attendee(event, 1), attendee(other, 2)
    url = _page(key)
    response = client.post(url, {"action": "mark", "attendance": mine.pk, "mark": "attended"})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.attended is True and mine.minutes_credited
    response = client.post(url, {"action": "mark", "attendance": theirs.pk, "mark": "attended"})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.attended is None


def test_a_host_message_reaches_the_registered_attendees_and_is_recorded(
    client, inbox, django_capture_on_commit_callbacks
):
    event, _, key = hosted_event(1)
    attendee(event, 1)
    gone = attendee(event, 2)
    Attendance.objects.filter(pk=gone.pk).update(status="cancelled")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _page(key), {"action": "message", "subject": "Bring a chair", "body": "See you!"}
        )
    assert response.status_code == 200
    [message] = inbox.to(rsvp(1)["email"])
    assert message["Subject"] == "Bring a chair" and "See you!" in message.get_content()
    assert inbox.to(rsvp(2)["email"]) == []
    record = EventHostMessage.objects.get()
    assert (record.event_id, record.recipients) == (event.pk, 1)


def test_a_host_may_send_only_a_few_messages_a_day(client):
    _, _, key = hosted_event(1)
    data = {"action": "message", "subject": "Hello", "body": "Hi all"}
    codes = [
        client.post(_page(key), data).status_code for _ in range(host_services.MESSAGES_PER_DAY + 1)
    ]
    assert codes == [200] * host_services.MESSAGES_PER_DAY + [400]
    assert EventHostMessage.objects.count() == host_services.MESSAGES_PER_DAY


def test_the_host_sees_how_many_sign_ups_are_still_being_confirmed(client, settings):
    event, _, key = hosted_event()
    shift = event.shifts.get()
    # A task backend that defers, as production's does: the RSVP is received, not yet placed.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    assert b"being confirmed" not in client.get(_page(key)).content
    for n in (1, 2):
        data = {**rsvp(n), "shift": [str(shift.pk)], "website": ""}
        assert client.post(reverse("events:detail", args=[event.slug]), data).status_code == 302
    page = client.get(_page(key)).content.decode()
    assert "2 more sign-ups just received are being confirmed" in page
    rsvps_place()
    assert "being confirmed" not in client.get(_page(key)).content.decode()
