"""Checks and cash recorded by staff: refused when the law says so, idempotent, audited."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from groundswell.accounts.models import AuditEvent
from groundswell.donations.compliance.tests.fixtures import donor
from groundswell.donations.models import Contribution, DonorElectionTotal
from groundswell.donations.processors.offline import offline_contribution_record

pytestmark = pytest.mark.django_db


def record(user, **kw):
    values = {
        "amount_cents": 5_000,
        "received_on": timezone.localdate() - timedelta(days=1),
        "method": "check",
        "check_number": "1042",
        "donor": donor(),
        "form_key": "form-key-0001",
        "user": user,
    }
    values.update(kw)
    return offline_contribution_record(**values)


def test_a_check_is_recorded_through_contribution_record(finance_user):
    contribution, created = record(finance_user)
    assert created
    assert contribution.processor == "offline"
    assert contribution.payment_method == "check"
    assert contribution.order_number == "1042"
    assert "Check #1042" in contribution.note
    assert contribution.election
    assert contribution.person_id
    assert DonorElectionTotal.objects.get(donor_key=contribution.donor_key).total_cents == 5_000
    assert AuditEvent.objects.filter(action="contribution_create").count() == 1


def test_the_same_form_twice_records_one_gift(finance_user):
    first, _ = record(finance_user)
    second, created = record(finance_user)
    assert not created and second.pk == first.pk
    assert Contribution.objects.count() == 1
    assert AuditEvent.objects.filter(action="contribution_create").count() == 1


def test_cash_over_100_dollars_is_refused(finance_user):
    with pytest.raises(ValidationError) as exc:
        record(finance_user, method="cash", amount_cents=10_001, check_number="")
    assert "Cash over $100.00" in exc.value.message_dict["amount"][0]
    assert not Contribution.objects.exists()


def test_cash_of_100_dollars_is_accepted(finance_user):
    contribution, created = record(
        finance_user, method="cash", amount_cents=10_000, check_number=""
    )
    assert created and contribution.payment_method == "cash"


def test_cash_adding_up_past_100_dollars_from_one_donor_is_refused(finance_user):
    who = donor()
    record(finance_user, method="cash", amount_cents=6_000, check_number="", donor=who)
    with pytest.raises(ValidationError, match="cash limit"):
        record(
            finance_user,
            method="cash",
            amount_cents=6_000,
            check_number="",
            donor=who,
            form_key="form-key-0002",
        )
    assert Contribution.objects.count() == 1


def test_anonymous_over_50_dollars_is_refused(finance_user):
    with pytest.raises(ValidationError) as exc:
        record(finance_user, is_anonymous=True, amount_cents=5_001, donor={})
    assert "anonymous gift over $50.00" in exc.value.message_dict["amount"][0]


def test_anonymous_of_50_dollars_is_accepted_and_keeps_no_donor(finance_user):
    contribution, _ = record(
        finance_user, is_anonymous=True, amount_cents=5_000, donor=donor(), method="cash",
        check_number="",
    )  # fmt: skip
    assert contribution.is_anonymous
    assert contribution.person_id is None and contribution.donor_family_name == ""


def test_a_gift_over_the_limit_is_recorded_and_held(finance_user):
    who = donor()
    record(finance_user, amount_cents=300_000, donor=who)
    held, _ = record(finance_user, amount_cents=60_000, donor=who, form_key="form-key-0003")
    assert held.held_at


def test_bad_input_gets_errors_by_field(finance_user):
    with pytest.raises(ValidationError) as exc:
        record(
            finance_user,
            amount_cents=0,
            received_on=timezone.localdate() + timedelta(days=2),
            method="bitcoin",
            election="X2026",
            donor={},
            form_key="",
        )
    errors = exc.value.message_dict
    assert {"amount", "received_on", "method", "election", "__all__"} <= set(errors)


def test_a_check_needs_its_number_and_a_named_donor(finance_user):
    with pytest.raises(ValidationError) as exc:
        record(finance_user, check_number="", donor={"email": "x@example.org"})
    assert {"check_number", "given_name"} <= set(exc.value.message_dict)


def test_an_election_override_is_kept(finance_user):
    contribution, _ = record(finance_user, election="g2026")
    assert contribution.election == "G2026"


def test_only_finance_roles_record_gifts(organizer_user):
    with pytest.raises(ValidationError, match="role"):
        record(organizer_user)


# ---------------------------------------------------------------- the staff form


def form_data(**kw):
    who = donor()
    data = {
        "form_key": "page-form-key-1",
        "amount": "250.00",
        "received_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "method": "check",
        "check_number": "77",
        "given_name": who["given_name"],
        "family_name": who["family_name"],
        "email": who["email"],
        "address_line1": who["address_line1"],
        "city": who["city"],
        "state": "OH",
        "postal_code": "43215",
        "employer": "Acme Test Co",
        "occupation": "Teacher",
    }
    data.update(kw)
    return data


def test_the_form_records_a_check(persona_client):
    client = persona_client("finance")
    response = client.post(reverse("donations:offline_new"), form_data())
    assert response.status_code == 302
    contribution = Contribution.objects.get()
    assert contribution.amount_cents == 25_000
    # Sent twice (a double click): still one gift.
    client.post(reverse("donations:offline_new"), form_data())
    assert Contribution.objects.count() == 1


def test_the_form_shows_the_cash_refusal(persona_client):
    client = persona_client("admin")
    response = client.post(
        reverse("donations:offline_new"), form_data(method="cash", amount="150", check_number="")
    )
    assert response.status_code == 400
    assert "Cash over $100.00" in response.content.decode()
    assert not Contribution.objects.exists()


def test_the_form_rejects_a_malformed_amount(persona_client):
    response = persona_client("finance").post(
        reverse("donations:offline_new"), form_data(amount="12.345")
    )
    assert response.status_code == 400
    assert "Enter an amount in dollars" in response.content.decode()
