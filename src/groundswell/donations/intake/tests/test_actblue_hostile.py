"""The ActBlue webhook under hostile bodies: never a server error, every refusal logged.

A property-based suite (Hypothesis) sends 10,000 generated bodies, valid deliveries mixed with
hostile mutations of them; then each attack body named in issue 10 is replayed on its own.
"""

from __future__ import annotations

import copy
import json
import time
from datetime import UTC
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from groundswell.core.tests.hostile import (
    REQUIRED_EXAMPLES,
    REQUIRED_SUITE,
    Raw,
    clean_for_postgres,
    deep,
    dumps,
    hostile_body,
)
from groundswell.donations.intake.tests.test_actblue_webhook import URL, auth, payload
from groundswell.donations.intake.tests.test_actblue_webhook import (
    webhook_settings as webhook_settings,  # noqa: F401  (the autouse fixture)
)
from groundswell.donations.intake.webhook_log import EXCERPT_BYTES
from groundswell.donations.models import Contribution, WebhookDelivery

OURS = "10001"
NAMES = st.text(max_size=12)  # controls, NUL and odd scripts included: cleaned, then stored


TEMPLATE = payload(lineitem_id=1, email="template@example.org")
ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
IDS = st.integers(1, 10**15) | st.text(alphabet=ALNUM + "-", min_size=1, max_size=100)


@st.composite
def deliveries(draw) -> dict:
    """A valid ActBlue delivery: one to three line items, ours or another committee's."""
    count = draw(st.integers(1, 3))
    ids = draw(st.lists(IDS, min_size=count, max_size=count, unique_by=str))
    body = copy.deepcopy(TEMPLATE)
    local = draw(st.text(alphabet=ALNUM[:36], min_size=1, max_size=20))
    body["donor"]["email"] = f"{local}@example.org"
    body["donor"]["firstname"] = draw(NAMES)
    body["donor"]["lastname"] = draw(NAMES)
    body["contribution"]["orderNumber"] = f"AB{draw(st.integers(0, 10**20))}"
    when = draw(st.datetimes(min_value=_year(2000), max_value=_year(2100), timezones=st.just(UTC)))
    body["contribution"]["createdAt"] = when.isoformat()
    period = draw(st.sampled_from(["once", "once", "once", "monthly", "weekly", ""]))
    body["contribution"]["recurringPeriod"] = period
    body["contribution"]["recurringDuration"] = draw(st.integers(0, 120) | st.just("12"))
    refund = period in ("once", "") and draw(st.integers(0, 7)) == 0
    items = []
    for index, lineitem_id in enumerate(ids):
        cents = draw(st.integers(1, 10**9))
        amount = f"{Decimal(cents) / 100:.2f}"
        item = dict(TEMPLATE["lineitems"][0], sequence=index, lineitemId=lineitem_id)
        item["entityId"] = draw(st.sampled_from([10001, OURS, 20002]))
        item["amount"] = f"-{amount}" if refund and draw(st.booleans()) else amount
        if cents % 100 == 0 and not refund and draw(st.booleans()):
            item["amount"] = cents // 100  # a whole-dollar amount as a JSON number
        if refund:
            item.update(refundId=f"R{lineitem_id}", refundedAt=when.isoformat())
        items.append(item)
    body["lineitems"] = items
    return body


def _year(year: int):
    from datetime import datetime

    return datetime(year, 1, 1)


def _ours(body: dict) -> set[str]:
    return {str(i["lineitemId"]) for i in body["lineitems"] if str(i["entityId"]) == OURS}


def _check_refusal(response, body_size: int) -> None:
    """A 4xx: the reason answered, and the same reason in the log with a clean excerpt."""
    assert response.status_code in (400, 413), response.content
    reason = response.json()["error"]
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.REJECTED
    assert delivery.error == reason and reason
    assert delivery.body_size == body_size
    assert clean_for_postgres(delivery.body) and len(delivery.body) <= EXCERPT_BYTES + 60
    assert not Contribution.objects.exists()  # nothing half-written


