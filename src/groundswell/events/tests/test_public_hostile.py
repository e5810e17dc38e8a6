"""The RSVP form, the attendance page and the list under hostile input (Hypothesis).

Each generated body is valid (kept exactly once, also when posted twice) or mutated as
attackers do: NUL and lone surrogates percent-encoded or raw, invalid UTF-8, overlong,
unknown and repeated fields, thousands of fields, cut bodies and noise. Never a server error:
a refusal is a 4xx with a log line, and a refused RSVP leaves nothing half-written.
"""

from __future__ import annotations

import logging
from urllib.parse import quote, urlencode

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from groundswell.core.tests.hostile import EXAMPLES, HOSTILE_TEXT, SUITE, clean_for_postgres
from groundswell.events.models import Attendance, AttendanceStatus
from groundswell.events.services import attendance_register
from groundswell.events.tests.conftest_public import event_make, rsvp, shift_make
from groundswell.people.models import Person

ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"
NAMES = st.text(alphabet=st.characters(categories=["L"]), min_size=1, max_size=12)
SALT = [b"%00", b"%ED%A0%80", b"%FF", b"%", b"%G0", b"\x00", b"\xff", b"&&", b"==", b";"]
RSVP_FIELDS = ["given_name", "family_name", "email", "mobile_phone", "postal_code", "shift"]
RSVP_EXTRA = ["website", "refcode", "source", "subscribe", "csrfmiddlewaretoken", "zzz"]

