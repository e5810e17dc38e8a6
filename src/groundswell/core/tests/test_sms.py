"""The SMS client against a loopback double of the provider's Messages endpoint."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from groundswell.core.sms import ERROR_MAX, MAX_REPLY_BYTES, SmsProvider, sms_provider, sms_send
from groundswell.core.tests.hostile import EXAMPLES, SUITE
from groundswell.core.tests.sms_double import Answer, SmsDouble, error_body, sms_double
from groundswell.core.tests.smtp import free_port

TO = "+16145550123"


@pytest.fixture(scope="module")
def server():
    running = SmsDouble().start()
    yield running
    running.stop()


@pytest.fixture
def double(server):
    server.script.clear()
    server.messages.clear()
    server.requests.clear()
    return server


def provider_for(double: SmsDouble, **changes) -> SmsProvider:
    values = {
        "url": double.url,
        "account_sid": double.account_sid,
        "auth_token": double.auth_token,
        "from_number": "+16145550100",
        "timeout": 2.0,
    }
    values.update(changes)
    return SmsProvider(**values)


def send(double, *, to=TO, body="Door knock tomorrow at 9", waits=None, **changes):
    waits = [] if waits is None else waits
    return sms_send(to=to, body=body, provider=provider_for(double, **changes), sleep=waits.append)


def test_a_text_goes_as_the_providers_form_with_basic_auth_and_comes_back_with_its_id(double):
    result = send(double, body="Reminder: canvass, Sat 10:00 AM EST")
    [message] = double.messages
    assert (message["to"], message["from"]) == (TO, "+16145550100")
    assert message["body"] == "Reminder: canvass, Sat 10:00 AM EST"
    assert result.ok and result.status == "queued" and result.attempts == 1
    assert result.provider_id == message["sid"]


def test_a_wrong_token_is_refused_by_the_double_and_recorded_with_the_providers_words(double):
    result = send(double, auth_token="not-the-token")
    assert not result.ok and not result.retryable
    assert result.error == "the SMS provider refused it (401): 20003 Authenticate"
    assert double.messages == []


def test_a_wrong_account_is_not_found(double):
    result = send(double, account_sid="AC" + "0" * 32)
    assert not result.ok and "(404)" in result.error and "20404" in result.error


def test_a_refusal_4xx_is_final_with_the_providers_code_and_message(double):
    body = error_body(400, 21610, "Attempt to send to unsubscribed recipient")
    double.answer(Answer(400, body))
    waits = []
    result = send(double, waits=waits)
    assert not result.ok and not result.retryable and waits == []
    assert result.error.endswith("21610 Attempt to send to unsubscribed recipient")
    assert len(double.requests) == 1


def test_a_rate_limit_is_waited_out_as_the_provider_asks_then_sent(double):
    double.answer(Answer(429, error_body(429, 20429, "Too Many Requests"), {"Retry-After": "3"}))
    waits = []
    result = send(double, waits=waits)
    assert result.ok and result.attempts == 2
    assert waits == [3.0]
    assert len(double.messages) == 1


def test_an_outage_is_retried_with_growing_waits_then_left_for_a_later_run(double):
    outage = Answer(503, error_body(503, 20500, "Service Unavailable"))
    double.answer(outage, outage, outage)
    waits = []
    result = send(double, waits=waits, backoff=0.5)
    assert not result.ok and result.retryable and result.attempts == 3
    assert waits == [0.5, 1.0]
    assert "(503): 20500 Service Unavailable" in result.error
    assert double.messages == []


def test_a_retry_after_beyond_the_limit_is_left_for_a_later_run(double):
    double.answer(Answer(429, error_body(429, 20429, "Too Many Requests"), {"Retry-After": "600"}))
    waits = []
    result = send(double, waits=waits)
    assert not result.ok and result.retryable and result.attempts == 1 and waits == []


def test_a_number_not_in_e164_is_never_sent(double):
    for number in ("6145550123", "+1555", "+15555550100", "tel:+16145550123", ""):
        result = send(double, to=number)
        assert not result.ok and "E.164" in result.error
    assert double.requests == []


def test_a_closed_port_is_retried_as_the_request_never_arrived(double):
    waits = []
    result = send(double, waits=waits, url=f"http://127.0.0.1:{free_port()}")
    assert not result.ok and result.retryable and result.attempts == 3 and len(waits) == 2


@pytest.mark.parametrize("answer", [Answer(201, {}, delay=3), Answer(201, b"{" * 200, drip=0.05)])
def test_a_slow_reply_is_given_up_at_the_timeout_and_not_resent(double, answer):
    double.answer(answer)
    started = time.monotonic()
    result = send(double, timeout=1.0)
    assert time.monotonic() - started < 3
    assert not result.ok and not result.retryable
    assert "may have been sent" in result.error
    assert len(double.requests) == 1


def test_an_accepted_reply_without_a_message_id_is_a_failure_that_may_have_gone(double):
    double.answer(Answer(201, {"status": "queued"}))
    result = send(double)
    assert not result.ok and not result.retryable and "may have been sent" in result.error


def test_a_message_the_provider_already_marks_failed_is_a_failure(double):
    body = {"sid": "SM" + "a" * 32, "status": "failed", "error_code": 30006, "error_message": ""}
    double.answer(Answer(201, body))
    result = send(double)
    assert not result.ok and result.provider_id == "SM" + "a" * 32 and result.error == "30006"


def test_without_sid_token_and_number_no_provider_is_configured(settings):
    settings.GROUNDSWELL_SMS_ACCOUNT_SID = ""
    settings.GROUNDSWELL_SMS_AUTH_TOKEN = ""
    settings.GROUNDSWELL_SMS_FROM = ""
    assert sms_provider() is None
    assert not sms_send(to=TO, body="x").ok


def test_the_settings_point_the_client_at_the_provider(settings):
    with sms_double(settings) as server:
        assert sms_send(to=TO, body="From settings", sleep=lambda s: None).ok
        assert server.to(TO) == ["From settings"]


# Hostile replies: whatever the provider (or something in its place) answers, the client
# returns a result with a clean, bounded reason, and never raises.
_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)
_replies = st.one_of(
    st.binary(max_size=300),
    st.builds(lambda v: json.dumps(v).encode(), _json_values),
    st.fixed_dictionaries(
        {},
        optional={
            "sid": st.one_of(st.text(max_size=80), st.integers(), st.none()),
            "status": st.one_of(st.text(max_size=30), st.integers(), st.none()),
            "code": st.one_of(st.integers(), st.text(max_size=40), st.floats()),
            "message": st.one_of(st.text(max_size=600), st.integers(), st.none()),
            "error_message": st.one_of(st.text(max_size=600), st.none()),
        },
    ).map(lambda d: json.dumps(d).encode()),
    st.sampled_from(
        [
            b"\x00" * 100,
            b'{"sid": "SM' + b"9" * 32 + b'", "status": "queued"' + b" " * MAX_REPLY_BYTES + b"}",
            b"[" * 5000,
            b'{"message": "' + "\ud800\x00line\nbreak".encode("utf-8", "surrogatepass") + b'"}',
            b'{"code": 1e999999, "message": "far"}',
        ]
    ),
)


def paced(answer: Answer, pace: str) -> Answer:
    """The answer on time, late (after the client's timeout), or dripped a byte at a time."""
    if pace == "drip" and len(answer.body) >= 20:
        answer.drip = 0.03
    elif pace != "on-time":
        answer.delay = 0.5
    return answer


# Up to three requests an example: a tenth of the usual count. One in ten replies comes after
# the client's timeout (0.3 s here), late or dripped.
@hypothesis_settings(SUITE, max_examples=max(EXAMPLES // 10, 50))
@given(
    status=st.sampled_from([200, 201, 202, 204, 301, 400, 401, 403, 404, 409, 429, 500, 502, 503]),
    body=_replies,
    retry_after=st.one_of(st.none(), st.text(max_size=12), st.sampled_from(["0", "1", "99999"])),
    pace=st.sampled_from(["on-time"] * 18 + ["late", "drip"]),
)
def test_whatever_the_provider_answers_the_client_returns_a_clean_result(
    server, status, body, retry_after, pace
):
    double = server
    double.script.clear()
    headers = {}
    if retry_after is not None and retry_after.isprintable() and retry_after.isascii():
        headers["Retry-After"] = retry_after.strip()
    double.answer(*[paced(Answer(status, body, headers), pace) for _ in range(3)])
    started = time.monotonic()
    # A reply on time gets a timeout it cannot miss on a loaded machine (CI runs two suites on
    # two cores: 0.3 s was once too short for an on-time reply); a late or dripped one gets
    # 0.3 s, well under its 0.5 s delay or its drip.
    result = send(double, attempts=3, timeout=0.3 if pace != "on-time" else 5.0)
    assert isinstance(result.ok, bool)
    assert len(result.error) <= ERROR_MAX
    assert "\n" not in result.error and "\x00" not in result.error
    if not result.ok:
        assert result.error
    if pace != "on-time":
        # Given up at the timeout, once: the provider may have taken it.
        assert not result.ok and not result.retryable and result.attempts == 1
        assert time.monotonic() - started < 2
    elif status >= 300:
        assert not result.ok
        assert result.retryable == (status == 429 or status >= 500)


def _settings_load(**env) -> subprocess.CompletedProcess:
    """Load the settings in a fresh interpreter with these variables, as the server would."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GROUNDSWELL_SMS_")}
    clean |= {"GROUNDSWELL_DEMO": "1", "GROUNDSWELL_DATA_DIR": tempfile.mkdtemp(), **env}
    code = "import groundswell.config.settings as s; print(s.GROUNDSWELL_SMS_URL)"
    return subprocess.run(
        [sys.executable, "-c", code], env=clean, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    "env, problem",
    [
        (
            {"GROUNDSWELL_SMS_ACCOUNT_SID": "AC1", "GROUNDSWELL_SMS_AUTH_TOKEN": "t0ken-s3cret"},
            "GROUNDSWELL_SMS_FROM",
        ),
        (
            {
                "GROUNDSWELL_SMS_ACCOUNT_SID": "AC1",
                "GROUNDSWELL_SMS_AUTH_TOKEN": "t0ken-s3cret",
                "GROUNDSWELL_SMS_FROM": "614-555-0100",
            },
            "expected a number in E.164",
        ),
        ({"GROUNDSWELL_SMS_URL": "ftp://sms.example.org"}, "http:// or https://"),
    ],
    ids=["partial", "not-e164", "scheme"],
)
def test_a_half_configured_provider_stops_the_settings_with_the_reason(env, problem):
    loaded = _settings_load(**env)
    assert loaded.returncode != 0
    assert problem in loaded.stderr
    assert "t0ken-s3cret" not in loaded.stderr


def test_a_complete_provider_loads():
    loaded = _settings_load(
        GROUNDSWELL_SMS_ACCOUNT_SID="AC1",
        GROUNDSWELL_SMS_AUTH_TOKEN="t0ken-s3cret",
        GROUNDSWELL_SMS_FROM="+16145550100",
    )
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.strip() == "https://api.twilio.com"