@pytest.mark.django_db(transaction=False)
def test_ten_thousand_generated_bodies_get_no_server_error_and_valid_ones_are_stored_once():
    client = Client()
    sent = {"bodies": 0, "valid": 0, "refused": 0}

    @REQUIRED_SUITE
    @given(hostile_body(deliveries()))
    def property_holds(case):
        body, raw, pristine = case
        # Each example starts from an empty log: its savepoint is rolled back afterwards.
        with transaction.atomic():
            response = client.post(URL, data=raw, content_type="application/json", **auth())
            sent["bodies"] += 1
            assert response.status_code != 500
            if response.status_code != 200:
                assert not pristine, response.content
                sent["refused"] += 1
                _check_refusal(response, len(raw))
            else:
                stored = Contribution.objects.count()
                again = client.post(URL, data=raw, content_type="application/json", **auth())
                assert again.status_code == 200
                assert Contribution.objects.count() == stored  # a repeat writes nothing
                assert WebhookDelivery.objects.count() == 2
                if pristine:
                    sent["valid"] += 1
                    ids = _ours(body)
                    assert stored == len(ids)
                    for lineitem_id in ids:
                        assert Contribution.objects.filter(processor_id=lineitem_id).count() == 1
            transaction.set_rollback(True)

    started = time.monotonic()
    property_holds()
    print(f"\nActBlue: {sent} in {time.monotonic() - started:.1f} s")
    assert sent["bodies"] >= REQUIRED_EXAMPLES
    assert sent["valid"] >= REQUIRED_EXAMPLES // 5 and sent["refused"] >= REQUIRED_EXAMPLES // 3


# ---------------------------------------------------------------- the named attack bodies


def _with(path: tuple, value) -> bytes:
    body = payload()
    node = body
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return dumps(body)


ATTACKS = {
    "deeply nested JSON": dumps(payload()).replace(b'"donor": ', b'"donor": ' + b"[" * 20_000)
    + b"]" * 20_000,
    "a deep nest inside a field": _with(("donor", "firstname"), deep(20_000)),
    "amount 1e999999 as a string": _with(("lineitems", 0, "amount"), "1e999999"),
    "amount 1e999999 as a number": _with(("lineitems", 0, "amount"), Raw("1e999999")),
    "recurringDuration 1e300000": _with(("contribution", "recurringDuration"), "1e300000"),
    "recurringDuration of 5,000 digits": _with(
        ("contribution", "recurringDuration"), Raw("9" * 5000)
    ),
    "a lone surrogate in the body's bytes": dumps(payload()).replace(
        b"Springfield", b"\xed\xa0\x80"
    ),
    "a raw NUL byte": dumps(payload()).replace(b"Springfield", b"Spring\x00field"),
    "a 101-character line-item id": _with(("lineitems", 0, "lineitemId"), "9" * 101),
    "a 101-character order number": _with(("contribution", "orderNumber"), "A" * 101),
    "a year past 9999 in UTC": _with(("lineitems", 0, "paidAt"), "9999-12-31T23:59:59-23:59"),
    "an empty line-item id": _with(("lineitems", 0, "lineitemId"), "   "),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(ATTACKS))
def test_each_named_attack_body_is_refused_with_400_and_logged(client, name):
    raw = ATTACKS[name]
    started = time.monotonic()
    response = client.post(URL, data=raw, content_type="application/json", **auth())
    assert time.monotonic() - started < 2
    assert response.status_code == 400, response.content
    _check_refusal(response, len(raw))
    assert json.loads(response.content)["reason"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "value", "stored"),
    [
        ("a NUL escaped in a name", "Ada\u0000", "Ada"),
        ("a lone surrogate escaped in a name", "Ada\ud800", "Ada"),
        ("a control character in a name", "Ada\x07", "Ada"),
    ],
)
def test_nul_and_lone_surrogates_inside_strings_are_dropped_and_the_gift_is_kept(
    client, name, value, stored
):
    response = client.post(
        URL, data=_with(("donor", "firstname"), value), content_type="application/json", **auth()
    )
    assert response.status_code == 200, response.content
    assert Contribution.objects.get().donor_given_name == stored
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.ACCEPTED


@pytest.mark.django_db
def test_a_body_over_64_kb_is_refused_with_413_and_logged_with_an_excerpt(client):
    body = payload()
    body["padding"] = "x" * 70_000
    raw = dumps(body)
    response = client.post(URL, data=raw, content_type="application/json", **auth())
    assert response.status_code == 413
    delivery = WebhookDelivery.objects.get()
    assert delivery.body_size == len(raw)
    assert delivery.body.startswith('{"donor"') and len(delivery.body) < 5000


@pytest.mark.django_db
def test_unauthenticated_requests_log_only_reason_and_size_and_an_address_is_throttled(client):
    raw = dumps(payload())
    for _ in range(25):
        response = client.post(URL, data=raw, content_type="application/json")
        assert response.status_code == 401
    deliveries = list(WebhookDelivery.objects.all())
    assert len(deliveries) == 20  # webhook_log.UNVERIFIED_PER_WINDOW
    assert {(d.error, d.body, d.body_size) for d in deliveries} == {
        ("authentication required", "", len(raw))
    }
    # A verified sender is never throttled: its refusals are what staff need to see.
    for _ in range(25):
        client.post(URL, data=b"{}", content_type="application/json", **auth())
    assert WebhookDelivery.objects.filter(error__startswith="donor").count() == 25
