"""Text messages through an SMS provider's REST API: Twilio's Messages resource, or any
provider that speaks it (``POST {url}/2010-04-01/Accounts/{AccountSid}/Messages.json``,
form-encoded ``To``/``From``/``Body``, HTTP basic auth with the account SID and auth token; a
JSON reply with ``sid`` and ``status``, or on error ``code`` and ``message``).

Shared infrastructure, like SMTP for mail: the kernel holds the client so any app may send a
text without importing another. It is configured by settings (``GROUNDSWELL_SMS_URL``,
``_ACCOUNT_SID``, ``_AUTH_TOKEN``, ``_FROM``, ``_TIMEOUT``); without the SID, token and sender
``sms_provider()`` is None and callers send nothing.

``sms_send`` never raises for what the network or the provider does: it answers an
``SmsResult``. A 429 or 5xx is retried with backoff (honouring a bounded ``Retry-After``), so is
a connection that could not be opened; what is still refused after the last attempt comes back
``retryable`` for the caller to try on a later run. A 4xx is final, with the provider's code and
message. A timeout once the request was sent is final too: the provider may have taken the
message, and a second try could text the person twice. Replies are read under a byte cap and a
total deadline, so a huge or dripping body cannot hold the worker.
"""

from __future__ import annotations

import base64
import http.client
import logging
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

import phonenumbers
from django.conf import settings

from groundswell.core.untrusted import Refused, json_load, text_clean

logger = logging.getLogger(__name__)

MESSAGES_PATH = "/2010-04-01/Accounts/{sid}/Messages.json"
MAX_REPLY_BYTES = 64 * 1024
ERROR_MAX = 300
# Longest wait a Retry-After may ask for inside one send; a longer one is left to the next run.
MAX_RETRY_WAIT = 30.0
_SID = re.compile(r"[A-Za-z0-9]{2,64}")
# The provider's message states that mean it will not deliver.
FAILED_STATES = {"failed", "undelivered", "canceled"}


@dataclass(frozen=True)
class SmsProvider:
    """Where and as whom to send: read from settings by ``sms_provider``."""

    url: str
    account_sid: str
    auth_token: str
    from_number: str
    timeout: float = 10.0
    attempts: int = 3
    backoff: float = 1.0

    @property
    def endpoint(self) -> str:
        sid = urllib.parse.quote(self.account_sid, safe="")
        return self.url.rstrip("/") + MESSAGES_PATH.format(sid=sid)


@dataclass(frozen=True)
class SmsResult:
    """What came of one message: sent (with the provider's id and state) or why not."""

    ok: bool
    provider_id: str = ""
    status: str = ""
    error: str = ""
    # True when a later attempt may succeed (rate limit, outage, no connection).
    retryable: bool = False
    attempts: int = 1


def sms_provider() -> SmsProvider | None:
    """The configured provider, or None when SMS is not set up (then nothing is texted)."""
    sid = getattr(settings, "GROUNDSWELL_SMS_ACCOUNT_SID", "")
    token = getattr(settings, "GROUNDSWELL_SMS_AUTH_TOKEN", "")
    sender = getattr(settings, "GROUNDSWELL_SMS_FROM", "")
    if not (sid and token and sender):
        return None
    return SmsProvider(
        url=getattr(settings, "GROUNDSWELL_SMS_URL", "") or "https://api.twilio.com",
        account_sid=sid,
        auth_token=token,
        from_number=sender,
        timeout=float(getattr(settings, "GROUNDSWELL_SMS_TIMEOUT", 10)),
    )


def e164(number: str) -> str | None:
    """The number in E.164 (+15555550123) if it is a valid international number, else None."""
    if not isinstance(number, str) or not number.startswith("+") or len(number) > 20:
        return None
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def pause(seconds: float) -> None:
    """Wait between attempts (the one place a test replaces to count the waits)."""
    time.sleep(seconds)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A redirected POST would be replayed as a GET without the message: answer the 3xx as is.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


@dataclass
class _Reply:
    status: int  # 0: no HTTP answer at all
    body: bytes = b""
    retry_after: str = ""
    error: str = ""
    sent: bool = False  # the request may have reached the provider


def sms_send(
    *,
    to: str,
    body: str,
    provider: SmsProvider | None = None,
    sleep: Callable[[float], None] | None = None,
) -> SmsResult:
    """Send one text to ``to`` (E.164); never raises for the network's or provider's doing."""
    provider = provider or sms_provider()
    if provider is None:
        return SmsResult(ok=False, error="no SMS provider is configured")
    number = e164(to)
    if number is None:
        return SmsResult(ok=False, error="not a valid mobile number (E.164)")
    form = urllib.parse.urlencode({"To": number, "From": provider.from_number, "Body": body})
    attempt = 0
    while True:
        attempt += 1
        reply = _post(provider, form.encode())
        result = _outcome(reply, attempt)
        if not result.retryable or attempt >= provider.attempts:
            return result
        wait = _wait(reply.retry_after, provider.backoff * 2 ** (attempt - 1))
        if wait is None:
            return result
        logger.info("SMS provider answered %s; retrying in %.1f s", reply.status, wait)
        (sleep or pause)(wait)


