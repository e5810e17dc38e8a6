"""The organize forms under generated and hostile input: saved, or a 4xx with a reason, never a
server error. The event form with its shift formset (management counts included), the
check-in marks and the walk-in form get plausible values and NUL, lone surrogates, overlong
text, far-off dates, huge numbers. Each example runs in a savepoint that is rolled back.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from groundswell.core.tests.hostile import SUITE
from groundswell.events.tests.conftest_staff import attendee, event_make, shift_make

# Behind a staff login (admin and organizer): a twentieth of the public suites' examples, as
# the other staff forms' suites take.
STAFF_SUITE = hypothesis_settings(parent=SUITE, max_examples=max(SUITE.max_examples // 20, 50))

HOSTILE_TEXT = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        ["", "\x00", "\ud800", "a\x00b", "x" * 600, "1e999999", "-1", "NaN", "<script>x</script>"]
    ),
)
TIMES = st.one_of(
    st.sampled_from(
        [
            "2031-03-01T10:00",
            "2031-03-01T13:00",
            "2031-03-09T02:30",  # a DST gap in New York
            "2031-11-02T01:30",  # a DST overlap
            "9999-12-31T23:59",
            "0001-01-01T00:00",
            "2031-02-30T10:00",
            "",
        ]
    ),
    HOSTILE_TEXT,
)
NUMBERS = st.one_of(
    st.integers(-(10**20), 10**20).map(str), st.sampled_from(["", "0", "1", "1e3", "\x00", "٣"])
)
ZONES = st.one_of(
    st.sampled_from(["America/Chicago", "Pacific/Honolulu", "Mars/Olympus"]), HOSTILE_TEXT
)


def _post(client: Client, url: str, pairs: list[tuple[str, str]], **headers):
    body = urlencode(pairs, encoding="utf-8", errors="surrogatepass")
    return client.post(url, body, content_type="application/x-www-form-urlencoded", **headers)


def _rolled_back(run):
    with transaction.atomic():
        response = run()
        transaction.set_rollback(True)
    return response


@pytest.fixture
def organizer(make_user, db):
    client = Client()
    client.force_login(make_user("organizer"))
    return client


@pytest.fixture
def roster():
    event = event_make()
    shift = shift_make(event, capacity=1)
    return event, shift, attendee(shift, "Corisande", "Halloway")


def test_generated_event_forms_are_saved_or_refused_never_a_server_error(organizer, roster):
    event, shift, _ = roster
    urls = [reverse("events_staff:create"), reverse("events_staff:edit", args=[event.pk])]

    @STAFF_SUITE
    @given(
        which=st.sampled_from(urls),
        title=st.one_of(st.just("Door knock"), HOSTILE_TEXT),
        event_type=st.one_of(st.just("canvass"), HOSTILE_TEXT),
        visibility=st.one_of(st.just("public"), HOSTILE_TEXT),
        zone=ZONES,
        virtual=st.sampled_from(["", "on", "\x00"]),
        join_url=st.one_of(st.just("https://meet.example.org/a"), HOSTILE_TEXT),
        zip_code=st.one_of(st.just("19103"), HOSTILE_TEXT),
        state=HOSTILE_TEXT,
        total=st.one_of(st.just("1"), NUMBERS),
        initial=st.one_of(st.just("0"), NUMBERS),
        shift_id=st.one_of(st.just(str(shift.pk)), NUMBERS),
        starts=TIMES,
        ends=TIMES,
        capacity=NUMBERS,
        delete=st.sampled_from(["", "on"]),
        reminders=st.one_of(
            st.sampled_from(["24, 2", "1e999999", "NaN", "sNaN", "1e-99999"]), HOSTILE_TEXT
        ),
        repeat=st.one_of(st.sampled_from(["none", "daily", "weekly", ""]), HOSTILE_TEXT),
        repeat_count=st.one_of(st.sampled_from(["", "2", "52", "53"]), NUMBERS),
        repeat_until=st.one_of(
            st.sampled_from(["", "2031-03-20", "2031-02-01", "9999-12-31", "0001-01-01"]),
            HOSTILE_TEXT,
        ),
    )
    def check(which, title, event_type, visibility, zone, virtual, join_url, zip_code, state,
              total, initial, shift_id, starts, ends, capacity, delete, reminders, repeat,
              repeat_count, repeat_until):  # fmt: skip
        pairs = [
            ("title", title),
            ("event_type", event_type),
            ("visibility", visibility),
            ("timezone", zone),
            ("is_virtual", virtual),
            ("join_url", join_url),
            ("zip_code", zip_code),
            ("state", state),
            ("shifts-TOTAL_FORMS", total),
            ("shifts-INITIAL_FORMS", initial),
            ("shifts-0-shift_id", shift_id),
            ("shifts-0-starts_at", starts),
            ("shifts-0-ends_at", ends),
            ("shifts-0-capacity", capacity),
            ("shifts-0-DELETE", delete),
            ("reminders", reminders),
            ("repeat", repeat),
            ("repeat_count", repeat_count),
            ("repeat_until", repeat_until),
        ]
        response = _rolled_back(lambda: _post(organizer, which, pairs))
        assert response.status_code in (302, 400), (response.status_code, pairs)

    check()


def test_generated_marks_and_walk_ins_are_done_or_refused_never_a_server_error(organizer, roster):
    event, shift, row = roster
    mark_url = reverse("events_staff:mark", args=[event.pk, shift.pk, row.pk])
    walk_url = reverse("events_staff:walk_in", args=[event.pk, shift.pk])

    @STAFF_SUITE
    @given(
        mark=st.one_of(st.sampled_from(["attended", "no_show", "undo"]), HOSTILE_TEXT),
        htmx=st.booleans(),
        given_name=st.one_of(st.just("Averill"), HOSTILE_TEXT),
        family_name=HOSTILE_TEXT,
        email=st.one_of(st.just("averill@example.org"), HOSTILE_TEXT),
        phone=st.one_of(st.just("215-555-0134"), HOSTILE_TEXT),
        postal_code=st.one_of(st.just("19103"), HOSTILE_TEXT),
    )
    def check(mark, htmx, given_name, family_name, email, phone, postal_code):
        headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
        response = _rolled_back(lambda: _post(organizer, mark_url, [("mark", mark)], **headers))
        assert response.status_code in (200, 302, 400), response.status_code
        pairs = [
            ("given_name", given_name),
            ("family_name", family_name),
            ("email", email),
            ("phone", phone),
            ("postal_code", postal_code),
        ]
        response = _rolled_back(lambda: _post(organizer, walk_url, pairs))
        assert response.status_code in (302, 400), (response.status_code, pairs)

    check()
