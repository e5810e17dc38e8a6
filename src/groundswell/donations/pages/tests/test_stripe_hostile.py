"""The Stripe webhook under hostile requests: never a server error, no body kept unverified.

A property-based suite (Hypothesis) sends 10,000 generated requests: Stripe's events signed
with the webhook secret (valid ones must be applied exactly once, also when sent twice),
the same events mutated and then signed (a Stripe mistake must be a logged 400), and
requests whose signature fails (logged with the reason and size only, never the body).
"""

from __future__ import annotations

import time

import pytest
import stripe
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from groundswell.core.tests.hostile import (
    REQUIRED_EXAMPLES,
    REQUIRED_SUITE,
    clean_for_postgres,
    dumps,
    hostile_body,
)
from groundswell.donations.intake.webhook_log import EXCERPT_BYTES
from groundswell.donations.models import Contribution, DonationPage, PaymentAttempt, WebhookDelivery
from groundswell.donations.pages.tests.test_stripe import DONOR

URL = "/webhooks/stripe/"
SECRET = "whsec_groundswell_hostile_tests"
KINDS = ["payment_intent.succeeded", "payment_intent.payment_failed", "charge.refunded"]


@pytest.fixture(autouse=True)
def stripe_settings(settings):
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    settings.GROUNDSWELL_CHECK_MX = False


@st.composite
def events(draw) -> dict:
    """One of the events the webhook uses, about the attempt the example creates (pi_hostile)."""
    kind = draw(st.sampled_from([*KINDS, "customer.created"]))
    amount = draw(st.integers(100, 350_000))
    if kind == "charge.refunded":
        obj = {
            "id": "ch_hostile",
            "object": "charge",
            "payment_intent": draw(st.sampled_from(["pi_hostile", {"id": "pi_hostile"}])),
            "amount": amount,
            "amount_refunded": amount,
            "refunds": {"data": [{"id": "re_hostile", "amount": amount, "status": "succeeded"}]},
        }
    else:
        obj = {
            "id": "pi_hostile",
            "object": "payment_intent",
            "status": "succeeded" if kind.endswith("succeeded") else "requires_payment_method",
            "amount": amount,
            "amount_received": amount if kind.endswith("succeeded") else 0,
            "customer": draw(st.sampled_from([None, "cus_1", {"id": "cus_1"}])),
            "payment_method": "pm_1",
            "metadata": {"attempt": "hostile-key", "page": "spring-push"},
        }
        if kind.endswith("failed"):
            obj["last_payment_error"] = {
                "message": "Your card was declined.",
                "code": "card_declined",
            }
    return {"id": "evt_hostile", "object": "event", "type": kind, "data": {"object": obj}}


def _signed(raw: bytes, how: str) -> dict:
    payload = raw.decode("utf-8", errors="replace")
    if how == "none":
        return {}
    if how == "garbage":
        return {"HTTP_STRIPE_SIGNATURE": "t=notanumber,v1=" + "0" * 64}
    secret = "whsec_someone_else" if how == "wrong secret" else SECRET
    stamp = int(time.time()) - (3600 if how == "stale" else 0)
    return {
        "HTTP_STRIPE_SIGNATURE": stripe.WebhookSignature.generate_signature_header(
            payload, secret, timestamp=stamp
        )
    }


def _attempt(page: DonationPage, amount: int) -> PaymentAttempt:
    return PaymentAttempt.objects.create(
        key="hostile-key",
        page=page,
        processor="stripe",
        processor_ref="pi_hostile",
        amount_cents=amount,
        donor=DONOR,
        status=PaymentAttempt.Status.REQUIRES_ACTION,
    )


@pytest.mark.django_db
def test_ten_thousand_generated_requests_get_no_server_error_and_valid_events_apply_once():
    page = DonationPage.objects.create(
        slug="spring-push", title="Spring push", amounts_cents=[2700], is_published=True
    )
    client = Client()
    sent = {"requests": 0, "valid": 0, "unverified": 0, "refused": 0}
    signing = st.sampled_from(["good"] * 6 + ["none", "garbage", "wrong secret", "stale"])

    @REQUIRED_SUITE
    @given(hostile_body(events()), signing)
    def property_holds(case, how):
        event, raw, pristine = case
        cache.clear()  # the throttle of unverified rows counts per example
        with transaction.atomic():
            amount = event["data"]["object"]["amount"]
            attempt = _attempt(page, amount)
            headers = _signed(raw, how)
            response = client.post(URL, data=raw, content_type="application/json", **headers)
            sent["requests"] += 1
            assert response.status_code in (200, 400, 413), response.content
            verified = how == "good" and raw.decode("utf-8", errors="replace").encode() == raw
            if not verified:
                sent["unverified"] += 1
                _check_unverified(response, len(raw))
            elif response.status_code != 200:
                assert not pristine, response.content
                sent["refused"] += 1
                _check_refusal(response)
            else:
                again = client.post(URL, data=raw, content_type="application/json", **headers)
                assert again.status_code == 200
                count = Contribution.objects.count()
                assert count <= 1
                if pristine:
                    sent["valid"] += 1
                    _check_applied(event, attempt, count)
            transaction.set_rollback(True)

    started = time.monotonic()
    property_holds()
    print(f"\nStripe: {sent} in {time.monotonic() - started:.1f} s")
    assert sent["requests"] >= REQUIRED_EXAMPLES
    assert min(sent["valid"], sent["unverified"], sent["refused"]) >= REQUIRED_EXAMPLES // 20


