"""The Stripe processor against the local double: payments, the signed webhook, idempotency."""

from __future__ import annotations

import json
import secrets
import time

import pytest

from groundswell.core.tests.race import at_once
from groundswell.donations.models import (
    Contribution,
    ContributionStatus,
    DonationPage,
    PaymentAttempt,
    WebhookDelivery,
)
from groundswell.donations.pages.payments import (
    PaymentInvalid,
    payment_attempt_finish,
    payment_attempt_start,
)
from groundswell.donations.processors.stripe import StripeProcessor
from groundswell.donations.testing.stripe_double import (
    CARD_DECLINED,
    CARD_OK,
    sign_payload,
)
from groundswell.people.models import Activity

pytestmark = pytest.mark.django_db

DONOR = {
    "given_name": "Testa",
    "family_name": "Donorova",
    "email": "testa.donorova@example.org",
    "phone": "(415) 555-0142",
    "address_line1": "12 Synthetic Way",
    "city": "Springfield",
    "state": "IL",
    "postal_code": "62701",
    "employer": "Example Widgets",
    "occupation": "Tester",
}


@pytest.fixture
def donation_page(db):
    return DonationPage.objects.create(
        slug="spring-push",
        title="Spring push",
        amounts_cents=[500, 1000, 2700],
        is_published=True,
        allow_monthly=True,
    )


def _start(page, *, amount=2700, period="", key=None, refcode="email-0412"):
    return payment_attempt_start(
        key=key or secrets.token_urlsafe(18),
        page=page,
        amount_cents=amount,
        recurring_period=period,
        donor=DONOR,
        refcode=refcode,
        refcodes={"refcode_source": "newsletter"},
        ip_address="203.0.113.9",
    )


def post_event(client, double, event, *, secret=None, timestamp=None, tamper=False):
    payload = json.dumps(event).encode()
    header = sign_payload(payload, secret or double.webhook_secret, timestamp)
    if tamper:
        payload = payload.replace(b'"amount": ', b'"amount": 9')
    return client.post(
        "/webhooks/stripe/",
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header,
    )


def _event(double, kind, intent_id):
    return next(
        e
        for e in reversed(double.events)
        if e["type"] == kind and e["data"]["object"].get("id") == intent_id
    )


# ---------------------------------------------------------------- the double itself


def test_the_double_replays_an_idempotent_request_and_refuses_changed_parameters(stripe_double):
    client = StripeProcessor.from_settings().client
    first = client.v1.payment_intents.create(
        params={"amount": 1000, "currency": "usd"}, options={"idempotency_key": "same"}
    )
    again = client.v1.payment_intents.create(
        params={"amount": 1000, "currency": "usd"}, options={"idempotency_key": "same"}
    )
    assert first.id == again.id
    assert len(stripe_double.payment_intents) == 1
    changed = stripe_double.call(
        "POST", "/v1/payment_intents", {"amount": 2000, "currency": "usd"}, key=""
    )
    assert "error" not in changed  # no key: a new intent
    import stripe

    with pytest.raises(stripe.IdempotencyError):
        client.v1.payment_intents.create(
            params={"amount": 999, "currency": "usd"}, options={"idempotency_key": "same"}
        )


def test_the_double_wants_the_secret_key_and_lets_a_publishable_key_only_confirm(stripe_double):
    refused = stripe_double.call(
        "POST", "/v1/payment_intents", {"amount": 500}, key="sk_test_wrong"
    )
    assert refused["error"]["message"] == "Invalid API Key provided."
    by_browser = stripe_double.call(
        "POST", "/v1/payment_intents", {"amount": 500}, key=stripe_double.publishable_key
    )
    assert by_browser["error"]["type"] == "invalid_request_error"
    assert stripe_double.payment_intents == {}


def test_a_declined_card_answers_in_stripes_error_shape(stripe_double):
    client = StripeProcessor.from_settings().client
    intent = client.v1.payment_intents.create(params={"amount": 1500, "currency": "usd"})
    answer = stripe_double.confirm_card(intent.id, CARD_DECLINED)
    assert answer["error"]["type"] == "card_error"
    assert answer["error"]["code"] == "card_declined"
    assert answer["error"]["payment_intent"]["status"] == "requires_payment_method"
    assert stripe_double.events[-1]["type"] == "payment_intent.payment_failed"


# ---------------------------------------------------------------- signatures


def test_a_correctly_signed_event_is_accepted(client, stripe_double, donation_page):
    attempt = _start(donation_page)
    stripe_double.confirm_card(attempt.processor_ref, CARD_OK)
    response = post_event(
        client,
        stripe_double,
        _event(stripe_double, "payment_intent.succeeded", attempt.processor_ref),
    )
    assert response.status_code == 200, response.content
    assert Contribution.objects.filter(processor_id=attempt.processor_ref).count() == 1


