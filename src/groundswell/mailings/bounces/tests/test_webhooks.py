"""Provider webhooks through django-anymail: a Postmark bounce and spam-complaint payload (their
documented format, written by us with synthetic addresses) posted to /webhooks/mail/ with the
HTTP Basic credentials anymail checks."""

from __future__ import annotations

import base64
import json

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from groundswell.core.tests.hostile import SUITE, hostile_body
from groundswell.mailings.bounces.services import KIND_BOUNCED, KIND_SOFT
from groundswell.people.models import (
    Activity,
    ConsentEvent,
    ConsentMethod,
    EmailAddress,
    EmailStatus,
)
from groundswell.people.tests.factories import person_create

pytestmark = [pytest.mark.django_db, pytest.mark.urls("groundswell.mailings.bounces.tests.urls")]

URL = "/webhooks/mail/postmark/tracking/"
SECRET = "postmark-hook:s3cret-for-tests"
ADDRESS = "odalys.brightwater@example.org"


@pytest.fixture(autouse=True)
def webhook_secret(settings):
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": SECRET}


def auth(secret: str = SECRET) -> dict:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(secret.encode()).decode()}


def postmark_bounce(address: str = ADDRESS, *, kind: str = "HardBounce", ident: int = 1) -> dict:
    return {
        "RecordType": "Bounce",
        "MessageStream": "outbound",
        "ID": 4_323_372_036_854_775_000 + ident,
        "Type": kind,
        "TypeCode": 1 if kind == "HardBounce" else 4096,
        "Name": "Hard bounce" if kind == "HardBounce" else "Soft bounce",
        "Tag": "m42",
        "MessageID": f"8d3f61a4-0c44-4a55-9a0e-{ident:012d}",
        "Metadata": {"groundswell_delivery": f"d{ident}.synthetic"},
        "ServerID": 23,
        "Description": "The server was unable to deliver your message (ex: unknown user).",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
        "Email": address,
        "From": "news@campaign.example.com",
        "BouncedAt": "2026-12-01T16:00:00Z",
        "DumpAvailable": True,
        "Inactive": True,
        "CanActivate": True,
        "Subject": "The school board votes Thursday",
    }


def post(client, body, **extra):
    data = body if isinstance(body, bytes) else json.dumps(body)
    return client.post(URL, data=data, content_type="application/json", **extra)


def subscribed(address: str = ADDRESS):
    return person_create(email=address, email_status="subscribed", method=ConsentMethod.FORM)


def test_a_postmark_hard_bounce_suppresses_the_address_with_its_consent_history(client):
    person = subscribed()
    assert post(client, postmark_bounce(), **auth()).status_code == 200
    assert EmailAddress.objects.get(address=ADDRESS).status == EmailStatus.BOUNCING
    event = ConsentEvent.objects.get(person=person, status=EmailStatus.BOUNCING)
    assert event.method == ConsentMethod.BOUNCE
    assert event.source.startswith("Postmark webhook: hard bounce: 5.1.1")
    line = Activity.objects.get(person=person, kind=KIND_BOUNCED)
    assert line.summary.startswith(f"E-mail to {ADDRESS} bounced: 5.1.1")

    # The provider retries a delivery it thinks failed: nothing more happens.
    assert post(client, postmark_bounce(), **auth()).status_code == 200
    assert ConsentEvent.objects.filter(person=person).count() == 2  # the sign-up, the bounce
    assert Activity.objects.filter(person=person, kind=KIND_BOUNCED).count() == 1


def test_a_postmark_spam_complaint_is_recorded_as_a_complaint(client):
    person = subscribed()
    complaint = {**postmark_bounce(), "RecordType": "SpamComplaint", "Type": "SpamComplaint"}
    assert post(client, complaint, **auth()).status_code == 200
    event = ConsentEvent.objects.get(person=person, status=EmailStatus.SPAM_COMPLAINT)
    assert event.method == ConsentMethod.COMPLAINT and event.source.startswith("Postmark webhook")


