"""Per-election limits: every gift counted under a lock, the excessive ones held."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from groundswell.core.tests.race import at_once
from groundswell.donations.compliance.limits import (
    donor_totals,
    donor_totals_rebuild,
    hold_excess_cents,
)
from groundswell.donations.compliance.tests.fixtures import GENERAL, PRIMARY, donor, gift, rule_2026
from groundswell.donations.models import Contribution, DonorElectionTotal
from groundswell.donations.services import (
    ContributionInput,
    contribution_record,
    contribution_refund,
)

pytestmark = pytest.mark.django_db


def total(contribution):
    return DonorElectionTotal.objects.get(
        donor_key=contribution.donor_key, election=contribution.election
    ).total_cents


def test_a_gift_is_designated_to_the_next_election_and_keyed_to_its_donor():
    rule_2026()
    who = donor()
    before = gift(2700, who, when=PRIMARY)
    after = gift(2700, who, when=GENERAL)
    assert before.election == "P2026"
    assert after.election == "G2026"
    assert before.donor_key == f"p:{before.person_id}"
    assert after.donor_key == before.donor_key


def test_a_gift_without_e_mail_or_phone_is_keyed_by_name_and_zip():
    rule_2026()
    c = gift(
        1000, donor(email="", given_name="Testa", family_name="Donorova", postal_code="43215-1234")
    )
    assert c.person_id is None
    assert c.donor_key == "n:donorova|testa|43215"


def test_a_gift_up_to_the_limit_is_not_held():
    rule_2026()
    who = donor()
    gift(300_000, who)
    second = gift(50_000, who)
    assert not second.held_at
    assert total(second) == 350_000


def test_a_gift_over_the_limit_is_recorded_and_held_saying_by_how_much():
    rule_2026()
    who = donor()
    first = gift(300_000, who)
    second = gift(50_100, who)
    assert not first.held_at
    assert second.held_at is not None
    assert "by $1.00" in second.hold_reason
    assert "$3,500.00" in second.hold_reason
    assert total(second) == 350_100
    assert hold_excess_cents(contribution=second) == 100


def test_the_primary_and_the_general_have_separate_limits():
    rule_2026()
    who = donor()
    gift(350_000, who, when=PRIMARY)
    general = gift(350_000, who, when=GENERAL)
    assert not general.held_at


def test_a_designated_election_is_kept():
    rule_2026()
    c = gift(1000, donor(), when=PRIMARY, election="G2026")
    assert c.election == "G2026"


def test_memo_rows_and_gifts_reported_as_refunded_do_not_count():
    rule_2026()
    who = donor()
    gift(349_000, who, is_memo=True)
    gift(349_000, who, status="refunded")
    c = gift(350_000, who)
    assert not c.held_at
    assert total(c) == 350_000


def test_a_refund_lowers_the_total():
    rule_2026()
    who = donor()
    c = gift(100_000, who)
    contribution_refund(
        processor=c.processor, processor_id=c.processor_id, refund_cents=40_000, refund_key="r1"
    )
    assert total(c) == 60_000
    # A repeated notice of the same refund changes nothing.
    contribution_refund(
        processor=c.processor, processor_id=c.processor_id, refund_cents=40_000, refund_key="r1"
    )
    assert total(c) == 60_000


def test_a_processor_refund_that_brings_the_donor_within_the_limit_resolves_the_hold():
    rule_2026()
    who = donor()
    gift(300_000, who)
    held = gift(60_000, who)
    contribution_refund(
        processor=held.processor,
        processor_id=held.processor_id,
        refund_cents=10_000,
        refund_key="r",
    )
    held.refresh_from_db()
    assert held.hold_resolution == "refunded"


def test_a_repeated_delivery_is_counted_once():
    rule_2026()
    data = ContributionInput(
        processor="actblue", processor_id="AB-repeat", amount_cents=2500, received_at=PRIMARY,
        donor=donor(),
    )  # fmt: skip
    c, _ = contribution_record(data=data)
    contribution_record(data=data)
    assert total(c) == 2500


def test_two_gifts_one_after_the_other_cannot_both_pass():
    rule_2026()
    who = donor()
    a = gift(200_000, who)
    b = gift(200_000, who)
    assert [bool(a.held_at), bool(b.held_at)] == [False, True]


def _gifts_at_once(who, *, count: int, amount_cents: int, prefix: str) -> list[Exception]:
    """Record ``count`` gifts from one donor in threads released together; the errors raised."""

    def give(n):
        return contribution_record(
            data=ContributionInput(
                processor="actblue",
                processor_id=f"{prefix}-{n}",
                amount_cents=amount_cents,
                received_at=PRIMARY,
                donor=who,
            )  # fmt: skip
        )

    return at_once(*[lambda n=n: give(n) for n in range(count)])[1]


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_gifts_from_one_donor_cannot_both_pass():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL (sequential case above)")
    rule_2026()
    who = donor()
    gift(100_000, who)  # the donor (and the total row) exist already for half the runs below
    errors = _gifts_at_once(who, count=4, amount_cents=200_000, prefix="race")
    assert not errors
    raced = Contribution.objects.filter(processor_id__startswith="race-")
    assert raced.count() == 4
    # 100,000 + 200,000 fits under 350,000; any second one does not.
    assert raced.filter(held_at__isnull=True).count() == 1
    assert total(raced.first()) == 900_000


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_first_gifts_of_a_new_donor_cannot_both_pass():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL (sequential case above)")
    rule_2026()
    who = donor(email="", given_name="Racey", family_name="Newdonor")
    errors = _gifts_at_once(who, count=3, amount_cents=300_000, prefix="new")
    assert not errors
    raced = Contribution.objects.filter(processor_id__startswith="new-")
    assert raced.filter(held_at__isnull=True).count() == 1
    assert DonorElectionTotal.objects.get(donor_key=raced.first().donor_key).total_cents == 900_000


def test_rebuild_recomputes_totals_from_the_contributions():
    rule_2026()
    who = donor()
    a = gift(10_000, who)
    gift(5_000, who, when=GENERAL)
    DonorElectionTotal.objects.all().update(total_cents=1)
    DonorElectionTotal.objects.create(donor_key="p:999999", election="P2026", total_cents=77)
    changed = donor_totals_rebuild()
    assert changed == 3
    assert [(t.election, t.total_cents) for t in donor_totals(donor_key=a.donor_key)] == [
        ("P2026", 10_000),
        ("G2026", 5_000),
    ]
    assert DonorElectionTotal.objects.get(donor_key="p:999999").total_cents == 0


def test_rebuild_follows_a_contribution_to_its_current_person():
    rule_2026()
    a = gift(10_000, donor())
    b = gift(20_000, donor())
    # What a merge does: the contribution's person link moves to the survivor.
    Contribution.objects.filter(pk=b.pk).update(person_id=a.person_id)
    donor_totals_rebuild(donor_keys=[b.donor_key])
    b.refresh_from_db()
    assert b.donor_key == a.donor_key
    assert total(a) == 30_000


@pytest.mark.django_db(transaction=True)
def test_a_rebuild_running_while_gifts_arrive_loses_none_of_them():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    rule_2026()
    donors = [donor(email="", given_name=f"Racer{n}", family_name="Rebuild") for n in range(3)]

    def give(n):
        for i in range(5):
            contribution_record(
                data=ContributionInput(
                    processor="actblue",
                    processor_id=f"rb-{n}-{i}",
                    amount_cents=1_000 + n,
                    received_at=PRIMARY,
                    donor=donors[i % 3],
                )  # fmt: skip
            )

    def rebuild():
        for _ in range(3):
            donor_totals_rebuild()

    _, errors = at_once(*[lambda n=n: give(n) for n in range(3)], rebuild)
    assert not errors
    for key in Contribution.objects.values_list("donor_key", flat=True).distinct():
        expected = sum(c.amount_cents for c in Contribution.objects.filter(donor_key=key))
        assert DonorElectionTotal.objects.get(donor_key=key).total_cents == expected


def test_a_rebuild_holds_the_gifts_that_now_pass_the_limit():
    rule_2026()
    a = gift(200_000, donor())
    b = gift(200_000, donor())
    later = gift(10_000, donor(), when=PRIMARY + timedelta(days=1))
    # A merge: both of b's and later's gifts are now a's person's.
    Contribution.objects.filter(pk__in=[b.pk, later.pk]).update(person_id=a.person_id)
    donor_totals_rebuild(donor_keys=[b.donor_key, later.donor_key])
    held = dict(Contribution.objects.values_list("pk", "hold_reason"))
    assert held[a.pk] == ""
    # Received in the same second: the later id is the one that crosses the limit.
    assert "by $500.00" in held[b.pk]
    assert "by $600.00" in held[later.pk]


def test_a_rebuild_holds_excessive_gifts_written_in_bulk_and_leaves_released_ones():
    rule_2026()
    rows = [
        Contribution(
            amount_cents=cents, received_at=PRIMARY + timedelta(days=n), processor="fec",
            processor_id=f"bulk-{n}", donor_key="n:bulk|donor|43215", election="P2026",
        )
        for n, cents in enumerate((300_000, 60_000, 20_000))
    ]  # fmt: skip
    Contribution.objects.bulk_create(rows)
    released = Contribution.objects.get(processor_id="bulk-2")
    released.held_at = timezone.now()
    released.hold_resolution = "released"
    released.save()
    donor_totals_rebuild(flag=False)
    assert not Contribution.objects.filter(processor_id="bulk-1", held_at__isnull=False).exists()
    donor_totals_rebuild()
    first, crossing, last = Contribution.objects.order_by("received_at")
    assert first.held_at is None
    assert crossing.held_at and "by $100.00" in crossing.hold_reason
    assert last.hold_resolution == "released"
