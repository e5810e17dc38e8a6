"""Recurring gifts on our pages: the schedule, the charge run (never twice), declines, cancels."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from groundswell.accounts.models import AuditEvent
from groundswell.core.tests.race import at_once
from groundswell.donations.models import (
    Contribution,
    DonationPage,
    Installment,
    RecurringSeries,
)
from groundswell.donations.pages.payments import payment_attempt_finish, payment_attempt_start
from groundswell.donations.recurring.services import (
    installment_due_at,
    installments_charge_due,
    series_cancel,
)
from groundswell.donations.testing.stripe_double import CARD_OFF_SESSION_DECLINED, CARD_OK

DONOR = {
    "given_name": "Rhea",
    "family_name": "Monthlyson",
    "email": "rhea.monthlyson@example.org",
    "address_line1": "9 Placeholder Road",
    "city": "Madison",
    "state": "WI",
    "postal_code": "53703",
    "employer": "Nonesuch Co",
    "occupation": "Analyst",
}


def _series(page, double, *, card=CARD_OK, period="monthly", amount=1500) -> RecurringSeries:
    attempt = payment_attempt_start(
        key=secrets.token_urlsafe(18),
        page=page,
        amount_cents=amount,
        recurring_period=period,
        donor=DONOR,
        refcode="monthly-drive",
        refcodes={},
        ip_address=None,
    )
    double.confirm_card(attempt.processor_ref, card)
    attempt = payment_attempt_finish(attempt=attempt)
    return attempt.contribution.series


@pytest.fixture
def donation_page(db):
    return DonationPage.objects.create(
        slug="sustain",
        title="Sustain the campaign",
        amounts_cents=[500, 1500],
        is_published=True,
        allow_monthly=True,
        allow_weekly=True,
    )


def _charges(double) -> list[str]:
    """Idempotency keys of the installment charges the double was asked for."""
    return [key for method, path, key in double.requests if key.startswith("installment:")]


# ---------------------------------------------------------------- the schedule


@pytest.mark.parametrize(
    ("start", "period", "sequence", "due"),
    [
        (
            datetime(2027, 1, 31, 15),
            "monthly",
            2,
            datetime(2027, 2, 28, 15),
        ),
        (
            datetime(2027, 1, 31, 15),
            "monthly",
            3,
            datetime(2027, 3, 31, 15),
        ),
        (
            datetime(2028, 1, 30, 15),
            "monthly",
            2,
            datetime(2028, 2, 29, 15),
        ),
        (
            datetime(2026, 11, 15, 15),
            "monthly",
            3,
            datetime(2027, 1, 15, 15),
        ),
        (datetime(2026, 12, 29, 15), "weekly", 2, datetime(2027, 1, 5, 15)),
        (
            datetime(2026, 12, 29, 15),
            "weekly",
            1,
            datetime(2026, 12, 29, 15),
        ),
    ],
)
def test_installments_fall_on_the_same_day_clamped_to_the_month_end(start, period, sequence, due):
    # In the campaign's time zone: the same local day and hour, across daylight-saving changes.
    start, due = timezone.make_aware(start), timezone.make_aware(due)
    assert installment_due_at(started_at=start, period=period, sequence=sequence) == due


def test_a_monthly_gift_starts_a_series_with_its_first_installment_paid(
    db, donation_page, stripe_double
):
    series = _series(donation_page, stripe_double)
    assert series.status == RecurringSeries.Status.ACTIVE
    assert series.installments_paid == 1
    assert series.next_charge_at == installment_due_at(
        started_at=series.started_at, period="monthly", sequence=2
    )
    first = series.installments.get()
    assert (first.sequence, first.status) == (1, Installment.Status.PAID)
    assert first.contribution.series == series
    assert first.contribution.is_recurring
    assert series.person.primary_email == DONOR["email"]


# ---------------------------------------------------------------- the run


@pytest.mark.django_db
def test_a_run_charges_a_due_installment_once_and_a_second_run_nothing(
    donation_page, stripe_double
):
    series = _series(donation_page, stripe_double)
    assert installments_charge_due(now=series.next_charge_at - timedelta(minutes=1)).charged == 0
    now = series.next_charge_at + timedelta(minutes=5)
    first = installments_charge_due(now=now)
    second = installments_charge_due(now=now)
    assert (first.charged, second.charged) == (1, 0)
    series.refresh_from_db()
    assert series.installments_paid == 2
    assert series.next_charge_at == installment_due_at(
        started_at=series.started_at, period="monthly", sequence=3
    )
    assert _charges(stripe_double) == [f"installment:{series.pk}:2"]
    second_installment = series.installments.get(sequence=2)
    contribution = second_installment.contribution
    assert contribution.processor_id in stripe_double.payment_intents
    intent = stripe_double.payment_intents[contribution.processor_id]
    assert intent["customer"] == series.processor_customer
    assert contribution.series == series
    assert contribution.refcode == "monthly-drive"
    assert contribution.page == donation_page
    assert Contribution.objects.filter(series=series).count() == 2


@pytest.mark.django_db
def test_a_run_catches_up_one_installment_at_a_time(donation_page, stripe_double):
    series = _series(donation_page, stripe_double, period="weekly")
    late = series.started_at + timedelta(days=22)
    assert installments_charge_due(now=late).charged == 1
    assert installments_charge_due(now=late).charged == 1
    assert installments_charge_due(now=late).charged == 1
    assert installments_charge_due(now=late).charged == 0
    series.refresh_from_db()
    assert series.installments_paid == 4


@pytest.mark.django_db
def test_a_declined_card_is_retried_twice_then_the_series_is_cancelled(
    donation_page, stripe_double
):
    series = _series(donation_page, stripe_double, card=CARD_OFF_SESSION_DECLINED)
    now = series.next_charge_at + timedelta(minutes=1)
    summary = installments_charge_due(now=now)
    assert (summary.charged, summary.failed) == (0, 1)
    series.refresh_from_db()
    assert series.status == RecurringSeries.Status.FAILING
    assert series.failure_count == 1
    assert "declined" in series.last_failure
    assert series.next_charge_at == now + timedelta(days=3)
    installment = series.installments.get(sequence=2)
    assert (installment.status, installment.attempts) == (Installment.Status.FAILED, 1)
    # Too soon to try again.
    assert installments_charge_due(now=now + timedelta(days=1)).failed == 0

    now += timedelta(days=3, minutes=1)
    assert installments_charge_due(now=now).failed == 1
    series.refresh_from_db()
    assert series.next_charge_at == now + timedelta(days=5)

    now += timedelta(days=5, minutes=1)
    summary = installments_charge_due(now=now)
    assert (summary.failed, summary.cancelled) == (1, 1)
    series.refresh_from_db()
    assert series.status == RecurringSeries.Status.CANCELLED
    assert series.cancel_reason.startswith("Payment failed 3 times")
    assert series.next_charge_at is None
    # Each retry had its own key: Stripe would replay the first decline for a reused one.
    assert _charges(stripe_double) == [
        f"installment:{series.pk}:2",
        f"installment:{series.pk}:2:2",
        f"installment:{series.pk}:2:3",
    ]
    assert AuditEvent.objects.filter(action="recurring_cancel", target_id=str(series.pk)).exists()
    assert installments_charge_due(now=now + timedelta(days=60)).charged == 0
    assert Contribution.objects.filter(series=series).count() == 1


@pytest.mark.django_db
def test_a_cancelled_series_is_not_charged_and_the_cancel_is_audited(
    donation_page, stripe_double, finance_user
):
    series = _series(donation_page, stripe_double)
    series_cancel(series=series, reason="Donor asked by phone", user=finance_user)
    series.refresh_from_db()
    assert series.status == RecurringSeries.Status.CANCELLED
    event = AuditEvent.objects.get(action="recurring_cancel")
    assert event.actor == finance_user
    assert "Donor asked by phone" in event.summary
    # Cancelling again changes nothing and logs nothing more.
    series_cancel(series=series, reason="again", user=finance_user)
    assert AuditEvent.objects.filter(action="recurring_cancel").count() == 1
    assert installments_charge_due(now=series.started_at + timedelta(days=400)).charged == 0
    with pytest.raises(ValueError):
        series_cancel(series=series, reason="  ")


@pytest.mark.django_db
def test_a_run_that_died_after_charging_is_finished_by_the_next_without_a_second_charge(
    donation_page, stripe_double
):
    series = _series(donation_page, stripe_double)
    now = series.next_charge_at + timedelta(minutes=1)
    installments_charge_due(now=now)
    # Make it look as if the run had died between the charge and the record.
    installment = series.installments.get(sequence=2)
    contribution = installment.contribution
    installment.contribution = None
    installment.status = Installment.Status.CLAIMED
    installment.save()
    contribution.delete()
    RecurringSeries.objects.filter(pk=series.pk).update(
        installments_paid=1, next_charge_at=installment.due_at
    )
    assert installments_charge_due(now=now + timedelta(minutes=1)).charged == 0  # fresh claim
    summary = installments_charge_due(now=now + timedelta(minutes=20))
    assert summary.charged == 1
    # The same key twice: Stripe answered with the first charge, no second one was made.
    assert _charges(stripe_double) == [f"installment:{series.pk}:2"] * 2
    assert (
        len([i for i in stripe_double.payment_intents.values() if i["status"] == "succeeded"]) == 2
    )


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_charge_each_installment_once(donation_page, stripe_double):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent runs need PostgreSQL (SQLite serialises every writer)")
    series_list = [_series(donation_page, stripe_double, amount=1000 + i * 100) for i in range(4)]
    now = max(s.next_charge_at for s in series_list) + timedelta(minutes=1)

    def run():
        return installments_charge_due(now=now)

    results, errors = at_once(run, run)
    assert not errors, errors
    assert sum(r.charged for r in results) == 4
    keys = _charges(stripe_double)
    assert sorted(keys) == sorted(f"installment:{s.pk}:2" for s in series_list)
    assert Installment.objects.filter(sequence=2, status="paid").count() == 4
    assert Contribution.objects.filter(note="Installment 2").count() == 4


# ---------------------------------------------------------------- the command and the task


@pytest.mark.django_db
def test_the_command_charges_what_is_due_by_the_given_moment(donation_page, stripe_double, capsys):
    series = _series(donation_page, stripe_double)
    call_command(
        "recurring", "run", "--now", (series.next_charge_at + timedelta(hours=1)).isoformat()
    )
    assert "Charged 1, declined 0" in capsys.readouterr().out
    with pytest.raises(CommandError, match="not an ISO date"):
        call_command("recurring", "run", "--now", "next tuesday")


@pytest.mark.django_db
def test_the_task_runs_the_due_charges(donation_page, stripe_double, settings):
    from groundswell.donations.tasks import recurring_charge_due

    series = _series(donation_page, stripe_double, period="weekly")
    RecurringSeries.objects.filter(pk=series.pk).update(
        next_charge_at=series.started_at - timedelta(days=1)
    )
    result = recurring_charge_due.enqueue()
    assert result.return_value["charged"] == 1


# ---------------------------------------------------------------- webhooks about installments


def _claim_and_charge(series, *, sequence=2):
    from groundswell.donations.processors.stripe import StripeProcessor
    from groundswell.donations.recurring.services import installment_idempotency_key

    installment = Installment.objects.create(
        series=series, sequence=sequence, due_at=series.next_charge_at, attempts=1
    )
    StripeProcessor.from_settings().installment_charge(
        series=series,
        amount_cents=series.amount_cents,
        idempotency_key=installment_idempotency_key(installment),
    )
    return installment


@pytest.mark.django_db
def test_the_webhook_records_an_installment_its_run_never_recorded(
    client, donation_page, stripe_double
):
    from groundswell.donations.pages.tests.test_stripe import post_event

    series = _series(donation_page, stripe_double)
    installment = _claim_and_charge(series)
    event = stripe_double.events[-1]
    assert event["type"] == "payment_intent.succeeded"
    assert post_event(client, stripe_double, event).json()["status"] == "accepted"
    assert post_event(client, stripe_double, event).json()["status"] == "duplicate"
    installment.refresh_from_db()
    series.refresh_from_db()
    assert installment.status == Installment.Status.PAID
    assert installment.contribution.processor_id == event["data"]["object"]["id"]
    assert series.installments_paid == 2
    # The run that charged it, coming back late, records nothing more.
    later = installments_charge_due(now=installment.due_at + timedelta(minutes=30))
    assert later.charged == 0
    assert Contribution.objects.filter(series=series).count() == 2


@pytest.mark.django_db
def test_a_failed_installment_event_shows_the_series_as_failing(
    client, donation_page, stripe_double
):
    from groundswell.donations.pages.tests.test_stripe import post_event

    series = _series(donation_page, stripe_double, card=CARD_OFF_SESSION_DECLINED)
    _claim_and_charge(series)
    event = stripe_double.events[-1]
    assert event["type"] == "payment_intent.payment_failed"
    assert post_event(client, stripe_double, event).json()["status"] == "accepted"
    series.refresh_from_db()
    assert series.status == RecurringSeries.Status.FAILING
    assert post_event(client, stripe_double, event).json()["status"] == "duplicate"


@pytest.mark.django_db
def test_a_run_without_stripe_configured_charges_nothing_and_leaves_no_claim(
    donation_page, stripe_double, settings
):
    series = _series(donation_page, stripe_double)
    now = series.next_charge_at + timedelta(minutes=1)
    settings.STRIPE_SECRET_KEY = ""
    summary = installments_charge_due(now=now)
    assert (summary.charged, summary.errors) == (0, 1)
    assert not series.installments.filter(sequence=2).exists()
    settings.STRIPE_SECRET_KEY = stripe_double.secret_key
    assert installments_charge_due(now=now).charged == 1
