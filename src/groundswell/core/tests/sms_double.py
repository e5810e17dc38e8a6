"""A local stand-in for an SMS provider: a real HTTP server on loopback speaking the part of
Twilio's REST API that ``core.sms`` uses — ``POST /2010-04-01/Accounts/{AccountSid}/Messages.json``.

It checks what the provider checks (the account in the path, HTTP basic auth with the account
SID and auth token, a form-encoded body with ``To``, ``From`` and ``Body``, an E.164 ``To``) and
answers in the provider's shapes: 201 with the Message resource (``sid`` "SM…", ``status``
"queued"), errors as ``{"code", "message", "more_info", "status"}``. A test may script the next
answers (``answer``): any status, headers and raw body, sent after a delay or dripped slowly, to
play a rate limit, an outage, a refusal or a hostile reply.
"""

from __future__ import annotations

import base64
import contextlib
import hmac
import json
import re
import secrets
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

E164 = re.compile(r"\+[1-9][0-9]{6,14}")
PATH = re.compile(r"/2010-04-01/Accounts/([^/]+)/Messages\.json")
DOCS = "https://www.twilio.com/docs/errors/"


@dataclass
class Answer:
    """A scripted reply; the body goes as is (bytes) or as JSON (anything else)."""

    status: int
    body: object = b""
    headers: dict = field(default_factory=dict)
    delay: float = 0.0  # before the status line
    drip: float = 0.0  # between each byte of the body


def error_body(status: int, code: int, message: str) -> dict:
    """An error in the provider's shape."""
    return {"code": code, "message": message, "more_info": f"{DOCS}{code}", "status": status}


class SmsDouble:
    """The server and what it received; ``start()`` runs it on 127.0.0.1 at an ephemeral port."""

    def __init__(self):
        # A local double's account, not a secret.
        self.account_sid = "AC" + secrets.token_hex(16)
        self.auth_token = secrets.token_hex(16)
        # Every message accepted: {"sid", "to", "from", "body"}.
        self.messages: list[dict] = []
        # Every request that reached the Messages endpoint, accepted or not.
        self.requests: list[dict] = []
        self.script: deque[Answer] = deque()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def answer(self, *answers: Answer) -> None:
        """Reply to the next requests with these, in turn, once they pass the checks."""
        with self._lock:
            self.script.extend(answers)

    def to(self, number: str) -> list[str]:
        """The bodies of the messages accepted for ``number``."""
        return [m["body"] for m in self.messages if m["to"] == number]

    def start(self) -> SmsDouble:
        handler = type("Handler", (_Handler,), {"double": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def handle(self, path: str, authorization: str, content_type: str, raw: bytes) -> Answer:
        """The provider's checks, in its order, then the script or an accepted message."""
        match = PATH.fullmatch(path)
        if not match or match.group(1) != self.account_sid:
            return Answer(404, error_body(404, 20404, "The requested resource was not found"))
        if not self._authorised(authorization):
            return Answer(401, error_body(401, 20003, "Authenticate"))
        if not content_type.startswith("application/x-www-form-urlencoded"):
            return Answer(400, error_body(400, 21602, "Message body is required."))
        form = {k: v[0] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}
        with self._lock:
            self.requests.append(form)
            scripted = self.script.popleft() if self.script else None
        for key, code, text in (
            ("To", 21604, "A 'To' phone number is required."),
            ("From", 21603, "A 'From' phone number is required."),
            ("Body", 21602, "Message body is required."),
        ):
            if not form.get(key):
                return Answer(400, error_body(400, code, text))
        if not E164.fullmatch(form["To"]):
            message = f"The 'To' number {form['To']} is not a valid phone number."
            return Answer(400, error_body(400, 21211, message))
        if scripted is not None:
            return scripted
        sid = "SM" + secrets.token_hex(16)
        with self._lock:
            self.messages.append(
                {"sid": sid, "to": form["To"], "from": form["From"], "body": form["Body"]}
            )
        return Answer(201, self._resource(sid, form))

    def _authorised(self, header: str) -> bool:
        scheme, _, encoded = header.partition(" ")
        if scheme != "Basic":
            return False
        try:
            sid, _, token = base64.b64decode(encoded, validate=True).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        return hmac.compare_digest(sid, self.account_sid) and hmac.compare_digest(
            token, self.auth_token
        )

    def _resource(self, sid: str, form: dict) -> dict:
        now = formatdate(usegmt=True)
        base = f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}"
        return {
            "account_sid": self.account_sid,
            "api_version": "2010-04-01",
            "body": form["Body"],
            "date_created": now,
            "date_sent": None,
            "date_updated": now,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": form["From"],
            "messaging_service_sid": None,
            "num_media": "0",
            "num_segments": "1" if len(form["Body"]) <= 160 else "2",
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": "queued",
            "subresource_uris": {"media": f"{base}/Media.json"},
            "to": form["To"],
            "uri": f"{base}.json",
        }


class _Handler(BaseHTTPRequestHandler):
    double: SmsDouble
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass

    def do_POST(self):  # noqa: N802 - http.server's naming
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        answer = self.double.handle(
            urlsplit(self.path).path,
            self.headers.get("Authorization") or "",
            self.headers.get("Content-Type") or "",
            raw,
        )
        body = answer.body if isinstance(answer.body, bytes) else json.dumps(answer.body).encode()
        try:
            if answer.delay:
                time.sleep(answer.delay)
            self.send_response(answer.status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.end_headers()
            if answer.drip:
                for n in range(len(body)):
                    self.wfile.write(body[n : n + 1])
                    self.wfile.flush()
                    time.sleep(answer.drip)
            else:
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up on a slow answer, as it should.
            pass


@contextlib.contextmanager
def sms_double(settings=None) -> Iterator[SmsDouble]:
    """A running double; with pytest-django's ``settings``, Groundswell's provider points at it."""
    double = SmsDouble().start()
    if settings is not None:
        settings.GROUNDSWELL_SMS_URL = double.url
        settings.GROUNDSWELL_SMS_ACCOUNT_SID = double.account_sid
        settings.GROUNDSWELL_SMS_AUTH_TOKEN = double.auth_token
        settings.GROUNDSWELL_SMS_FROM = "+16145550100"
    try:
        yield double
    finally:
        double.stop()
