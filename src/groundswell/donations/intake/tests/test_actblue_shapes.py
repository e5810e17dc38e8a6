"""ActBlue notification shapes beyond the plain gift, each from a fixture we wrote in its layout.

Whole-order refunds (dated on the contribution), refunds of money already paid out (recovered),
ActBlue's test notification and the details of a cancellation. The people are synthetic.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from django.urls import reverse

from groundswell.donations.intake.tests.test_actblue_webhook import post
from groundswell.donations.intake.tests.test_actblue_webhook import (
    webhook_settings as webhook_settings,  # noqa: F401  (the autouse fixture)
)
from groundswell.donations.models import (
    Contribution,
    ContributionStatus,
    RecurringSeries,
    WebhookDelivery,
)

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"
OURS = {"81041": 2500, "81042": 1500}  # the whole order's line items for committee 10001


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def without(body: dict, *names: str) -> dict:
    """The same delivery without the named fields (on the contribution and its line items)."""
    body = copy.deepcopy(body)
    for part in (body["contribution"], *body["lineitems"]):
        for name in names:
            part.pop(name, None)
    return body


def test_a_whole_order_refund_refunds_every_line_item_of_ours(client):
    refund = fixture("actblue_refund_whole_order.json")
    paid = without(refund, "refundedAt", "refundId")
    assert post(client, paid).json()["status"] == "accepted"
    assert {c.processor_id for c in Contribution.objects.all()} == set(OURS)

    response = post(client, refund)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "accepted"  # not "duplicate": the refunds are new
    for processor_id, cents in OURS.items():
        gift = Contribution.objects.get(processor_id=processor_id)
        assert gift.status == ContributionStatus.REFUNDED
        assert gift.refunded_cents == cents
        assert gift.refunded_at.isoformat() == "2026-04-09T15:20:00+00:00"
    assert not Contribution.objects.filter(processor_id="81043").exists()  # another committee's


def test_a_repeated_whole_order_refund_changes_nothing_and_says_so(client):
    refund = fixture("actblue_refund_whole_order.json")
    post(client, without(refund, "refundedAt", "refundId"))
    post(client, refund)
    before = list(Contribution.objects.order_by("pk").values("refunded_cents", "refund_keys"))
    assert post(client, refund).json()["status"] == "duplicate"
    after = list(Contribution.objects.order_by("pk").values("refunded_cents", "refund_keys"))
    assert after == before
    assert all(len(row["refund_keys"]) == 1 for row in after)


def test_a_whole_order_refund_of_an_order_never_seen_records_and_refunds_each_gift(client):
    response = post(client, fixture("actblue_refund_whole_order.json"))
    assert response.status_code == 200, response.content
    gifts = Contribution.objects.filter(processor_id__in=OURS)
    assert gifts.count() == 2
    assert {g.status for g in gifts} == {ContributionStatus.REFUNDED}


def test_a_line_items_own_refund_date_wins_over_the_orders(client):
    refund = fixture("actblue_refund_whole_order.json")
    refund["lineitems"][0].update(refundedAt="2026-04-05T10:00:00-04:00", refundId=55001)
    post(client, refund)
    own = Contribution.objects.get(processor_id="81041")
    other = Contribution.objects.get(processor_id="81042")
    assert own.refunded_at.isoformat() == "2026-04-05T14:00:00+00:00"
    assert own.refund_keys == ["55001"]
    assert other.refund_keys == ["66041"]


def test_a_recovered_gift_is_refunded_once(client):
    recovered = fixture("actblue_refund_recovered.json")
    post(client, without(recovered, "recoveredAt"))
    gift = Contribution.objects.get(processor_id="81052")
    assert gift.status == ContributionStatus.PAID  # paid out (disbursed) is not refunded
    assert post(client, recovered).json()["status"] == "accepted"
    gift.refresh_from_db()
    assert (gift.status, gift.refunded_cents) == (ContributionStatus.REFUNDED, 5000)
    assert gift.refunded_at.isoformat() == "2026-04-20T19:45:00+00:00"
    assert post(client, recovered).json()["status"] == "duplicate"


@pytest.mark.parametrize("entity", ["10001", ""])
def test_actblues_test_notification_is_answered_200_and_logged_as_a_test(client, settings, entity):
    settings.GROUNDSWELL_COMMITTEE_ENTITY_ID = entity
    response = post(client, fixture("actblue_test_notification.json"))
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "test"
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.TEST
    assert "Test" in delivery.body
    assert not Contribution.objects.exists()


def test_a_delivery_for_another_committee_is_not_taken_for_a_test(client):
    body = fixture("actblue_refund_whole_order.json")
    body["lineitems"] = [body["lineitems"][2]]  # only committee 20002's line item
    assert post(client, body).json()["status"] != "test"


def test_a_cancellation_keeps_its_reason_type_and_counts(client):
    cancellation = fixture("actblue_cancellation_details.json")
    installment = without(
        cancellation, "cancelledAt", "cancellationReason", "cancellationType", "recurringCompleted"
    )
    post(client, installment)
    assert RecurringSeries.objects.get().status == RecurringSeries.Status.ACTIVE

    assert post(client, cancellation).json()["status"] == "accepted"
    series = RecurringSeries.objects.get(processor_key="AB900000063")
    assert series.status == RecurringSeries.Status.CANCELLED
    assert series.cancel_reason == "Donor asked to stop: budget"
    assert series.cancel_type == "donor"
    assert (series.installments_completed, series.installments_planned) == (4, 12)
    assert series.cancelled_at.isoformat() == "2026-05-01T12:12:00+00:00"
    assert post(client, cancellation).json()["status"] == "duplicate"


def test_a_later_notice_fills_in_what_the_first_cancellation_lacked(client):
    cancellation = fixture("actblue_cancellation_details.json")
    bare = without(cancellation, "cancellationReason", "cancellationType", "recurringCompleted")
    post(client, bare)
    series = RecurringSeries.objects.get()
    assert (series.cancel_reason, series.cancel_type) == ("Cancelled on ActBlue", "")
    assert post(client, cancellation).json()["status"] == "accepted"
    series.refresh_from_db()
    assert (series.cancel_reason, series.installments_completed) == (
        "Donor asked to stop: budget",
        4,
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [("recurringCompleted", "four"), ("recurringCompleted", -1), ("cancellationReason", {})],
)
def test_a_bad_cancellation_detail_is_refused_naming_it(client, field, value):
    body = fixture("actblue_cancellation_details.json")
    body["contribution"][field] = value
    response = post(client, body)
    assert response.status_code == 400
    assert response.json()["field"] == f"contribution.{field}"
    assert not Contribution.objects.exists()


def test_finance_sees_the_cancellation_details_on_the_recurring_pages(client, persona_client):
    post(client, fixture("actblue_cancellation_details.json"))
    series = RecurringSeries.objects.get()
    finance = persona_client("finance")
    detail = finance.get(reverse("donations:recurring_detail", args=[series.pk])).content.decode()
    assert "Donor asked to stop: budget" in detail
    assert 'id="series-cancel-type">donor<' in detail
    assert "4 completed of 12 pledged" in detail
    listing = finance.get(
        reverse("donations:recurring_list") + "?status=cancelled"
    ).content.decode()
    assert "Donor asked to stop: budget (donor)" in listing


def test_the_recurring_pages_stay_closed_to_organizers(client, persona_client):
    post(client, fixture("actblue_cancellation_details.json"))
    series = RecurringSeries.objects.get()
    response = persona_client("organizer").get(
        reverse("donations:recurring_detail", args=[series.pk])
    )
    assert response.status_code in (302, 403, 404)


def test_the_delivery_log_lists_a_test_notification_as_a_test(client, persona_client):
    post(client, fixture("actblue_test_notification.json"))
    post(client, fixture("actblue_refund_recovered.json"))
    page = persona_client("admin").get(reverse("donations:webhook_settings") + "?status=test")
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count("Test notification (nothing stored)") >= 2  # the filter option and the row
    assert html.count('class="badge') == 1  # only the test delivery is listed


def test_a_delivery_of_only_another_committees_line_items_is_logged_as_such(client):
    body = fixture("actblue_refund_whole_order.json")
    body["lineitems"] = [body["lineitems"][2]]  # only committee 20002's line item
    response = post(client, body)
    assert response.status_code == 200, response.content
    assert response.json() == {"status": "other_committee", "contributions": [], "skipped": True}
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.OTHER_COMMITTEE
    assert not Contribution.objects.exists()
    # Delivered again it is still another committee's, never a "duplicate".
    assert post(client, body).json()["status"] == "other_committee"


def test_the_delivery_log_filters_other_committees_deliveries(client, persona_client):
    body = fixture("actblue_refund_whole_order.json")
    body["lineitems"] = [body["lineitems"][2]]
    post(client, body)
    post(client, fixture("actblue_test_notification.json"))
    post(client, fixture("actblue_refund_recovered.json"))
    url = reverse("donations:webhook_settings") + "?status=other_committee"
    html = persona_client("admin").get(url).content.decode()
    label = "Another committee&#x27;s line items (nothing stored)"
    assert html.count(label) >= 2  # the filter option and the row
    assert html.count('class="badge') == 1  # only that delivery is listed
    everything = persona_client("admin").get(reverse("donations:webhook_settings")).content
    assert everything.decode().count('class="badge') == 3