def _wait(retry_after: str, backoff: float) -> float | None:
    """Seconds to wait before the next attempt; None when the provider asks for too long."""
    if retry_after.isascii() and retry_after.isdigit() and len(retry_after) < 6:
        asked = float(retry_after)
        return asked if asked <= MAX_RETRY_WAIT else None
    return min(backoff, MAX_RETRY_WAIT)


def _post(provider: SmsProvider, data: bytes) -> _Reply:
    credentials = f"{provider.account_sid}:{provider.auth_token}".encode()
    # The address is the operator's setting, which settings.py allows only as http(s).
    request = urllib.request.Request(  # noqa: S310
        provider.endpoint,
        data=data,
        method="POST",
        headers={
            "Authorization": "Basic " + base64.b64encode(credentials).decode("ascii"),
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
            "User-Agent": "Groundswell",
        },
    )
    deadline = time.monotonic() + provider.timeout
    try:
        response = _opener.open(request, timeout=provider.timeout)
    except urllib.error.HTTPError as exc:
        response = exc
    except urllib.error.URLError as exc:
        # Refused, unknown host, TLS: the provider has nothing, try again. A timeout here may
        # have struck while the request was being written: it may have arrived.
        timed_out = isinstance(exc.reason, TimeoutError | socket.timeout)
        return _Reply(0, error=f"cannot reach the SMS provider: {exc.reason}", sent=timed_out)
    except (TimeoutError, OSError, http.client.HTTPException, ValueError) as exc:
        return _Reply(0, error=f"no answer from the SMS provider: {exc}", sent=True)
    with response:
        try:
            body = _read(response, deadline)
        except (TimeoutError, OSError, http.client.HTTPException) as exc:
            return _Reply(0, error=f"the SMS provider's answer broke off: {exc}", sent=True)
        return _Reply(
            response.status,
            body=body,
            retry_after=(response.headers.get("Retry-After") or "").strip(),
            sent=True,
        )


def _read(response, deadline: float) -> bytes:
    """The reply's body up to one byte over the cap, within the send's total deadline."""
    chunks, size = [], 0
    while size <= MAX_REPLY_BYTES:
        if time.monotonic() > deadline:
            raise TimeoutError("the reply took longer than the timeout")
        chunk = response.read1(8192) if hasattr(response, "read1") else response.read(8192)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _outcome(reply: _Reply, attempt: int) -> SmsResult:
    if reply.status == 0:
        # Retried only when the request cannot have arrived; otherwise it may have gone.
        return SmsResult(
            ok=False,
            error=_line(reply.error + ("; it may have been sent" if reply.sent else "")),
            retryable=not reply.sent,
            attempts=attempt,
        )
    data = _json(reply.body)
    if 200 <= reply.status < 300:
        sid, state = data.get("sid"), data.get("status")
        state = state if isinstance(state, str) else ""
        if not isinstance(sid, str) or not _SID.fullmatch(sid):
            return SmsResult(
                ok=False,
                error=f"the SMS provider answered {reply.status} without a message id; "
                "it may have been sent",
                attempts=attempt,
            )
        if state.lower() in FAILED_STATES:
            why = _provider_error(data, "error_code", "error_message") or state
            return SmsResult(
                ok=False, provider_id=sid, status=state[:20], error=why, attempts=attempt
            )
        return SmsResult(ok=True, provider_id=sid, status=state[:20], attempts=attempt)
    why = _provider_error(data, "code", "message")
    text = _line(f"the SMS provider refused it ({reply.status})" + (f": {why}" if why else ""))
    transient = reply.status == 429 or reply.status >= 500
    return SmsResult(ok=False, error=text, retryable=transient, attempts=attempt)


def _json(body: bytes) -> dict:
    try:
        data = json_load(body)
    except Refused:
        return {}
    return data if isinstance(data, dict) else {}


def _provider_error(data: dict, code_key: str, message_key: str) -> str:
    code, message = data.get(code_key), data.get(message_key)
    parts = [str(code)[:12] if isinstance(code, int | str) and code != "" else ""]
    parts.append(message if isinstance(message, str) else "")
    return _line(" ".join(p for p in parts if p))


def _line(text: str) -> str:
    """One clean line, bounded: the provider's words are stored and shown to staff."""
    return " ".join(text_clean(text).split())[:ERROR_MAX]
