"""The host-your-own proposal form under hostile input (Hypothesis).

Each generated body is a valid proposal (kept as exactly one PROPOSED event with one shift) or
one mutated as attackers do (NUL, lone surrogates, invalid UTF-8, overlong and repeated fields,
link schemes a browser would run, cut bodies, noise, thousands of fields). Never a server
error; a refusal is a 400 that leaves nothing written, and no stored link is anything but
http or https.
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
from groundswell.events.host.tests.conftest_host import proposal_form
from groundswell.events.models import Event, EventStatus, Shift
from groundswell.people.models import Person

# A proposal upserts a person and writes an event and a shift: a tenth of EXAMPLES (CI time).
PROPOSAL_SUITE = hypothesis_settings(SUITE, max_examples=max(EXAMPLES // 10, 50))
ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"
SALT = [b"%00", b"%ED%A0%80", b"%FF", b"%", b"%G0", b"\x00", b"\xff", b"&&", b"==", b";"]
LINKS = st.sampled_from(
    [
        "javascript:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "DATA:text/html,x",
        "vbscript:x",
        "//evil.example.org",
        "https://meet.example.org/room",
        "http://x",
        "https://",
    ]
)
FIELDS = list(proposal_form())
PRINTABLE = st.characters(categories=["L", "N", "P", "S", "Zs"])
EXTRA = ["csrfmiddlewaretoken", "zzz", "where", "join_url", "subscribe"]


@pytest.fixture(autouse=True)
def _no_limits(settings):
    settings.GROUNDSWELL_CHECK_MX = False
    settings.GROUNDSWELL_RATE_PER_IP = 10**9
    settings.GROUNDSWELL_RATE_PER_EMAIL = 10**9


def _encode(text: str) -> str:
    return quote(text.encode("utf-8", errors="replace"))


def _join(fields) -> bytes:
    return "&".join(f"{_encode(k)}={_encode(v)}" for k, v in fields).encode()


@st.composite
def proposal_bodies(draw) -> tuple[bytes, bool]:
    """(the bytes to post, whether they are a valid proposal untouched)."""
    local = draw(st.text(alphabet=ALNUM, min_size=1, max_size=20))
    online = draw(st.booleans())
    form = proposal_form(
        # Printable, so a valid title stays one after control characters are dropped.
        title=draw(st.text(alphabet=PRINTABLE, min_size=1, max_size=40).filter(str.strip)),
        description=draw(st.text(max_size=60)),
        email=f"{local}@example.org",
        where="online" if online else "place",
        join_url="https://meet.example.org/x" if online else "",
        capacity=draw(st.sampled_from(["", "1", "40"])),
    )
    fields = list(form.items())
    if draw(st.integers(0, 9)) < 3 and all(clean_for_postgres(v) for _, v in fields):
        return _join(fields), True
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["set", "set", "link", "delete", "add", "repeat"]))
        name = draw(st.sampled_from(FIELDS + EXTRA))
        value = draw(HOSTILE_TEXT | st.text(max_size=12))
        if kind == "link":
            fields = [(k, v) for k, v in fields if k not in ("where", "join_url")]
            fields += [("where", "online"), ("join_url", draw(LINKS))]
        elif kind == "delete":
            fields = [(k, v) for k, v in fields if k != name]
        elif kind == "set":
            fields = [(k, value if k == name else v) for k, v in fields]
        else:
            fields.append((name if kind == "repeat" else draw(HOSTILE_TEXT), value))
    raw = _join(fields)
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
    return raw, False


@pytest.mark.django_db
def test_generated_proposals_get_no_server_error_and_store_one_safe_event_or_nothing():
    logging.getLogger("groundswell.events.host.views").setLevel(logging.WARNING)
    client = Client()
    sent = {"posts": 0, "stored": 0, "refused": 0}

    @PROPOSAL_SUITE
    @given(proposal_bodies())
    def property_holds(case):
        raw, pristine = case
        with transaction.atomic():
            response = client.post(
                "/events/host/", data=raw, content_type="application/x-www-form-urlencoded"
            )
            sent["posts"] += 1
            assert response.status_code in (302, 400), response.status_code
            events = list(Event.objects.all())
            if response.status_code == 302:
                assert len(events) <= 1
                for event in events:
                    sent["stored"] += 1
                    assert event.status == EventStatus.PROPOSED and event.host_id
                    assert Shift.objects.filter(event=event).count() == 1
                    assert event.join_url == "" or event.join_url.startswith(
                        ("http://", "https://")
                    )
                    assert clean_for_postgres(event.title + event.description)
                if pristine:
                    assert len(events) == 1
            else:
                assert not pristine, response.content[:2000]
                sent["refused"] += 1
                assert not events and not Person.objects.exists()
                body = response.content.decode()
                assert "<script>alert(1)</script>" not in body
            transaction.set_rollback(True)

    property_holds()
    assert sent["posts"] >= PROPOSAL_SUITE.max_examples
    assert min(sent["stored"], sent["refused"]) >= PROPOSAL_SUITE.max_examples // 10