def test_postmark_soft_bounces_are_counted_not_suppressed_at_once(client):
    person = subscribed()
    assert post(client, postmark_bounce(kind="SoftBounce"), **auth()).status_code == 200
    assert EmailAddress.objects.get(address=ADDRESS).status == EmailStatus.SUBSCRIBED
    assert Activity.objects.filter(person=person, kind=KIND_SOFT).count() == 1
    for ident in (2, 3):
        post(client, postmark_bounce(kind="SoftBounce", ident=ident), **auth())
    assert EmailAddress.objects.get(address=ADDRESS).status == EmailStatus.BOUNCING


def test_a_webhook_without_the_right_credentials_changes_nothing(client):
    subscribed()
    assert post(client, postmark_bounce()).status_code == 400
    assert post(client, postmark_bounce(), **auth("postmark-hook:wrong")).status_code == 400
    assert EmailAddress.objects.get(address=ADDRESS).status == EmailStatus.SUBSCRIBED


def test_the_webhooks_answer_503_until_credentials_are_configured(client, settings):
    subscribed()
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": ""}
    assert post(client, postmark_bounce(), **auth()).status_code == 503
    assert EmailAddress.objects.get(address=ADDRESS).status == EmailStatus.SUBSCRIBED


def test_a_bounce_for_an_address_we_never_had_suppresses_no_one(client):
    subscribed()
    response = post(client, postmark_bounce("stranger@example.net"), **auth())
    assert response.status_code == 200
    assert not ConsentEvent.objects.filter(method=ConsentMethod.BOUNCE).exists()


def test_an_inbound_payload_posted_to_the_tracking_url_is_refused_as_a_client_error(client):
    inbound = {"FromFull": {"Email": "someone@example.net"}, "TextBody": "hello"}
    assert post(client, inbound, **auth()).status_code == 400


bounces = st.builds(
    postmark_bounce,
    st.sampled_from([ADDRESS, "stranger@example.net"]),
    kind=st.sampled_from(["HardBounce", "SoftBounce", "Transient", "SpamComplaint"]),
    ident=st.integers(1, 50),
)


@SUITE
@given(case=hostile_body(bounces))
def test_generated_postmark_bodies_get_no_server_error(case):
    client = Client()  # Hypothesis runs many inputs per test: no function-scoped fixture
    if not EmailAddress.objects.filter(address=ADDRESS).exists():
        subscribed()
    _body, raw, _untouched = case
    response = post(client, raw, **auth())
    assert response.status_code in {200, 400}, response.content[:200]


def tracking(event_type: str, **fields):
    from anymail.signals import AnymailTrackingEvent

    return AnymailTrackingEvent(event_type=event_type, recipient=ADDRESS, **fields)


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (tracking("bounced", mta_response="550 5.1.1 user unknown"), ("failed", "5.1.1", True)),
        (tracking("bounced", mta_response="452 4.2.2 over quota"), ("failed", "4.2.2", False)),
        (tracking("bounced"), ("failed", "5.0.0", True)),
        (tracking("deferred", mta_response="421 4.7.0 try later"), ("delayed", "4.7.0", False)),
        (tracking("rejected", reject_reason="invalid"), ("failed", "5.0.0", True)),
        (tracking("rejected", reject_reason="bounced"), ("failed", "5.0.0", True)),
        (tracking("rejected", reject_reason="blocked"), ("delayed", "", False)),
    ],
)
def test_anymail_events_map_to_hard_and_soft_bounces(event, expected):
    from groundswell.mailings.bounces.webhooks import tracking_event_to_report

    report = tracking_event_to_report(event)
    assert (str(report.action), report.status, report.hard) == expected
    assert report.recipient == ADDRESS and report.source == "webhook"


def test_anymail_complaints_map_to_complaints_and_other_events_to_nothing():
    from groundswell.mailings.bounces.parse import Complaint
    from groundswell.mailings.bounces.webhooks import tracking_event_to_report

    spam = tracking_event_to_report(tracking("complained", metadata={"groundswell_delivery": "t"}))
    assert isinstance(spam, Complaint) and spam.token == "t"
    assert isinstance(
        tracking_event_to_report(tracking("rejected", reject_reason="spam")), Complaint
    )
    for other in ("sent", "delivered", "opened", "clicked", "unsubscribed", "unknown"):
        assert tracking_event_to_report(tracking(other)) is None
