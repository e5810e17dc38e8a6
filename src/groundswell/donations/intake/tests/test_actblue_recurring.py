"""ActBlue recurring gifts: installments join one series; a cancellation ends it, once."""

import copy
import json

import pytest

from groundswell.donations.intake.tests.test_actblue_webhook import auth, payload, worker
from groundswell.donations.models import Contribution, RecurringSeries, WebhookDelivery

pytestmark = pytest.mark.django_db
URL = "/webhooks/actblue/"


@pytest.fixture(autouse=True)
def webhook_settings(settings):
    settings.ACTBLUE_WEBHOOK_USERNAME = "actblue-hook"
    settings.ACTBLUE_WEBHOOK_PASSWORD = "s3cret-for-tests"
    settings.GROUNDSWELL_COMMITTEE_ENTITY_ID = "10001"


def monthly(lineitem_id, *, paid_at, order="AB-REC-1", email="rec-donor@example.org"):
    body = payload(lineitem_id=lineitem_id, email=email, amount="10.00")
    body["contribution"].update(
        {
            "orderNumber": order,
            "recurringPeriod": "monthly",
            "recurringDuration": 12,
            "isRecurring": True,
        }
    )
    body["lineitems"][0]["paidAt"] = paid_at
    return body


def post(client, body):
    return client.post(URL, data=json.dumps(body), content_type="application/json", **auth())


def test_installments_of_one_recurring_gift_form_one_series(client):
    assert post(client, monthly(7001, paid_at="2026-01-15T10:00:00-05:00")).status_code == 200
    assert post(client, monthly(7002, paid_at="2026-02-15T10:00:00-05:00")).status_code == 200
    assert worker() == 2  # the donor is linked by the task worker, the series on receipt
    series = RecurringSeries.objects.get()
    assert series.processor == "actblue" and series.processor_key == "AB-REC-1"
    assert series.period == "monthly" and series.amount_cents == 1000
    assert series.installments_paid == 2 and series.installments_planned == 12
    assert series.person is not None
    assert set(Contribution.objects.values_list("series_id", flat=True)) == {series.pk}
    assert series.started_at.isoformat().startswith("2026-01-15")


def test_a_repeated_installment_does_not_count_twice(client):
    body = monthly(7001, paid_at="2026-01-15T10:00:00-05:00")
    post(client, body)
    post(client, body)
    assert RecurringSeries.objects.get().installments_paid == 1


def test_a_one_time_gift_makes_no_series(client):
    post(client, payload(lineitem_id=7100))
    assert RecurringSeries.objects.count() == 0


def test_a_cancellation_ends_the_series_and_a_repeat_changes_nothing(client):
    post(client, monthly(7001, paid_at="2026-01-15T10:00:00-05:00"))
    cancellation = copy.deepcopy(monthly(7001, paid_at="2026-01-15T10:00:00-05:00"))
    cancellation["contribution"]["cancelledAt"] = "2026-02-01T09:30:00-05:00"
    assert post(client, cancellation).status_code == 200
    series = RecurringSeries.objects.get()
    assert series.status == "cancelled"
    assert series.cancelled_at.isoformat().startswith("2026-02-01T14:30")
    assert post(client, cancellation).status_code == 200
    statuses = list(WebhookDelivery.objects.order_by("id").values_list("status", flat=True))
    assert statuses == ["accepted", "accepted", "duplicate"]
    assert Contribution.objects.count() == 1


def test_a_cancellation_of_a_gift_never_seen_records_the_gift_and_cancels(client):
    cancellation = monthly(7050, paid_at="2026-01-15T10:00:00-05:00", order="AB-REC-9")
    cancellation["contribution"]["cancelledAt"] = "2026-03-01T09:30:00-05:00"
    assert post(client, cancellation).status_code == 200
    assert RecurringSeries.objects.get(processor_key="AB-REC-9").status == "cancelled"


def test_a_cancellation_on_a_one_time_gift_is_refused_naming_the_field(client):
    body = payload(lineitem_id=7200)
    body["contribution"]["cancelledAt"] = "2026-03-01T09:30:00-05:00"
    response = post(client, body)
    assert response.status_code == 400
    assert response.json()["field"] == "contribution.cancelledAt"
    assert Contribution.objects.count() == 0


@pytest.mark.parametrize("duration", ["twelve", True, 1.5])
def test_a_bad_recurring_duration_is_refused(client, duration):
    body = monthly(7001, paid_at="2026-01-15T10:00:00-05:00")
    body["contribution"]["recurringDuration"] = duration
    response = post(client, body)
    assert response.status_code == 400
    assert response.json()["field"] == "contribution.recurringDuration"
