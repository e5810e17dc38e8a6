"""The new ActBlue shapes under generated input (Hypothesis): whole-order refunds, recovered
refunds, cancellation details and test notifications never get a server error; an accepted
refund is on every line item of ours, and its repeat is a duplicate that changes nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st

from groundswell.core.tests.hostile import EXAMPLES, SUITE
from groundswell.donations.intake.tests.test_actblue_shapes import OURS, fixture
from groundswell.donations.intake.tests.test_actblue_webhook import URL, auth
from groundswell.donations.intake.tests.test_actblue_webhook import (
    webhook_settings as webhook_settings,  # noqa: F401  (the autouse fixture)
)
from groundswell.donations.models import (
    Contribution,
    ContributionStatus,
    RecurringSeries,
    WebhookDelivery,
)

WHEN = st.datetimes(
    min_value=datetime(1980, 1, 1), max_value=datetime(2300, 1, 1), timezones=st.just(UTC)
).map(lambda d: d.isoformat())
IDS = st.integers(1, 10**12) | st.text(alphabet="ABC0123456789-", min_size=1, max_size=30)
ODD = (
    st.none()
    | st.text(max_size=20)
    | st.integers(-(10**40), 10**40)
    | st.booleans()
    | st.lists(st.integers(), max_size=2)
    | st.just({})
)
VALUE = WHEN | ODD


def value(draw, valid=WHEN):
    """Mostly a valid value, one time in four a hostile one."""
    return draw(ODD) if draw(st.integers(0, 3)) == 0 else draw(valid)


# Each example posts (or imports) twice; a thousand cover these few fields and keep CI's time
# for the full ten thousand bodies of the main ActBlue suite.
NEW_SHAPES = settings(SUITE, max_examples=min(EXAMPLES, 1_000))


@st.composite
def refunds(draw) -> dict:
    """The whole-order refund with its dates and ids moved between levels and made hostile."""
    body = fixture("actblue_refund_whole_order.json")
    contribution = body["contribution"]
    for name, valid in (("refundedAt", WHEN), ("recoveredAt", WHEN), ("refundId", IDS)):
        if draw(st.booleans()):
            contribution[name] = value(draw, valid)
        else:
            contribution.pop(name, None)
    for item in body["lineitems"]:
        for name in ("refundedAt", "recoveredAt", "disbursedAt", "refundId"):
            if draw(st.integers(0, 11)) == 0:
                item[name] = draw(VALUE)
        if draw(st.integers(0, 9)) == 0:
            item["entityId"] = draw(st.sampled_from([0, "0", 10001, 20002]))
    return body


@st.composite
def cancellations(draw) -> dict:
    body = fixture("actblue_cancellation_details.json")
    for name in ("cancellationReason", "cancelReason", "cancellationType", "cancelledBy"):
        if draw(st.booleans()):
            body["contribution"][name] = value(draw, st.text(max_size=300))
    for name in ("recurringCompleted", "recurrencesCompleted", "recurringDuration"):
        if draw(st.booleans()):
            body["contribution"][name] = value(draw, st.integers(0, 10**6) | st.just("12"))
    return body


def _send(client, body):
    return client.post(URL, data=json.dumps(body), content_type="application/json", **auth())


@pytest.mark.django_db(transaction=False)
def test_generated_refund_shapes_get_no_server_error_and_refund_each_line_once():
    client = Client()
    seen = {"refunded": 0, "refused": 0, "test": 0}

    @NEW_SHAPES
    @given(refunds())
    def property_holds(body):
        with transaction.atomic():
            response = _send(client, body)
            assert response.status_code in (200, 400), response.content
            if response.status_code == 400:
                seen["refused"] += 1
                assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.REJECTED
                assert not Contribution.objects.exists()
            elif response.json()["status"] == "test":
                seen["test"] += 1
                assert not Contribution.objects.exists()
            elif response.json()["status"] == "other_committee":
                # No line item left of ours: nothing stored, and its repeat is still that.
                assert not Contribution.objects.exists()
                assert _send(client, body).json()["status"] == "other_committee"
            else:
                # An empty date is no date (ActBlue sends "" as often as null).
                order_refunded = any(
                    isinstance(body["contribution"].get(n), str) and body["contribution"][n].strip()
                    for n in ("refundedAt", "recoveredAt")
                )
                gifts = Contribution.objects.filter(processor_id__in=OURS)
                if order_refunded:
                    # A whole-order refund reaches every line item of ours.
                    assert {g.status for g in gifts} <= {ContributionStatus.REFUNDED}
                    seen["refunded"] += bool(gifts)
                before = list(
                    Contribution.objects.order_by("pk").values("refunded_cents", "status")
                )
                assert _send(client, body).json()["status"] == "duplicate"
                after = list(Contribution.objects.order_by("pk").values("refunded_cents", "status"))
                assert after == before
            transaction.set_rollback(True)

    property_holds()
    assert seen["refunded"] and seen["refused"]


@pytest.mark.django_db(transaction=False)
def test_generated_cancellation_details_get_no_server_error_and_are_kept_as_sent():
    client = Client()
    seen = {"kept": 0, "refused": 0}

    @NEW_SHAPES
    @given(cancellations())
    def property_holds(body):
        with transaction.atomic():
            response = _send(client, body)
            assert response.status_code in (200, 400), response.content
            if response.status_code == 400:
                seen["refused"] += 1
                # Named, or (a number of more than 30 digits) refused whole by json_load.
                field = response.json()["field"]
                assert field.startswith("contribution.") or field == "", field
            else:
                series = RecurringSeries.objects.get()
                assert series.status == RecurringSeries.Status.CANCELLED
                assert len(series.cancel_reason) <= 200 and len(series.cancel_type) <= 100
                assert series.installments_completed is None or series.installments_completed >= 0
                assert _send(client, body).json()["status"] == "duplicate"
                seen["kept"] += 1
            transaction.set_rollback(True)

    property_holds()
    assert seen["kept"] and seen["refused"]