def _check_unverified(response, size: int) -> None:
    """Refused before anything was parsed: the reason and the size, never the body."""
    assert response.status_code in (400, 413), response.content
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.REJECTED
    assert delivery.error.startswith(("signature", "the body is not UTF-8")), delivery.error
    assert (delivery.body, delivery.body_size) == ("", size)
    assert not Contribution.objects.exists()


def _check_refusal(response) -> None:
    """A signed body the handlers cannot use: a 400 with the reason and a clean excerpt."""
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.REJECTED
    assert delivery.error == response.json()["error"]
    assert clean_for_postgres(delivery.body) and len(delivery.body) <= EXCERPT_BYTES + 60
    assert not Contribution.objects.exists()


def _check_applied(event: dict, attempt: PaymentAttempt, count: int) -> None:
    """A valid event, sent twice: applied once (accepted, then duplicate)."""
    statuses = list(WebhookDelivery.objects.order_by("id").values_list("status", flat=True))
    attempt.refresh_from_db()
    if event["type"] == "payment_intent.succeeded":
        assert count == 1 and attempt.contribution.processor_id == "pi_hostile"
        assert statuses == ["accepted", "duplicate"]
    elif event["type"] == "payment_intent.payment_failed":
        assert count == 0 and attempt.status == PaymentAttempt.Status.FAILED
        assert statuses == ["accepted", "duplicate"]
    else:  # no contribution for the charge, or an event we do not use: acknowledged
        assert count == 0 and statuses == ["duplicate", "duplicate"]


# ---------------------------------------------------------------- named attack requests


@pytest.mark.django_db
@pytest.mark.parametrize(
    "raw",
    [b'{"id": "evt_1", "type": "charge.refunded", "data": {"object": {"id": "ch\x00"}}}', b"\x00"],
    ids=["a NUL byte in a JSON body", "a lone NUL byte"],
)
def test_an_unverified_body_with_a_nul_byte_is_refused_and_logged_without_its_body(client, raw):
    response = client.post(URL, data=raw, content_type="application/json")
    assert response.status_code == 400
    _check_unverified(response, len(raw))


@pytest.mark.django_db
def test_a_signed_body_with_a_nul_byte_or_a_deep_nest_is_refused_with_400_and_logged(client):
    for raw in (
        b'{"id": "evt_1", "type": "charge.refunded", "data": {"object": {"id": "ch\x00"}}}',
        b'{"id": "evt_1", "data": ' + b"[" * 20_000 + b"]" * 20_000 + b"}",
        dumps({"id": "evt_1", "type": "charge.refunded", "data": {"object": {"amount": "1e9"}}}),
    ):
        response = client.post(
            URL, data=raw, content_type="application/json", **_signed(raw, "good")
        )
        assert response.status_code == 400, response.content
        delivery = WebhookDelivery.objects.latest("id")
        assert delivery.error == response.json()["error"] and delivery.body_size == len(raw)
        assert clean_for_postgres(delivery.body)
    assert not Contribution.objects.exists()


@pytest.mark.django_db
def test_unverified_requests_are_throttled_per_address_and_keep_no_body(client):
    raw = dumps({"id": "evt_1", "type": "charge.refunded", "padding": "x" * 60_000})
    for _ in range(30):
        assert client.post(URL, data=raw, content_type="application/json").status_code == 400
    assert WebhookDelivery.objects.count() == 20  # webhook_log.UNVERIFIED_PER_WINDOW
    assert set(WebhookDelivery.objects.values_list("body", "body_size")) == {("", len(raw))}
    other = client.post(URL, data=raw, content_type="application/json", REMOTE_ADDR="198.51.100.7")
    assert other.status_code == 400
    assert WebhookDelivery.objects.filter(remote_addr="198.51.100.7").count() == 1


@pytest.mark.django_db
def test_a_body_over_512_kb_is_refused_with_413_before_it_is_read(client):
    raw = b'{"padding": "' + b"x" * 600_000 + b'"}'
    response = client.post(URL, data=raw, content_type="application/json", **_signed(raw, "good"))
    assert response.status_code == 413
    delivery = WebhookDelivery.objects.get()
    assert (delivery.body, delivery.body_size) == ("", len(raw))
