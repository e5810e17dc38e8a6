"""Webhook credentials that finance staff generate, rotate and revoke; and the delivery log."""

import base64
import re

import pytest

from groundswell.accounts.models import AuditEvent
from groundswell.donations.intake.tests.test_actblue_webhook import URL, payload
from groundswell.donations.models import Contribution, WebhookCredential, WebhookDelivery

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_env_credentials(settings):
    settings.ACTBLUE_WEBHOOK_USERNAME = ""
    settings.ACTBLUE_WEBHOOK_PASSWORD = ""
    settings.GROUNDSWELL_COMMITTEE_ENTITY_ID = "10001"


def deliver(client, username, secret, lineitem_id=91001):
    token = base64.b64encode(f"{username}:{secret}".encode()).decode()
    return client.post(
        URL,
        data=payload(lineitem_id=lineitem_id),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Basic {token}",
    )


def generate(client):
    response = client.post("/finance/webhooks/credentials/")
    assert response.status_code == 200
    html = response.content.decode()
    username = re.search(r'id="new-username">([^<]+)<', html).group(1)
    secret = re.search(r'id="new-secret"[^>]*>([^<]+)<', html).group(1)
    return username, secret, response


def test_without_any_credentials_the_endpoint_answers_503(client):
    assert deliver(client, "someone", "anything").status_code == 503


def test_generated_credentials_are_shown_once_stored_hashed_and_accepted(persona_client):
    client = persona_client("finance")
    username, secret, response = generate(client)
    assert "no-store" in response["Cache-Control"]
    credential = WebhookCredential.objects.get()
    assert credential.username == username
    assert secret not in credential.secret_sha256
    assert len(credential.secret_sha256) == 64
    # Not shown again on the next visit.
    assert secret not in client.get("/finance/webhooks/").content.decode()

    client.logout()
    assert deliver(client, username, secret).status_code == 200
    assert Contribution.objects.count() == 1
    credential.refresh_from_db()
    assert credential.last_used_at is not None
    assert AuditEvent.objects.filter(action="credential_create").count() == 1


def test_a_wrong_secret_or_unknown_username_gets_401(persona_client):
    client = persona_client("admin")
    username, secret, _ = generate(client)
    client.logout()
    assert deliver(client, username, secret + "x").status_code == 401
    assert deliver(client, "groundswell-actblue-00000000", secret).status_code == 401
    assert Contribution.objects.count() == 0


def test_two_credentials_work_side_by_side_until_one_is_revoked(persona_client):
    client = persona_client("finance")
    old_user, old_secret, _ = generate(client)
    new_user, new_secret, _ = generate(client)
    old = WebhookCredential.objects.get(username=old_user)
    response = client.post(f"/finance/webhooks/credentials/{old.pk}/revoke/")
    assert response.status_code == 302
    client.logout()
    assert deliver(client, old_user, old_secret, lineitem_id=91002).status_code == 401
    assert deliver(client, new_user, new_secret, lineitem_id=91003).status_code == 200
    assert AuditEvent.objects.filter(action="credential_revoke").count() == 1


def test_environment_credentials_still_work(client, settings):
    settings.ACTBLUE_WEBHOOK_USERNAME = "env-user"
    settings.ACTBLUE_WEBHOOK_PASSWORD = "env-secret-value"
    assert deliver(client, "env-user", "env-secret-value").status_code == 200


def test_the_delivery_log_shows_refused_deliveries_with_the_reason(persona_client):
    client = persona_client("finance")
    username, secret, _ = generate(client)
    token = base64.b64encode(f"{username}:{secret}".encode()).decode()
    client.post(
        URL, data="{not json", content_type="application/json", HTTP_AUTHORIZATION=f"Basic {token}"
    )
    delivery = WebhookDelivery.objects.get()
    page = client.get("/finance/webhooks/?status=rejected").content.decode()
    assert "Rejected" in page and delivery.error.split(":")[0] in page
    detail = client.get(f"/finance/webhooks/deliveries/{delivery.pk}/").content.decode()
    assert "{not json" in detail
    assert "nothing was written" in detail


def test_the_delivery_log_shows_an_unauthenticated_refusal_with_its_size_but_no_body(
    persona_client,
):
    client = persona_client("finance")
    generate(client)
    body = '{"secret-looking": "' + "x" * 500 + '"}'
    response = client.post(URL, data=body, content_type="application/json")
    assert response.status_code == 401
    delivery = WebhookDelivery.objects.get()
    detail = client.get(f"/finance/webhooks/deliveries/{delivery.pk}/").content.decode()
    assert "authentication required" in detail
    assert f"({len(body)} bytes)" in detail and "only the reason and the size" in detail
    assert "secret-looking" not in detail


@pytest.mark.parametrize(
    ("role", "status"), [("admin", 200), ("finance", 200), ("organizer", 403), ("volunteer", 403)]
)
def test_only_finance_and_admin_see_webhook_settings(persona_client, role, status):
    client = persona_client(role)
    assert client.get("/finance/webhooks/").status_code == status
    assert client.post("/finance/webhooks/credentials/").status_code == status
    expected = 1 if status == 200 else 0
    assert WebhookCredential.objects.count() == expected


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/finance/webhooks/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