@pytest.mark.parametrize(
    "how",
    ["tampered", "stale", "wrong secret", "no signature"],
)
def test_a_bad_or_stale_signature_is_refused_and_logged(client, stripe_double, donation_page, how):
    attempt = _start(donation_page)
    stripe_double.confirm_card(attempt.processor_ref, CARD_OK)
    event = _event(stripe_double, "payment_intent.succeeded", attempt.processor_ref)
    if how == "tampered":
        response = post_event(client, stripe_double, event, tamper=True)
    elif how == "stale":
        response = post_event(client, stripe_double, event, timestamp=int(time.time()) - 3600)
    elif how == "wrong secret":
        response = post_event(client, stripe_double, event, secret="whsec_someone_else")
    else:
        response = client.post(
            "/webhooks/stripe/", data=json.dumps(event), content_type="application/json"
        )
    assert response.status_code == 400
    assert not Contribution.objects.exists()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.REJECTED
    assert delivery.source == "stripe"
    assert "signature" in delivery.error


def test_the_webhook_is_closed_when_no_secret_is_set(client, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""
    response = client.post("/webhooks/stripe/", data="{}", content_type="application/json")
    assert response.status_code == 503


# ---------------------------------------------------------------- paying


def test_a_paid_attempt_becomes_a_contribution_with_its_refcode_on_the_timeline(
    stripe_double, donation_page
):
    attempt = _start(donation_page)
    assert attempt.processor_ref.startswith("pi_")
    assert attempt.client_secret.startswith(attempt.processor_ref)
    intent = stripe_double.payment_intents[attempt.processor_ref]
    assert intent["amount"] == 2700
    assert intent["metadata"] == {
        "attempt": attempt.key,
        "page": "spring-push",
        "refcode": "email-0412",
    }
    stripe_double.confirm_card(attempt.processor_ref, CARD_OK)
    attempt = payment_attempt_finish(attempt=attempt)
    contribution = attempt.contribution
    assert attempt.status == PaymentAttempt.Status.SUCCEEDED
    assert contribution.processor == "stripe"
    assert contribution.processor_id == attempt.processor_ref
    assert contribution.amount_cents == 2700
    assert contribution.refcode == "email-0412"
    assert contribution.refcodes == {"refcode_source": "newsletter"}
    assert contribution.page == donation_page
    assert contribution.payment_method == "card"
    assert contribution.donor_employer == "Example Widgets"
    assert contribution.person.primary_email == "testa.donorova@example.org"
    activity = Activity.objects.get(person=contribution.person, kind="donation")
    assert activity.data["refcode"] == "email-0412"
    assert "$27.00" in activity.summary


def test_the_same_key_starts_one_payment_only(stripe_double, donation_page):
    key = secrets.token_urlsafe(18)
    first = _start(donation_page, key=key)
    second = _start(donation_page, key=key)
    assert first.pk == second.pk
    assert first.processor_ref == second.processor_ref
    assert len(stripe_double.payment_intents) == 1
    with pytest.raises(PaymentInvalid) as excinfo:
        _start(donation_page, key=key, amount=5000)
    assert "form" in excinfo.value.errors


@pytest.mark.parametrize(
    ("amount", "period", "field"),
    [
        (50, "", "amount"),
        (400_000, "", "amount"),
        (None, "", "amount"),
        (1000, "weekly", "recurring"),
    ],
)
def test_amounts_and_schedules_the_page_does_not_allow_are_refused(
    stripe_double, donation_page, amount, period, field
):
    with pytest.raises(PaymentInvalid) as excinfo:
        _start(donation_page, amount=amount, period=period)
    assert field in excinfo.value.errors
    assert stripe_double.payment_intents == {}


def test_finish_then_webhook_records_one_contribution(client, stripe_double, donation_page):
    attempt = _start(donation_page)
    stripe_double.confirm_card(attempt.processor_ref, CARD_OK)
    attempt = payment_attempt_finish(attempt=attempt)
    event = _event(stripe_double, "payment_intent.succeeded", attempt.processor_ref)
    response = post_event(client, stripe_double, event)
    assert response.status_code == 200
    assert response.json()["status"] == "duplicate"
    again = post_event(client, stripe_double, event)
    assert again.json()["status"] == "duplicate"
    assert Contribution.objects.count() == 1
    assert Activity.objects.filter(kind="donation").count() == 1


def test_webhook_then_finish_records_one_contribution(client, stripe_double, donation_page):
    attempt = _start(donation_page)
    stripe_double.confirm_card(attempt.processor_ref, CARD_OK)
    event = _event(stripe_double, "payment_intent.succeeded", attempt.processor_ref)
    response = post_event(client, stripe_double, event)
    assert response.json()["status"] == "accepted"
    assert post_event(client, stripe_double, event).json()["status"] == "duplicate"
    attempt.refresh_from_db()
    finished = payment_attempt_finish(attempt=attempt)
    assert finished.contribution_id == attempt.contribution_id
    assert Contribution.objects.count() == 1
    delivery = WebhookDelivery.objects.filter(status="accepted").get()
    assert list(delivery.contributions.all()) == [finished.contribution]


def test_a_declined_card_records_nothing_and_marks_the_attempt_failed(
    client, stripe_double, donation_page
):
    attempt = _start(donation_page)
    stripe_double.confirm_card(attempt.processor_ref, CARD_DECLINED)
    attempt = payment_attempt_finish(attempt=attempt)
    assert attempt.status == PaymentAttempt.Status.FAILED
    assert attempt.error == "Your card was declined."
    event = _event(stripe_double, "payment_intent.payment_failed", attempt.processor_ref)
    assert post_event(client, stripe_double, event).status_code == 200
    assert not Contribution.objects.exists()


def test_a_refund_through_stripe_is_applied_once(client, stripe_double, donation_page):
    attempt = payment_attempt_finish(attempt=_paid(stripe_double, donation_page))
    processor = StripeProcessor.from_settings()
    refund_id = processor.refund(
        processor_ref=attempt.processor_ref, amount_cents=700, idempotency_key="refund:test:1"
    )
    assert refund_id.startswith("re_")
    event = stripe_double.events[-1]
    assert event["type"] == "charge.refunded"
    assert post_event(client, stripe_double, event).json()["status"] == "accepted"
    assert post_event(client, stripe_double, event).json()["status"] == "duplicate"
    contribution = Contribution.objects.get()
    assert contribution.refunded_cents == 700
    assert contribution.status == ContributionStatus.PARTIALLY_REFUNDED
    # The rest, as a second refund: the event lists both, the first is not applied twice.
    processor.refund(
        processor_ref=attempt.processor_ref, amount_cents=2000, idempotency_key="refund:test:2"
    )
    post_event(client, stripe_double, stripe_double.events[-1])
    contribution.refresh_from_db()
    assert contribution.refunded_cents == 2700
    assert contribution.status == ContributionStatus.REFUNDED


def _paid(double, page, **kwargs) -> PaymentAttempt:
    attempt = _start(page, **kwargs)
    double.confirm_card(attempt.processor_ref, CARD_OK)
    return attempt


def test_an_event_we_do_not_use_is_acknowledged(client, stripe_double):
    event = {"id": "evt_x", "object": "event", "type": "customer.created", "data": {"object": {}}}
    response = post_event(client, stripe_double, event)
    assert response.status_code == 200
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.DUPLICATE


def test_the_webhook_finishes_an_attempt_whose_start_died_before_saving_the_payment(
    client, stripe_double, donation_page
):
    attempt = _paid(stripe_double, donation_page)
    intent_id = attempt.processor_ref
    PaymentAttempt.objects.filter(pk=attempt.pk).update(processor_ref="", client_secret="")
    event = _event(stripe_double, "payment_intent.succeeded", intent_id)
    assert post_event(client, stripe_double, event).json()["status"] == "accepted"
    attempt.refresh_from_db()
    assert attempt.processor_ref == intent_id
    assert attempt.contribution.processor_id == intent_id


def test_a_refund_event_without_its_refund_list_applies_what_is_missing_once(
    client, stripe_double, donation_page
):
    # Newer Stripe API versions leave charge.refunds out of the event; amount_refunded remains.
    attempt = payment_attempt_finish(attempt=_paid(stripe_double, donation_page))
    StripeProcessor.from_settings().refund(
        processor_ref=attempt.processor_ref, amount_cents=1200, idempotency_key="refund:lean"
    )
    event = json.loads(json.dumps(stripe_double.events[-1]))
    del event["data"]["object"]["refunds"]
    assert post_event(client, stripe_double, event).json()["status"] == "accepted"
    assert post_event(client, stripe_double, event).json()["status"] == "duplicate"
    contribution = Contribution.objects.get()
    assert contribution.refunded_cents == 1200


@pytest.mark.django_db(transaction=True)
def test_the_browser_and_the_webhook_at_the_same_moment_record_one_contribution(stripe_double):

    from django.db import connection
    from django.test import Client

    if connection.vendor != "postgresql":
        pytest.skip("true concurrency needs PostgreSQL (SQLite serialises every writer)")
    page = DonationPage.objects.create(
        slug="race", title="Race", amounts_cents=[500], is_published=True
    )
    for _ in range(5):
        attempt = _paid(stripe_double, page)
        event = _event(stripe_double, "payment_intent.succeeded", attempt.processor_ref)

        def finish(attempt=attempt):
            payment_attempt_finish(attempt=attempt)

        def webhook(event=event):
            response = post_event(Client(), stripe_double, event)
            assert response.status_code == 200, response.content

        _, errors = at_once(finish, webhook)
        assert not errors, errors
        assert Contribution.objects.filter(processor_id=attempt.processor_ref).count() == 1
        attempt.refresh_from_db()
        assert attempt.contribution_id is not None
    assert Activity.objects.filter(kind="donation").count() == 5
