"""Resolving held gifts: refund, redesignate, reattribute, release; the 60-day window."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from groundswell.accounts.models import AuditEvent
from groundswell.core.tests.race import at_once
from groundswell.donations import processors
from groundswell.donations.compliance.holds import (
    hold_reattribute,
    hold_redesignate,
    hold_refund,
    hold_release,
    hold_window,
    holds_pending,
)
from groundswell.donations.compliance.tests.fixtures import GENERAL, donor, gift, rule_2026
from groundswell.donations.finance.refunds import contribution_refund_by_staff
from groundswell.donations.models import Contribution, DonorElectionTotal
from groundswell.donations.processors import ProcessorError
from groundswell.donations.services import contribution_refund
from groundswell.people.models import Activity, Person

pytestmark = pytest.mark.django_db


def total(key, election):
    row = DonorElectionTotal.objects.filter(donor_key=key, election=election).first()
    return row.total_cents if row else 0


def recent(days_ago=5):
    # Calendar days on the campaign's clock, as the hold window counts them: 60 times 24 hours
    # before a moment in the hour after local midnight, across the autumn's clock change, is 59
    # local dates back (this failed between 00:00 and 01:00 New York time in December).
    return timezone.localtime() - timedelta(days=days_ago)


@pytest.fixture
def rule():
    # Election dates around "now", so a gift received a few days ago counts toward a primary.
    today = timezone.localdate()
    return rule_2026(
        cycle=2026,
        primary_date=today + timedelta(days=30),
        general_date=today + timedelta(days=200),
    )


def held_gift(first=300_000, second=100_000, when=None, **kw):
    who = donor(**kw)
    when = when or recent()
    gift(first, who, when=when)
    held = gift(second, who, when=when)
    assert held.held_at
    return held


def test_redesignation_splits_off_the_excess_to_the_next_election(rule, finance_user):
    held = held_gift()
    moved = hold_redesignate(contribution=held, user=finance_user, reason="Donor's letter")
    held.refresh_from_db()
    assert held.amount_cents == 50_000
    assert held.hold_resolution == "redesignated"
    assert held.hold_resolved_by == finance_user
    assert moved.pk != held.pk
    assert (moved.amount_cents, moved.election, moved.redesignated_from) == (
        50_000,
        "G2026",
        "P2026",
    )
    assert moved.person_id == held.person_id
    assert moved.donor_family_name == held.donor_family_name
    assert moved.processor_id.startswith(held.processor_id + "#")
    assert total(held.donor_key, "P2026") == 350_000
    assert total(held.donor_key, "G2026") == 50_000
    assert not holds_pending().filter(pk=held.pk).exists()
    event = AuditEvent.objects.get(action="hold_resolve")
    assert event.details["resolution"] == "redesignate"
    assert Activity.objects.filter(kind="donation_compliance", person_id=held.person_id).exists()


def test_a_gift_that_is_all_excess_is_redesignated_whole(rule, finance_user):
    held = held_gift(first=350_000, second=20_000)
    moved = hold_redesignate(contribution=held, user=finance_user)
    assert moved.pk == held.pk
    moved.refresh_from_db()
    assert (moved.amount_cents, moved.election, moved.redesignated_from) == (
        20_000,
        "G2026",
        "P2026",
    )
    assert total(held.donor_key, "P2026") == 350_000
    assert total(held.donor_key, "G2026") == 20_000


def test_redesignation_is_refused_when_it_would_pass_the_next_elections_limit(rule, finance_user):
    who = donor()
    gift(340_000, who, when=recent(), election="G2026")
    gift(350_000, who, when=recent())
    held = gift(20_000, who, when=recent())
    with pytest.raises(ValidationError, match="G2026"):
        hold_redesignate(contribution=held, user=finance_user)
    held.refresh_from_db()
    assert held.amount_cents == 20_000 and not held.hold_resolution
    assert total(held.donor_key, "G2026") == 340_000


def test_redesignation_and_reattribution_are_refused_after_the_window(rule, finance_user):
    held = held_gift(when=recent(61))
    assert not hold_window(held).is_open
    with pytest.raises(ValidationError, match="60-day window"):
        hold_redesignate(contribution=held, user=finance_user)
    with pytest.raises(ValidationError, match="60-day window"):
        hold_reattribute(
            contribution=held, user=finance_user, amount_cents=50_000, person=held.person
        )
    # A refund is still possible.
    hold_refund(contribution=held, user=finance_user, reason="Past the window")
    held.refresh_from_db()
    assert held.hold_resolution == "refunded"


def test_the_window_is_open_on_its_last_day(rule, finance_user):
    held = held_gift(when=recent(60))
    window = hold_window(held)
    assert window.is_open and window.days_left == 0
    hold_redesignate(contribution=held, user=finance_user)


def test_reattribution_to_an_existing_person_makes_a_new_contribution(rule, finance_user):
    held = held_gift()
    other = gift(1_000, donor()).person
    part = hold_reattribute(
        contribution=held, user=finance_user, amount_cents=50_000, person=other, reason="Joint"
    )
    held.refresh_from_db()
    assert held.amount_cents == 50_000 and held.hold_resolution == "reattributed"
    assert part.reattributed_from_id == held.pk
    assert part.person_id == other.pk
    assert part.donor_key == f"p:{other.pk}"
    assert part.election == held.election
    assert total(held.donor_key, "P2026") == 350_000
    assert total(part.donor_key, "P2026") == 51_000


def test_reattribution_to_a_new_donor_given_by_staff(rule, finance_user):
    held = held_gift()
    part = hold_reattribute(
        contribution=held,
        user=finance_user,
        amount_cents=30_000,
        donor={
            "given_name": "Jointa",
            "family_name": "Holderson",
            "address_line1": "1 Test Row",
            "city": "Columbus",
            "state": "OH",
            "postal_code": "43215",
            "employer": "Example Works",
            "occupation": "Nurse",
        },
    )
    assert part.person_id is None
    assert part.donor_key == "n:holderson|jointa|43215"
    assert part.donor_occupation == "Nurse"
    held.refresh_from_db()
    # 20,000 still over: the gift stays held, with the new figure.
    assert not held.hold_resolution
    assert "by $200.00" in held.hold_reason


def test_reattribution_is_refused_past_the_other_donors_own_limit(rule, finance_user):
    held = held_gift()
    other_gift = gift(340_000, donor())
    with pytest.raises(ValidationError, match="past their own"):
        hold_reattribute(
            contribution=held, user=finance_user, amount_cents=50_000, person=other_gift.person
        )
    held.refresh_from_db()
    assert held.amount_cents == 100_000
    assert total(other_gift.donor_key, "P2026") == 340_000
    assert Contribution.objects.filter(reattributed_from=held).count() == 0


def test_reattribution_needs_a_name_and_address(rule, finance_user):
    held = held_gift()
    with pytest.raises(ValidationError) as exc:
        hold_reattribute(
            contribution=held, user=finance_user, amount_cents=1_000, donor={"given_name": "A"}
        )
    assert "given_name" in exc.value.message_dict


def test_refunding_the_excess_of_an_actblue_gift_records_it_for_actblue(rule, finance_user):
    held = held_gift()
    hold_refund(contribution=held, user=finance_user, reason="Over the limit")
    held.refresh_from_db()
    assert held.refunded_cents == 50_000
    assert held.status == "partially_refunded"
    assert held.hold_resolution == "refunded"
    assert "must be refunded in ActBlue" in held.note
    assert total(held.donor_key, "P2026") == 350_000
    # ActBlue's own notice of that refund, later, does not take it off a second time.
    contribution_refund(
        processor="actblue", processor_id=held.processor_id, refund_cents=50_000, refund_key="AB-r"
    )
    held.refresh_from_db()
    assert held.refunded_cents == 50_000
    assert total(held.donor_key, "P2026") == 350_000
    assert AuditEvent.objects.filter(action="refund", target_id=str(held.pk)).count() == 1


def test_an_offline_gift_is_refunded_by_check(rule, finance_user):
    c = gift(5_000, donor(), processor="offline")
    contribution_refund_by_staff(
        contribution=c, amount_cents=5_000, user=finance_user, reason="Asked for it back"
    )
    c.refresh_from_db()
    assert c.status == "refunded" and "must be refunded by check" in c.note
    assert total(c.donor_key, c.election) == 0


class FakeStripe:
    """Where the refund service would call Stripe: one refund per idempotency key, as Stripe."""

    def __init__(self):
        self.calls = []
        self.refunds = {}

    def refund(self, *, processor_ref, amount_cents, idempotency_key):
        self.calls.append((processor_ref, amount_cents, idempotency_key))
        return self.refunds.setdefault(idempotency_key, f"re_fake_{len(self.refunds) + 1}")


def test_a_stripe_gift_is_refunded_through_stripe(rule, finance_user, monkeypatch):
    fake = FakeStripe()
    monkeypatch.setattr(processors, "processor_get", lambda name: fake)
    c = gift(5_000, donor(), processor="stripe", processor_id="pi_test_1")
    contribution_refund_by_staff(
        contribution=c, amount_cents=2_000, user=finance_user, reason="Typo", key="k1"
    )
    # The same form submitted again refunds once.
    contribution_refund_by_staff(
        contribution=c, amount_cents=2_000, user=finance_user, reason="Typo", key="k1"
    )
    c.refresh_from_db()
    assert fake.calls[0][:2] == ("pi_test_1", 2_000)
    assert c.refunded_cents == 2_000
    assert "re_fake_1" in c.refund_keys


def test_a_stripe_refund_refused_by_stripe_records_nothing(rule, finance_user, monkeypatch):
    def refuse(name):
        raise ProcessorError("Stripe is not configured")

    monkeypatch.setattr(processors, "processor_get", refuse)
    c = gift(5_000, donor(), processor="stripe", processor_id="pi_test_2")
    with pytest.raises(ValidationError, match="Stripe is not available"):
        contribution_refund_by_staff(
            contribution=c, amount_cents=2_000, user=finance_user, reason="Typo"
        )
    c.refresh_from_db()
    assert c.refunded_cents == 0


def test_a_staff_refund_is_validated(rule, finance_user, organizer_user):
    c = gift(5_000, donor())
    for amount, message in ((0, "positive"), (5_001, "At most \\$50.00")):
        with pytest.raises(ValidationError, match=message):
            contribution_refund_by_staff(
                contribution=c, amount_cents=amount, user=finance_user, reason="x"
            )
    with pytest.raises(ValidationError, match="why"):
        contribution_refund_by_staff(contribution=c, amount_cents=100, user=finance_user, reason="")
    with pytest.raises(ValidationError, match="role"):
        contribution_refund_by_staff(
            contribution=c, amount_cents=100, user=organizer_user, reason="x"
        )


def test_release_clears_a_wrong_hold_and_is_audited(rule, finance_user):
    held = held_gift()
    with pytest.raises(ValidationError):
        hold_release(contribution=held, user=finance_user, reason="")
    hold_release(contribution=held, user=finance_user, reason="Two different people")
    held.refresh_from_db()
    assert held.hold_resolution == "released"
    event = AuditEvent.objects.get(action="hold_resolve")
    assert event.details["excess_cents"] == 50_000
    with pytest.raises(ValidationError, match="already resolved"):
        hold_release(contribution=held, user=finance_user, reason="again")


def test_only_finance_roles_resolve_holds(rule, organizer_user):
    held = held_gift()
    with pytest.raises(ValidationError, match="role"):
        hold_release(contribution=held, user=organizer_user, reason="x")


def test_a_gift_that_is_not_held_cannot_be_resolved(rule, finance_user):
    c = gift(1_000, donor(), when=GENERAL)
    with pytest.raises(ValidationError, match="not held"):
        hold_redesignate(contribution=c, user=finance_user)
    assert Person.objects.exists()


def test_a_refund_from_the_contribution_page_resolves_the_hold_in_the_staff_members_name(
    rule, finance_user
):
    held = held_gift()
    contribution_refund_by_staff(
        contribution=held, amount_cents=100_000, user=finance_user, reason="Refund it all"
    )
    held.refresh_from_db()
    assert (held.hold_resolution, held.hold_resolved_by) == ("refunded", finance_user)
    assert total(held.donor_key, "P2026") == 300_000


def test_refunding_the_excess_of_a_gift_no_longer_over_asks_for_a_release(rule, finance_user):
    held = held_gift()
    contribution_refund(
        processor="actblue", processor_id=held.processor_id, refund_cents=1, refund_key="x"
    )
    DonorElectionTotal.objects.filter(donor_key=held.donor_key).update(total_cents=1)
    with pytest.raises(ValidationError, match="release the hold"):
        hold_refund(contribution=held, user=finance_user, reason="Over")


@pytest.mark.django_db(transaction=True)
def test_a_redesignation_racing_a_new_gift_keeps_the_totals_right(finance_user):

    from django.db import connection

    from groundswell.donations.services import ContributionInput, contribution_record

    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    today = timezone.localdate()
    rule_2026(primary_date=today + timedelta(days=30), general_date=today + timedelta(days=200))
    who = donor()
    gift(300_000, who, when=recent())
    held = gift(100_000, who, when=recent())

    def redesignate():
        hold_redesignate(contribution=held, user=finance_user)

    def give():
        contribution_record(
            data=ContributionInput(
                processor="actblue",
                processor_id="race-new",
                amount_cents=7_000,
                received_at=recent(),
                donor=who,
            )  # fmt: skip
        )

    _, errors = at_once(redesignate, give)
    assert not errors
    for election in ("P2026", "G2026"):
        counted = sum(
            c.amount_cents - c.refunded_cents
            for c in Contribution.objects.filter(donor_key=held.donor_key, election=election)
        )
        assert total(held.donor_key, election) == counted
    # Whichever came first, the new gift is over the limit (the P2026 total stays past it).
    assert Contribution.objects.get(processor_id="race-new").held_at
