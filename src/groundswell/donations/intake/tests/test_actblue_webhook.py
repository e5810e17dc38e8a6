"""The ActBlue webhook, with payloads built from ActBlue's documented fields and Faker donors."""

import base64
import copy
import json

import pytest
from faker import Faker

from groundswell.donations.intake.actblue import PayloadError, cents_parse
from groundswell.donations.models import Contribution, ContributionStatus, WebhookDelivery
from groundswell.donations.tasks import contributions_process_pending
from groundswell.people.models import Activity, EmailStatus, Person

URL = "/webhooks/actblue/"
USER, PASSWORD = "actblue-hook", "s3cret-for-tests"
fake = Faker("en_US")


@pytest.fixture(autouse=True)
def webhook_settings(settings):
    settings.ACTBLUE_WEBHOOK_USERNAME = USER
    settings.ACTBLUE_WEBHOOK_PASSWORD = PASSWORD
    settings.GROUNDSWELL_COMMITTEE_ENTITY_ID = "10001"
    settings.GROUNDSWELL_CHECK_MX = False


def auth(user=USER, password=PASSWORD):
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {token}"}


def payload(*, amount="27.00", lineitem_id=None, entity_id=10001, email=None):
    Faker.seed(lineitem_id or 0)
    return {
        "donor": {
            "firstname": fake.first_name(),
            "lastname": fake.last_name(),
            "addr1": "123 Main St",
            "city": "Springfield",
            "state": "IL",
            "zip": "62701",
            "country": "United States",
            "email": email or fake.unique.email(domain="example.org"),
            "phone": "217-555-0134",
            "isEligibleForExpressLane": False,
            "employerData": {
                "employer": fake.company(),
                "occupation": fake.job()[:60],
                "employerAddr1": None,
                "employerCity": None,
                "employerState": None,
                "employerCountry": None,
            },
        },
        "contribution": {
            "createdAt": "2026-03-30T21:14:05-04:00",
            "orderNumber": f"AB{lineitem_id or 1000:08d}",
            "contributionForm": "groundswell-main",
            "refcodes": {"refcode": "email-q1-deadline", "refcode2": None},
            "refcode": "email-q1-deadline",
            "recurringPeriod": "once",
            "recurringDuration": 0,
            "isRecurring": False,
            "isPaypal": False,
            "isMobile": True,
            "isExpress": False,
            "withExpressLane": False,
            "expressSignup": False,
            "uniqueIdentifier": fake.uuid4(),
            "status": "approved",
        },
        "lineitems": [
            {
                "sequence": 0,
                "entityId": entity_id,
                "fecId": "C00000000",
                "committeeName": "Groundswell for Congress",
                "amount": amount,
                "paidAt": "2026-03-30T21:14:07-04:00",
                "paymentId": 555,
                "lineitemId": lineitem_id or 90001,
                "refundId": None,
                "refundedAt": None,
            }
        ],
        "form": {
            "name": "groundswell-main",
            "kind": "page",
            "managingEntityName": "Groundswell for Congress",
        },
    }


def worker() -> int:
    """Run the task worker's step: the donor, timeline and limit count of received gifts."""
    return contributions_process_pending.enqueue().return_value


def post(client, body, **headers):
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.post(URL, data=data, content_type="application/json", **(headers or auth()))


@pytest.mark.django_db
def test_a_paid_delivery_creates_a_contribution_a_donor_and_a_timeline_entry(client):
    body = payload(amount="27.50")
    response = post(client, body)
    assert response.status_code == 200, response.content
    contribution = Contribution.objects.get()
    assert contribution.amount_cents == 2750
    assert contribution.processor == "actblue"
    assert contribution.processor_id == "90001"
    assert contribution.refcode == "email-q1-deadline"
    assert contribution.status == ContributionStatus.PAID
    assert contribution.received_at.isoformat() == "2026-03-31T01:14:07+00:00"
    assert worker() == 1
    contribution.refresh_from_db()
    person = contribution.person
    assert person.primary_email == body["donor"]["email"].lower()
    assert person.employer == body["donor"]["employerData"]["employer"]
    assert contribution.donor_family_name == body["donor"]["lastname"]
    assert contribution.donor_postal_code == "62701"
    assert contribution.donor_country == "US"
    assert contribution.donor_phone == "+12175550134"
    activity = Activity.objects.get(person=person, kind="donation")
    assert activity.summary.startswith("Gave $27.50 via ActBlue")
    assert activity.dedupe_key == "contribution:actblue:90001"
    assert WebhookDelivery.objects.get().status == "accepted"


@pytest.mark.django_db
def test_a_donation_does_not_subscribe_the_donor_to_email(client):
    post(client, payload())
    worker()
    assert Person.objects.get().email_status == EmailStatus.UNKNOWN


@pytest.mark.django_db
def test_the_snapshot_keeps_the_address_given_even_after_the_donor_moves(client):
    email = "mover@example.org"
    post(client, payload(lineitem_id=1, email=email))
    moved = payload(lineitem_id=2, email=email)
    moved["donor"].update(addr1="9 Elm Ave", city="Peoria", zip="61602")
    post(client, moved)
    assert worker() == 2
    first, second = Contribution.objects.order_by("processor_id")
    assert first.person_id == second.person_id
    assert first.donor_address_line1 == "123 Main St"
    assert first.donor_city == "Springfield"
    assert second.donor_city == "Peoria"
    assert first.person.addresses.get(is_primary=True).city == "Peoria"