# Shares of EXAMPLES, so CI stays well under its hour with both databases side by side: an RSVP
# upserts a person and an attendance (about 30 ms an example), the attendance page changes one,
# and a search renders a page of events (about 40 ms). At a full 10,000 each, the three took
# about 15 minutes per database. The RSVP form is the one that writes people: it keeps most.
RSVP_SUITE = hypothesis_settings(SUITE, max_examples=max(EXAMPLES // 5, 50))
ATTENDANCE_SUITE = hypothesis_settings(SUITE, max_examples=max(EXAMPLES // 10, 50))
SEARCH_SUITE = hypothesis_settings(SUITE, max_examples=max(EXAMPLES // 20, 50))


@pytest.fixture(autouse=True)
def _no_limits(settings):
    # Every example comes from one address (the rate limit has its own test), and no example
    # waits on a DNS lookup of its e-mail domain.
    settings.GROUNDSWELL_CHECK_MX = False
    settings.GROUNDSWELL_RATE_PER_IP = 10**9
    settings.GROUNDSWELL_RATE_PER_EMAIL = 10**9


class _Refusals(logging.Handler):
    """Counts the log lines the views write when they refuse something."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.count = 0

    def emit(self, record):
        self.count += 1


@pytest.fixture
def refusals():
    handler = _Refusals()
    logger = logging.getLogger("groundswell.events.views_public")
    logger.addHandler(handler)
    old = logger.level
    logger.setLevel(logging.INFO)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(old)


def _encode(text: str) -> str:
    return quote(text.encode("utf-8", errors="replace"))


def _mutate(draw, fields: list[tuple[str, str]], names: list[str]) -> bytes:
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["set", "set", "delete", "add", "repeat"]))
        name = draw(st.sampled_from(names))
        value = draw(HOSTILE_TEXT | st.text(max_size=12))
        if kind == "delete":
            fields = [(k, v) for k, v in fields if k != name]
        elif kind == "set":
            fields = [(k, value if k == name else v) for k, v in fields]
        else:
            fields.append((name if kind == "repeat" else draw(HOSTILE_TEXT), value))
    raw = "&".join(f"{_encode(k)}={_encode(v)}" for k, v in fields).encode()
    how = draw(st.sampled_from(["none", "none", "salt", "cut", "noise", "many"]))
    if how == "salt":
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + draw(st.sampled_from(SALT)) + raw[at:]
    elif how == "cut":
        raw = raw[: draw(st.integers(0, len(raw)))]
    elif how == "noise":
        raw = draw(st.binary(max_size=64))
    elif how == "many":
        raw += b"&" + urlencode([("x", "1")] * draw(st.integers(900, 1200))).encode()
    return raw


@st.composite
def rsvp_bodies(draw, shift_ids: list[int]) -> tuple[list[str], bytes, bool]:
    """(the shifts a valid body chose, the bytes to post, whether they are it untouched)."""
    local = draw(st.text(alphabet=ALNUM, min_size=1, max_size=20))
    chosen = draw(st.lists(st.sampled_from([str(i) for i in shift_ids]), min_size=1, unique=True))
    fields = [
        ("given_name", draw(NAMES)),
        ("family_name", draw(st.text(max_size=12))),
        ("email", f"{local}@example.org"),
        ("postal_code", draw(st.sampled_from(["", "20001", "10001-1234"]))),
        ("refcode", draw(st.text(alphabet=ALNUM, max_size=10))),
        ("website", ""),
        *[("shift", pk) for pk in chosen],
    ]
    if draw(st.integers(0, 9)) < 3:
        raw = "&".join(f"{_encode(k)}={_encode(v)}" for k, v in fields).encode()
        return chosen, raw, True
    return chosen, _mutate(draw, fields, RSVP_FIELDS + RSVP_EXTRA), False


@pytest.mark.django_db
def test_generated_rsvp_posts_get_no_server_error_and_register_once(refusals):
    event = event_make(slug="hostile-canvass")
    shifts = [shift_make(event, capacity=1), shift_make(event, days=4)]
    client = Client()
    url = f"/events/{event.slug}/"
    sent = {"posts": 0, "stored": 0, "refused": 0}

    @RSVP_SUITE
    @given(rsvp_bodies([s.pk for s in shifts]))
    def property_holds(case):
        chosen, raw, pristine = case
        with transaction.atomic():
            post = lambda: client.post(  # noqa: E731
                url, data=raw, content_type="application/x-www-form-urlencoded"
            )
            logged = refusals.count
            response = post()
            sent["posts"] += 1
            assert response.status_code in (302, 400), response.status_code
            if response.status_code == 302:
                kept = list(Attendance.objects.values_list("shift_id", "status"))
                assert post().status_code == 302
                assert list(Attendance.objects.values_list("shift_id", "status")) == kept
                assert Person.objects.count() <= 1
                for person in Person.objects.all():
                    assert clean_for_postgres(f"{person.given_name}{person.family_name}")
                if pristine:
                    sent["stored"] += 1
                    assert sorted(str(s) for s, _ in kept) == sorted(chosen)
            else:
                assert not pristine, response.content[:2000]
                assert refusals.count > logged, "a refusal without a log line"
                sent["refused"] += 1
                assert not Attendance.objects.exists() and not Person.objects.exists()
            transaction.set_rollback(True)

    property_holds()
    assert sent["posts"] >= RSVP_SUITE.max_examples
    assert min(sent["stored"], sent["refused"]) >= RSVP_SUITE.max_examples // 10


@st.composite
def attendance_bodies(draw, shift_ids: list[int]) -> tuple[bytes, bool]:
    """(the bytes to post to the attendance page, whether they are a valid request)."""
    action = draw(st.sampled_from(["cancel", "move"]))
    fields = [("action", action)]
    if action == "move":
        fields.append(("shift", str(draw(st.sampled_from(shift_ids)))))
    if draw(st.integers(0, 9)) < 3:
        return "&".join(f"{k}={v}" for k, v in fields).encode(), True
    return _mutate(draw, fields, ["action", "shift", "csrfmiddlewaretoken"]), False


@pytest.mark.django_db
def test_generated_posts_to_the_attendance_page_get_no_server_error(refusals):
    event = event_make(slug="hostile-attendance")
    first, second = shift_make(event, capacity=1), shift_make(event, days=4, capacity=1)
    other_event_shift = shift_make(event_make())
    mine = attendance_register(shift=first, person_data=rsvp(1))
    attendance_register(shift=first, person_data=rsvp(2))  # waiting for mine's place
    client = Client()
    url = f"/events/attendance/{mine.token}/"
    sent = {"posts": 0, "changed": 0, "refused": 0}

    @ATTENDANCE_SUITE
    @given(attendance_bodies([first.pk, second.pk, other_event_shift.pk, 0, 10**30]))
    def property_holds(case):
        raw, pristine = case
        with transaction.atomic():
            logged = refusals.count
            response = client.post(url, data=raw, content_type="application/x-www-form-urlencoded")
            sent["posts"] += 1
            assert response.status_code in (302, 400), response.status_code
            rows = Attendance.objects.filter(shift__event=event)
            registered = rows.filter(status=AttendanceStatus.REGISTERED)
            assert registered.filter(shift=first).count() <= 1
            assert registered.filter(shift=second).count() <= 1
            assert not Attendance.objects.filter(shift=other_event_shift).exists()
            if response.status_code == 302:
                sent["changed"] += 1
            else:
                assert refusals.count > logged, "a refusal without a log line"
                sent["refused"] += 1
                assert rows.get(pk=mine.pk).status == AttendanceStatus.REGISTERED
            transaction.set_rollback(True)

    property_holds()
    assert sent["posts"] >= ATTENDANCE_SUITE.max_examples
    assert min(sent["changed"], sent["refused"]) >= ATTENDANCE_SUITE.max_examples // 20


@pytest.mark.django_db
def test_generated_searches_and_tokens_always_answer_a_page():
    shift_make(event_make(slug="hostile-list"))
    client = Client()
    names = ["zip", "miles", "type", "from", "to", "page", "refcode", "source"]

    @SEARCH_SUITE
    @given(
        st.lists(
            st.tuples(st.sampled_from(names) | HOSTILE_TEXT, HOSTILE_TEXT | st.text(max_size=12)),
            max_size=8,
        ),
        HOSTILE_TEXT | st.text(max_size=80),
    )
    def property_holds(params, token):
        query = "&".join(f"{_encode(k)}={_encode(v)}" for k, v in params)
        assert client.get(f"/events/?{query}").status_code == 200
        assert client.get(f"/events/hostile-list/?{query}").status_code == 200
        path = f"/events/attendance/{_encode(token) or 'x'}/"
        assert client.get(path).status_code in (404, 301)

    property_holds()
