"""A local stand-in for Stripe: a real HTTP server that speaks the part of Stripe's API we use.

Tests point the official ``stripe`` library at it (a per-client ``base_addresses``), so the
processor code under test sends the very requests it sends to Stripe: form-encoded bodies,
``Authorization: Bearer <secret key>``, ``Idempotency-Key``. Answers are JSON objects shaped
like Stripe's, errors in Stripe's error shape, and every PaymentIntent that succeeds or fails is
announced to a webhook URL, signed exactly as Stripe signs (``Stripe-Signature: t=…,v1=…``).

It also serves a small stand-in for Stripe.js (``/js/stripe.js``) for browser tests. In
production the donation page loads Stripe.js from js.stripe.com: PCI rules require the card
field to come from the processor itself, and it is the one thing on our pages not served by us.

Test cards (Stripe's own numbers):
    4242424242424242  succeeds
    4000000000000002  is declined (card_declined / generic_decline)
    4000000000000341  can be saved to a customer, but off-session charges are declined
"""

from __future__ import annotations

import hashlib
import hmac
import json
import queue
import re
import secrets
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

CARD_OK = "4242424242424242"
CARD_DECLINED = "4000000000000002"
CARD_OFF_SESSION_DECLINED = "4000000000000341"
API_VERSION = "2025-01-27.acacia"
SCRIPT = Path(__file__).with_name("stripe_double.js")


class ApiError(Exception):
    def __init__(self, status: int, error: dict):
        super().__init__(error.get("message", ""))
        self.status = status
        self.error = error


def _id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"


def form_decode(body: str) -> dict:
    """Stripe's form encoding (``metadata[key]=v``, ``list[]=v``, ``list[0]=v``) as nested data."""
    out: dict = {}
    for raw_key, value in parse_qsl(body, keep_blank_values=True):
        head, _, rest = raw_key.partition("[")
        keys = [head, *re.findall(r"([^\[\]]*)\]", "[" + rest)] if rest else [head]
        target = out
        for i, key in enumerate(keys):
            if i == len(keys) - 1:
                if key == "":  # "list[]=v": append
                    continue
                target[key] = value
            elif keys[i + 1] == "" and i + 1 == len(keys) - 1:
                target.setdefault(key, []).append(value)
                break
            else:
                target = target.setdefault(key, {})
    return _lists(out)


def _lists(value):
    """``{"0": a, "1": b}`` (Stripe's indexed lists) as ``[a, b]``."""
    if isinstance(value, dict):
        value = {k: _lists(v) for k, v in value.items()}
        if value and all(k.isdigit() for k in value):
            return [value[k] for k in sorted(value, key=int)]
    return value


def _truthy(value) -> bool:
    return str(value).lower() in ("true", "1", "yes")