@pytest.mark.django_db
def test_the_same_delivery_twice_is_one_contribution(client):
    body = payload()
    assert post(client, body).status_code == 200
    response = post(client, body)
    assert response.status_code == 200
    assert response.json()["status"] == "duplicate"
    assert Contribution.objects.count() == 1
    assert worker() == 1
    assert post(client, body).json()["status"] == "duplicate"
    assert worker() == 0
    assert Activity.objects.filter(kind="donation").count() == 1
    assert list(WebhookDelivery.objects.values_list("status", flat=True).order_by("id")) == [
        "accepted",
        "duplicate",
        "duplicate",
    ]


@pytest.mark.django_db
def test_two_line_items_are_two_contributions(client):
    body = payload()
    second = copy.deepcopy(body["lineitems"][0])
    second.update(sequence=1, lineitemId=90002, amount="5")
    body["lineitems"].append(second)
    assert post(client, body).status_code == 200
    assert sorted(Contribution.objects.values_list("amount_cents", flat=True)) == [500, 2700]
    assert worker() == 2
    assert Person.objects.count() == 1
    assert Activity.objects.filter(kind="donation").count() == 2


@pytest.mark.django_db
def test_another_committees_line_item_is_skipped(client):
    body = payload()
    other = copy.deepcopy(body["lineitems"][0])
    other.update(sequence=1, lineitemId=90003, entityId=20002, amount="10.00")
    body["lineitems"].append(other)
    assert post(client, body).status_code == 200
    assert list(Contribution.objects.values_list("processor_id", flat=True)) == ["90001"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "headers",
    [{}, auth(password="wrong"), auth(user="someone"), {"HTTP_AUTHORIZATION": "Basic !!"}],
)
def test_bad_credentials_get_401_with_a_basic_challenge(client, headers):
    response = client.post(
        URL, data=json.dumps(payload()), content_type="application/json", **headers
    )
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic ")
    assert not Contribution.objects.exists()


@pytest.mark.django_db
def test_without_credentials_configured_the_endpoint_answers_503(client, settings):
    settings.ACTBLUE_WEBHOOK_USERNAME = settings.ACTBLUE_WEBHOOK_PASSWORD = ""
    assert post(client, payload()).status_code == 503


def _without_donor():
    body = payload()
    del body["donor"]
    return body


def _with_amount(value):
    body = payload()
    body["lineitems"][0]["amount"] = value
    return body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"not json at all", ""),
        (b"[1, 2]", ""),
        (_without_donor(), "donor"),
        (_with_amount("abc"), "lineitems[0].amount"),
        (_with_amount("-5.00"), "lineitems[0].amount"),
        (_with_amount("1.005"), "lineitems[0].amount"),
        (_with_amount(True), "lineitems[0].amount"),
        ({**payload(), "lineitems": []}, "lineitems"),
        ({**payload(), "contribution": "AB1"}, "contribution"),
    ],
)
def test_a_malformed_body_gets_400_naming_the_field_and_is_logged(client, body, field):
    response = post(client, body)
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert response.json()["reason"]
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "rejected"
    assert delivery.error
    assert not Contribution.objects.exists()
    assert not Person.objects.exists()


@pytest.mark.django_db
def test_a_bad_second_line_item_writes_nothing(client):
    body = payload()
    bad = copy.deepcopy(body["lineitems"][0])
    bad.update(lineitemId=90009, amount="abc")
    body["lineitems"].append(bad)
    assert post(client, body).status_code == 400
    assert not Contribution.objects.exists()


@pytest.mark.django_db
def test_a_refund_marks_the_contribution_once(client):
    post(client, payload(amount="50.00"))
    refund = payload(amount="50.00")
    refund["lineitems"][0].update(refundId=777, refundedAt="2026-04-02T10:00:00-04:00")
    assert post(client, refund).status_code == 200
    assert post(client, refund).json()["status"] == "duplicate"
    contribution = Contribution.objects.get()
    assert contribution.status == ContributionStatus.REFUNDED
    assert contribution.refunded_cents == 5000
    assert Activity.objects.filter(kind="donation_refund").count() == 1


@pytest.mark.django_db
def test_a_refund_of_a_contribution_never_seen_records_it_then_refunds_it(client):
    refund = payload(amount="-20.00")
    refund["lineitems"][0].update(refundId=778, refundedAt="2026-04-02T10:00:00-04:00")
    assert post(client, refund).status_code == 200
    contribution = Contribution.objects.get()
    assert (contribution.amount_cents, contribution.refunded_cents) == (2000, 2000)
    assert contribution.status == ContributionStatus.REFUNDED


@pytest.mark.parametrize(
    ("given", "cents"),
    [("27.50", 2750), ("27.5", 2750), ("1", 100), ("0.29", 29), (3, 300), ("$1,000.00", 100000)],
)
def test_money_is_parsed_to_exact_cents(given, cents):
    assert cents_parse(given, "amount") == cents


def test_a_float_amount_is_refused():
    with pytest.raises(PayloadError):
        cents_parse(0.1, "amount")
