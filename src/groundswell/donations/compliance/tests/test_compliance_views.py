"""The compliance pages: who may see them, and what they do."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from groundswell.accounts.models import AuditEvent
from groundswell.donations.compliance.tests.fixtures import donor, gift, rule_2026
from groundswell.donations.models import ComplianceRule, Contribution, DonorElectionTotal

pytestmark = pytest.mark.django_db


@pytest.fixture
def held():
    today = timezone.localdate()
    rule_2026(primary_date=today + timedelta(days=30), general_date=today + timedelta(days=200))
    who = donor()
    when = timezone.now() - timedelta(days=3)
    gift(300_000, who, when=when)
    c = gift(100_000, who, when=when)
    assert c.held_at
    return c


def pages(held):
    return [
        reverse("donations:holds"),
        reverse("donations:holds") + "?show=resolved",
        reverse("donations:hold_detail", args=[held.pk]),
        reverse("donations:best_efforts"),
        reverse("donations:best_efforts") + "?state=asked",
        reverse("donations:best_efforts") + "?state=answered",
        reverse("donations:best_efforts_record", args=[held.pk]),
        reverse("donations:offline_new"),
        reverse("donations:compliance_rules"),
        reverse("donations:compliance_rule_edit", args=[2026]),
    ]


@pytest.mark.parametrize("role", ["admin", "finance"])
def test_finance_roles_see_every_compliance_page(persona_client, held, role):
    client = persona_client(role)
    for url in pages(held):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", ["organizer", "volunteer"])
def test_other_roles_are_refused_every_compliance_page(persona_client, held, role):
    client = persona_client(role)
    for url in pages(held):
        assert client.get(url).status_code == 403, url
    posts = [
        reverse("donations:totals_rebuild"),
        reverse("donations:hold_detail", args=[held.pk]),
        reverse("donations:best_efforts"),
        reverse("donations:offline_new"),
        reverse("donations:compliance_rules"),
    ]
    for url in posts:
        assert client.post(url, {"action": "release", "release-reason": "x"}).status_code == 403
    held.refresh_from_db()
    assert not held.hold_resolution


def test_anonymous_visitors_are_sent_to_log_in(client, held):
    for url in pages(held):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_the_held_queue_shows_the_excess_the_window_and_the_totals(persona_client, held):
    body = persona_client("finance").get(reverse("donations:holds")).content.decode()
    assert held.donor_family_name in body
    assert "$500.00" in body  # over by
    assert "57 days left" in body
    assert "P2026: $4,000.00" in body


def test_the_held_queue_is_empty_with_a_message(persona_client):
    body = persona_client("finance").get(reverse("donations:holds")).content.decode()
    assert "No held contributions" in body


def test_the_held_queue_lists_oldest_first_in_a_fixed_number_of_queries(
    persona_client, held, django_assert_max_num_queries
):
    client = persona_client("finance")
    client.get(reverse("donations:holds"))  # session and site rows settle on the first visit
    with django_assert_max_num_queries(12) as one:
        client.get(reverse("donations:holds"))
    for _ in range(4):
        who = donor()
        gift(350_000, who, when=timezone.now() - timedelta(days=1))
        gift(1_000, who, when=timezone.now() - timedelta(days=1))
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(reverse("donations:holds"))
    rows = response.context["rows"]
    assert len(rows) == 5
    assert rows[0]["c"].pk == held.pk


def test_redesignating_from_the_page(persona_client, held):
    client = persona_client("finance")
    url = reverse("donations:hold_detail", args=[held.pk])
    response = client.post(url, {"action": "redesignate", "redesignate-reason": "Letter"})
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.hold_resolution == "redesignated"
    assert Contribution.objects.filter(redesignated_from="P2026").count() == 1


def test_refunding_the_excess_from_the_page(persona_client, held):
    client = persona_client("finance")
    url = reverse("donations:hold_detail", args=[held.pk])
    data = {
        "action": "refund",
        "refund-form_key": "refund-key-123",
        "refund-how_much": "excess",
        "refund-reason": "Over the limit",
    }
    assert client.post(url, data).status_code == 302
    held.refresh_from_db()
    assert held.refunded_cents == 50_000
    assert held.hold_resolution == "refunded"


def test_a_refused_resolution_shows_why(persona_client, held):
    client = persona_client("finance")
    url = reverse("donations:hold_detail", args=[held.pk])
    response = client.post(
        url, {"action": "reattribute", "reattribute-amount": "100000", "reattribute-person_id": ""}
    )
    assert response.status_code == 400
    assert "Choose the person" in response.content.decode()


def test_reattributing_to_a_person_by_id_from_the_page(persona_client, held):
    other = gift(1_000, donor()).person
    client = persona_client("admin")
    url = reverse("donations:hold_detail", args=[held.pk])
    response = client.post(
        url,
        {"action": "reattribute", "reattribute-amount": "500", "reattribute-person_id": other.pk},
    )
    assert response.status_code == 302
    assert Contribution.objects.get(reattributed_from=held).person_id == other.pk


def test_releasing_from_the_page_needs_a_reason(persona_client, held):
    client = persona_client("finance")
    url = reverse("donations:hold_detail", args=[held.pk])
    assert client.post(url, {"action": "release", "release-reason": ""}).status_code == 400
    assert client.post(url, {"action": "release", "release-reason": "Wrong"}).status_code == 302
    held.refresh_from_db()
    assert held.hold_resolution == "released"


def test_recomputing_totals_from_the_page(persona_client, held):
    DonorElectionTotal.objects.update(total_cents=5)
    response = persona_client("finance").post(reverse("donations:totals_rebuild"))
    assert response.status_code == 302
    assert DonorElectionTotal.objects.get(donor_key=held.donor_key).total_cents == 400_000


def test_a_gift_never_held_has_no_hold_page(persona_client, held):
    plain = gift(100, donor())
    url = reverse("donations:hold_detail", args=[plain.pk])
    assert persona_client("finance").get(url).status_code == 404


def test_editing_the_rules_of_a_cycle_is_audited(persona_client):
    client = persona_client("admin")
    url = reverse("donations:compliance_rule_edit", args=[2028])
    data = {
        "redesignation_window_days": "60",
        "per_election_limit": "3,600",
        "itemization_threshold": "200",
        "cash_limit": "100",
        "anonymous_limit": "50",
        "primary_date": "2028-03-07",
        "general_date": "2028-11-07",
    }
    assert client.post(url, data).status_code == 302
    rule = ComplianceRule.objects.get(cycle=2028)
    assert rule.per_election_limit_cents == 360_000
    assert AuditEvent.objects.filter(action="rules_change").count() == 1
    data["general_date"] = "2028-01-01"
    response = client.post(url, data)
    assert response.status_code == 400
    assert "comes after the primary" in response.content.decode()


def test_adding_a_cycle_refuses_an_odd_year(persona_client):
    data = {
        "cycle": "2027",
        "redesignation_window_days": "60",
        "per_election_limit": "3500",
        "itemization_threshold": "200",
        "cash_limit": "100",
        "anonymous_limit": "50",
    }
    response = persona_client("finance").post(reverse("donations:compliance_rules"), data)
    assert response.status_code == 400
    assert "even year" in response.content.decode()
    data["cycle"] = "2030"
    assert (
        persona_client("finance").post(reverse("donations:compliance_rules"), data).status_code
        == 302
    )
    assert ComplianceRule.objects.filter(cycle=2030).exists()
