"""Itemization: a donor's gifts of a cycle once the aggregate passes $200, with aggregates."""

from datetime import UTC, datetime

import pytest

from groundswell.donations.compliance.limits import donor_cycle_aggregate, itemized_contributions
from groundswell.donations.compliance.tests.fixtures import donor, gift, rule_2026
from groundswell.donations.services import contribution_refund

pytestmark = pytest.mark.django_db


def day(month, d, year=2026):
    return datetime(year, month, d, 17, tzinfo=UTC)


def test_exactly_200_dollars_is_not_itemized():
    rule_2026()
    who = donor()
    gift(10_000, who, when=day(1, 5))
    gift(10_000, who, when=day(2, 5))
    assert list(itemized_contributions(cycle=2026)) == []


def test_passing_200_dollars_itemizes_every_gift_of_the_cycle_with_its_aggregate():
    rule_2026()
    who = donor()
    first = gift(10_000, who, when=day(1, 5))
    second = gift(10_001, who, when=day(2, 5))
    gift(5_000, donor(), when=day(2, 6))  # another donor, under the threshold
    rows = list(itemized_contributions(cycle=2026))
    assert [(c.pk, c.aggregate_cents, c.cycle_total_cents) for c in rows] == [
        (first.pk, 10_000, 20_001),
        (second.pk, 20_001, 20_001),
    ]


def test_gifts_of_the_last_cycle_do_not_count_toward_this_one():
    rule_2026()
    who = donor()
    gift(15_000, who, when=day(12, 20, 2024))
    gift(15_000, who, when=day(1, 5, 2025))
    assert list(itemized_contributions(cycle=2026)) == []
    assert len(itemized_contributions(cycle=2024)) == 0
    assert (
        donor_cycle_aggregate(donor_key=gift(1, who, when=day(1, 6, 2025)).donor_key, cycle=2026)
        == 15_001
    )


def test_memo_rows_and_refunds_are_left_out_of_the_aggregate():
    rule_2026()
    who = donor()
    gift(15_000, who, when=day(1, 5))
    gift(15_000, who, when=day(1, 6), is_memo=True)
    refunded = gift(15_000, who, when=day(1, 7))
    assert len(itemized_contributions(cycle=2026)) == 2
    contribution_refund(
        processor="actblue", processor_id=refunded.processor_id, refund_cents=10_000, refund_key="r"
    )
    # 15,000 + 5,000 net = 20,000: no longer over the threshold.
    assert list(itemized_contributions(cycle=2026)) == []


def test_a_report_period_keeps_the_earlier_gifts_in_the_aggregate():
    rule_2026()
    who = donor()
    gift(15_000, who, when=day(1, 5))
    later = gift(6_000, who, when=day(4, 5))
    rows = list(itemized_contributions(cycle=2026, since=day(4, 1)))
    assert [(c.pk, c.aggregate_cents) for c in rows] == [(later.pk, 21_000)]


def test_a_report_period_ending_before_the_threshold_is_passed_itemizes_nothing():
    rule_2026()
    who = donor()
    gift(15_000, who, when=day(1, 5))
    gift(6_000, who, when=day(4, 5))
    assert list(itemized_contributions(cycle=2026, until=day(4, 1))) == []


def test_the_threshold_comes_from_the_cycles_rules():
    rule_2026(itemization_threshold_cents=5_000)
    gift(5_001, donor(), when=day(3, 1))
    assert len(itemized_contributions(cycle=2026)) == 1


def test_gifts_without_any_donor_are_each_their_own_donor():
    rule_2026()
    anonymous = {"given_name": "", "family_name": "", "email": ""}
    gift(15_000, anonymous, when=day(3, 1))
    gift(15_000, anonymous, when=day(3, 2))
    assert list(itemized_contributions(cycle=2026)) == []