def sign_payload(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """A ``Stripe-Signature`` header value: HMAC-SHA256 of ``"<t>.<payload>"`` with the secret."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


class StripeDouble:
    """The server and its state; ``start()`` runs it on 127.0.0.1 at an ephemeral port."""

    def __init__(
        self,
        *,
        # Test-mode keys of a local double, not secrets.
        secret_key: str = "sk_test_double",  # noqa: S107
        publishable_key: str = "pk_test_double",
        webhook_secret: str = "whsec_double",  # noqa: S107
        webhook_url: str = "",
    ):
        self.secret_key = secret_key
        self.publishable_key = publishable_key
        self.webhook_secret = webhook_secret
        self.webhook_url = webhook_url
        self.customers: dict[str, dict] = {}
        self.payment_intents: dict[str, dict] = {}
        self.payment_methods: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self.events: list[dict] = []
        # What each webhook delivery got back: (event type, HTTP status).
        self.deliveries: list[tuple[str, int]] = []
        # Every request the API answered: (method, path, idempotency key).
        self.requests: list[tuple[str, str, str]] = []
        self._idempotent: dict[tuple[str, str], tuple[str, int, dict]] = {}
        self._lock = threading.RLock()
        self._outbox: queue.Queue = queue.Queue()
        self._server: ThreadingHTTPServer | None = None

    # ------------------------------------------------------------ life cycle

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def js_url(self) -> str:
        return f"{self.url}/js/stripe.js"

    def start(self) -> StripeDouble:
        double = self

        class Handler(_Handler):
            pass

        Handler.double = double
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        threading.Thread(target=self._deliver_loop, daemon=True).start()
        return self

    def stop(self) -> None:
        self._outbox.put(None)
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    # ------------------------------------------------------------ webhooks

    def _deliver_loop(self) -> None:
        while True:
            item = self._outbox.get()
            try:
                if item is None:
                    return
                self.deliver(item)
            finally:
                self._outbox.task_done()

    def wait_for_webhooks(self, timeout: float = 10) -> None:
        """Block until every queued webhook has been delivered (or failed)."""
        deadline = time.monotonic() + timeout
        while self._outbox.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.02)

    def event_payload(self, event: dict) -> bytes:
        return json.dumps(event).encode()

    def deliver(self, event: dict, *, url: str = "", timestamp: int | None = None) -> int:
        """POST one event to the webhook URL, signed; returns the HTTP status (0: unreachable)."""
        url = url or self.webhook_url
        if not url:
            return 0
        payload = self.event_payload(event)
        request = urllib.request.Request(  # noqa: S310
            url,
            data=payload,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Stripe-Signature": sign_payload(payload, self.webhook_secret, timestamp),
                "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
            },
        )
        try:
            # The test's own webhook URL (http on loopback): no untrusted scheme reaches here.
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        except OSError:
            status = 0
        self.deliveries.append((event["type"], status))
        return status

    def _emit(self, event_type: str, obj: dict) -> dict:
        event = {
            "id": _id("evt"),
            "object": "event",
            "api_version": API_VERSION,
            "created": int(time.time()),
            "livemode": False,
            "pending_webhooks": 1,
            "type": event_type,
            "data": {"object": json.loads(json.dumps(obj))},
        }
        self.events.append(event)
        if self.webhook_url:
            self._outbox.put(event)
        return event

    # ------------------------------------------------------------ the API

    def handle(self, method: str, path: str, params: dict, auth: str, key: str) -> tuple[int, dict]:
        """Answer one API call (already authenticated as ``auth``: "secret" or "publishable")."""
        route = path.rstrip("/")
        with self._lock:
            self.requests.append((method, route, key))
            if key and method == "POST":
                cached = self._idempotent.get((auth, key))
                if cached is not None:
                    cached_params, status, body = cached
                    if cached_params != json.dumps(params, sort_keys=True):
                        return 400, {
                            "error": {
                                "type": "idempotency_error",
                                "message": "Keys for idempotent requests can only be used with "
                                "the same parameters they were first used with.",
                            }
                        }
                    return status, body
            try:
                status, body = self._route(method, route, params, auth)
            except ApiError as exc:
                status, body = exc.status, {"error": exc.error}
            if key and method == "POST":
                self._idempotent[(auth, key)] = (json.dumps(params, sort_keys=True), status, body)
            return status, json.loads(json.dumps(body))

    def _route(self, method: str, route: str, params: dict, auth: str) -> tuple[int, dict]:
        parts = route.strip("/").split("/")
        if parts[:1] != ["v1"]:
            raise ApiError(404, {"type": "invalid_request_error", "message": "Unrecognized URL"})
        parts = parts[1:]
        if auth == "publishable":
            # What Stripe.js may do with a publishable key: confirm or read one PaymentIntent
            # whose client secret it holds.
            if parts[:1] != ["payment_intents"] or len(parts) < 2:
                raise _auth_error("This API call cannot be made with a publishable API key.")
            intent = self._intent(parts[1])
            if params.get("client_secret") != intent["client_secret"]:
                raise _auth_error("The client_secret does not match this PaymentIntent.")
        if parts == ["customers"] and method == "POST":
            return 200, self._customer_create(params)
        if len(parts) == 2 and parts[0] == "customers" and method == "GET":
            customer = self.customers.get(parts[1])
            if customer is None:
                raise _missing("customer", parts[1])
            return 200, customer
        if parts == ["payment_intents"] and method == "POST":
            return self._intent_create(params)
        if len(parts) == 2 and parts[0] == "payment_intents" and method == "GET":
            return 200, self._intent(parts[1])
        if len(parts) == 3 and parts[0] == "payment_intents" and parts[2] == "confirm":
            if method != "POST":
                raise ApiError(405, {"type": "invalid_request_error", "message": "POST only"})
            return self._intent_confirm(self._intent(parts[1]), params)
        if parts == ["refunds"] and method == "POST":
            return 200, self._refund_create(params)
        raise ApiError(
            404, {"type": "invalid_request_error", "message": f"Unrecognized request URL {route}"}
        )

    def _customer_create(self, params: dict) -> dict:
        customer = {
            "id": _id("cus"),
            "object": "customer",
            "created": int(time.time()),
            "email": params.get("email"),
            "name": params.get("name"),
            "metadata": params.get("metadata") or {},
            "livemode": False,
        }
        self.customers[customer["id"]] = customer
        return customer

    def _intent(self, intent_id: str) -> dict:
        intent = self.payment_intents.get(intent_id)
        if intent is None:
            raise _missing("payment_intent", intent_id)
        return intent

    def _intent_create(self, params: dict) -> tuple[int, dict]:
        try:
            amount = int(params.get("amount", ""))
        except ValueError:
            raise _invalid(
                "Missing required param: amount.", code="parameter_missing", param="amount"
            ) from None
        if amount < 50:
            raise _invalid(
                "Amount must be at least $0.50 usd", code="amount_too_small", param="amount"
            )
        customer = params.get("customer") or None
        if customer and customer not in self.customers:
            raise _missing("customer", customer)
        intent_id = _id("pi")
        intent = {
            "id": intent_id,
            "object": "payment_intent",
            "amount": amount,
            "amount_received": 0,
            "currency": (params.get("currency") or "usd").lower(),
            "status": "requires_payment_method",
            "client_secret": f"{intent_id}_secret_{secrets.token_hex(12)}",
            "customer": customer,
            "payment_method": None,
            "latest_charge": None,
            "last_payment_error": None,
            "setup_future_usage": params.get("setup_future_usage") or None,
            "metadata": params.get("metadata") or {},
            "description": params.get("description"),
            "created": int(time.time()),
            "livemode": False,
            "payment_method_types": params.get("payment_method_types") or ["card"],
        }
        self.payment_intents[intent_id] = intent
        if _truthy(params.get("confirm", "")):
            return self._intent_confirm(intent, params)
        return 200, intent

    def _payment_method_from(self, intent: dict, params: dict) -> dict:
        pm_id = params.get("payment_method")
        if isinstance(pm_id, str) and pm_id:
            method = self.payment_methods.get(pm_id)
            if method is None:
                raise _missing("payment_method", pm_id)
            return method
        data = params.get("payment_method_data") or {}
        card = data.get("card") or {}
        number = re.sub(r"\D", "", str(card.get("number", "")))
        if not number:
            raise _invalid(
                "You must provide a payment method to confirm this PaymentIntent.",
                code="parameter_missing",
                param="payment_method",
            )
        if number not in (CARD_OK, CARD_DECLINED, CARD_OFF_SESSION_DECLINED):
            raise ApiError(
                402,
                {
                    "type": "card_error",
                    "code": "incorrect_number",
                    "param": "number",
                    "message": "Your card number is incorrect.",
                },
            )
        billing = data.get("billing_details") or {}
        method = {
            "id": _id("pm"),
            "object": "payment_method",
            "type": "card",
            "card": {"brand": "visa", "last4": number[-4:], "exp_month": 12, "exp_year": 2034},
            "billing_details": {
                "name": billing.get("name"),
                "email": billing.get("email"),
                "address": billing.get("address") or {},
            },
            "customer": None,
            "_number": number,
        }
        self.payment_methods[method["id"]] = method
        return method

    def _intent_confirm(self, intent: dict, params: dict) -> tuple[int, dict]:
        if intent["status"] == "succeeded":
            raise _invalid(
                "This PaymentIntent has already succeeded.",
                code="payment_intent_unexpected_state",
                payment_intent=_public(intent),
            )
        method = self._payment_method_from(intent, params)
        off_session = _truthy(params.get("off_session", ""))
        if off_session and (not intent["customer"] or method["customer"] != intent["customer"]):
            raise _invalid(
                "The PaymentMethod must be attached to the Customer to be used off-session.",
                code="payment_method_not_attached",
            )
        intent["payment_method"] = method["id"]
        number = method["_number"]
        declined = number == CARD_DECLINED or (number == CARD_OFF_SESSION_DECLINED and off_session)
        if declined:
            error = {
                "type": "card_error",
                "code": "card_declined",
                "decline_code": "generic_decline",
                "message": "Your card was declined.",
                "payment_method": _public(method),
            }
            intent["status"] = "requires_payment_method"
            intent["last_payment_error"] = error
            self._emit("payment_intent.payment_failed", _public(intent))
            return 402, {"error": {**error, "payment_intent": _public(intent)}}
        if intent["setup_future_usage"] and intent["customer"]:
            method["customer"] = intent["customer"]
        intent["status"] = "succeeded"
        intent["amount_received"] = intent["amount"]
        intent["last_payment_error"] = None
        intent["latest_charge"] = _id("ch")
        self._emit("payment_intent.succeeded", _public(intent))
        return 200, _public(intent)

    def _refund_create(self, params: dict) -> dict:
        intent = self._intent(str(params.get("payment_intent", "")))
        if intent["status"] != "succeeded":
            raise _invalid(
                "This PaymentIntent has no successful charge to refund.",
                code="charge_not_refundable",
            )
        already = sum(
            r["amount"] for r in self.refunds.values() if r["payment_intent"] == intent["id"]
        )
        amount = int(params.get("amount") or intent["amount"] - already)
        if amount <= 0 or already + amount > intent["amount"]:
            raise _invalid(
                "Refund amount is greater than unrefunded amount on charge.",
                code="amount_too_large",
                param="amount",
            )
        refund = {
            "id": _id("re"),
            "object": "refund",
            "amount": amount,
            "currency": intent["currency"],
            "payment_intent": intent["id"],
            "charge": intent["latest_charge"],
            "status": "succeeded",
            "created": int(time.time()),
        }
        self.refunds[refund["id"]] = refund
        refunds = [r for r in self.refunds.values() if r["payment_intent"] == intent["id"]]
        self._emit(
            "charge.refunded",
            {
                "id": intent["latest_charge"],
                "object": "charge",
                "amount": intent["amount"],
                "amount_refunded": already + amount,
                "currency": intent["currency"],
                "payment_intent": intent["id"],
                "refunded": already + amount == intent["amount"],
                "refunds": {"object": "list", "data": refunds},
            },
        )
        return refund

    # ------------------------------------------------------------ helpers for tests

    def confirm_card(self, intent_id: str, number: str, *, name: str = "", email: str = "") -> dict:
        """Confirm a PaymentIntent the way Stripe.js does in the donor's browser."""
        intent = self.payment_intents[intent_id]
        return self.call(
            "POST",
            f"/v1/payment_intents/{intent_id}/confirm",
            {
                "client_secret": intent["client_secret"],
                "payment_method_data[type]": "card",
                "payment_method_data[card][number]": number,
                "payment_method_data[billing_details][name]": name,
                "payment_method_data[billing_details][email]": email,
            },
            key=self.publishable_key,
        )

    def call(self, method: str, path: str, data: dict | None = None, *, key: str = "") -> dict:
        """One HTTP call to the double (as any client would make it); returns the JSON body."""
        from urllib.parse import urlencode

        body = urlencode(data or {}).encode() if method == "POST" else None
        request = urllib.request.Request(  # noqa: S310 - the double's own loopback address
            self.url + path,
            data=body,
            method=method,
            headers={"Authorization": f"Bearer {key or self.secret_key}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return json.loads(exc.read())


def _public(obj: dict) -> dict:
    return {k: v for k, v in obj.items() if not k.startswith("_")}


def _invalid(message: str, **fields) -> ApiError:
    """A 400 in Stripe's shape: {"error": {"type": "invalid_request_error", ...}}."""
    return ApiError(400, {"type": "invalid_request_error", **fields, "message": message})


def _auth_error(message: str) -> ApiError:
    return ApiError(401, {"type": "invalid_request_error", "message": message})


def _missing(kind: str, ident: str) -> ApiError:
    return ApiError(
        404,
        {
            "type": "invalid_request_error",
            "code": "resource_missing",
            "param": "id",
            "message": f"No such {kind}: '{ident}'",
        },
    )


class _Handler(BaseHTTPRequestHandler):
    double: StripeDouble
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass

    def _cors(self) -> None:
        # Stripe.js calls the API from the donor's page, on another origin.
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Headers", "Authorization, Content-Type")
        self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Request-Id", _id("req"))
        self._cors()
        self.end_headers()
        self.wfile.write(body)

    def do_OPTIONS(self):  # noqa: N802 - http.server's naming
        self.send_response(204)
        self._cors()
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):  # noqa: N802
        path = urlsplit(self.path)
        if path.path == "/js/stripe.js":
            self._send(200, SCRIPT.read_bytes(), "application/javascript; charset=utf-8")
            return
        self._api("GET", path.path, dict(parse_qsl(path.query)))

    def do_POST(self):  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        self._api("POST", urlsplit(self.path).path, form_decode(body))

    def _api(self, method: str, path: str, params: dict) -> None:
        double = self.double
        scheme, _, token = (self.headers.get("Authorization") or "").partition(" ")
        if scheme != "Bearer" or not token:
            auth = ""
        elif hmac.compare_digest(token, double.secret_key):
            auth = "secret"
        elif hmac.compare_digest(token, double.publishable_key):
            auth = "publishable"
        else:
            auth = ""
        if not auth:
            body = {
                "error": {
                    "type": "invalid_request_error",
                    "message": "Invalid API Key provided.",
                }
            }
            self._send(401, json.dumps(body).encode(), "application/json")
            return
        key = self.headers.get("Idempotency-Key") or ""
        status, body = double.handle(method, path, params, auth, key)
        self._send(status, json.dumps(body).encode(), "application/json")
