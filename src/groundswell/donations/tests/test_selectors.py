"""The dashboard numbers on crafted data: what counts, medians, new donors, recurring revenue."""

from __future__ import annotations

from datetime import date

import pytest

from groundswell.donations import selectors
from groundswell.donations.compliance import itemization
from groundswell.donations.finance import selectors as finance_selectors
from groundswell.donations.finance.tests.finance_data import at, gift, series
from groundswell.donations.models import ContributionStatus, RecurringPeriod, RecurringSeries
from groundswell.donations.selectors import DateRange
from groundswell.people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

MARCH = DateRange(date(2026, 3, 1), date(2026, 3, 31))
D = date(2026, 3, 10)


def test_a_range_must_not_end_before_it_starts():
    with pytest.raises(ValueError):
        DateRange(date(2026, 3, 2), date(2026, 3, 1))


def test_memo_rows_are_never_counted():
    gift(2_700, day=D)
    gift(50_000, day=D, is_memo=True)
    totals = selectors.money_totals(period=MARCH)
    assert (totals.gross_cents, totals.net_cents, totals.count) == (2_700, 2_700, 1)
    assert selectors.donor_counts(period=MARCH).donors == 1


def test_refunds_are_netted_and_refunded_voided_charged_back_gifts_count_nothing():
    gift(10_000, day=D, refunded_cents=2_500)  # partially refunded: 75.00 counts
    gift(3_000, day=D, refunded_cents=3_000, status=ContributionStatus.REFUNDED)
    gift(4_000, day=D, status=ContributionStatus.VOIDED)
    gift(5_000, day=D, status=ContributionStatus.CHARGED_BACK)
    gift(1_000, day=D)
    totals = selectors.money_totals(period=MARCH)
    assert totals.gross_cents == 23_000
    assert totals.net_cents == 8_500
    assert totals.refunds_cents == 14_500
    assert totals.count == 2
    assert totals.average_cents == 4_250
    assert selectors.donor_counts(period=MARCH).donors == 2
    assert selectors.gift_median_cents(period=MARCH) == 4_250


def test_the_range_takes_whole_days_in_the_campaign_time_zone():
    gift(100, when=at(date(2026, 2, 28), 23, 59))
    gift(200, when=at(date(2026, 3, 1), 0, 0))
    gift(400, when=at(date(2026, 3, 31), 23, 59))
    gift(800, when=at(date(2026, 4, 1), 0, 0))
    assert selectors.money_totals(period=MARCH).net_cents == 600


def test_median_of_an_odd_number_of_gifts_is_the_middle_one():
    for cents in (500, 100_000, 2_700, 300, 1_000):
        gift(cents, day=D)
    assert selectors.gift_median_cents(period=MARCH) == 1_000


def test_median_of_an_even_number_of_gifts_is_the_mean_of_the_middle_two():
    for cents in (500, 100_000, 2_700, 300, 1_000, 1_001):
        gift(cents, day=D)
    # middle two: 1_000 and 1_001 → 1_000.5, rounded half up
    assert selectors.gift_median_cents(period=MARCH) == 1_001


def test_median_uses_net_amounts_and_is_none_without_gifts():
    assert selectors.gift_median_cents(period=MARCH) is None
    gift(10_000, day=D, refunded_cents=9_000)  # nets 1_000
    gift(2_000, day=D)
    gift(3_000, day=D)
    assert selectors.gift_median_cents(period=MARCH) == 2_000


def test_median_reads_one_or_two_rows_in_one_query(django_assert_num_queries):
    for cents in range(100, 2_100, 100):
        gift(cents, day=D)
    with django_assert_num_queries(1):
        assert selectors.gift_median_cents(period=MARCH, count=20) == 1_050


def test_donor_counts_take_one_query(django_assert_num_queries):
    gift(1_000, day=date(2026, 2, 1), donor_key="n:a|1|1")
    gift(1_000, day=D, donor_key="n:a|1|1")
    gift(1_000, day=D, donor_key="n:b|2|1")
    with django_assert_num_queries(1):
        counts = selectors.donor_counts(period=MARCH)
    assert (counts.donors, counts.new, counts.returning) == (2, 1, 1)


def test_a_donor_whose_first_gift_is_on_the_first_day_of_the_range_is_new():
    gift(1_000, when=at(date(2026, 3, 1), 0, 5), donor_key="n:new|one|43215")
    gift(1_000, day=date(2026, 3, 20), donor_key="n:new|one|43215")
    counts = selectors.donor_counts(period=MARCH)
    assert (counts.donors, counts.new, counts.returning) == (1, 1, 0)


def test_a_donor_who_gave_the_day_before_the_range_is_returning():
    gift(1_000, when=at(date(2026, 2, 28), 23, 55), donor_key="n:old|two|43215")
    gift(1_000, day=date(2026, 3, 2), donor_key="n:old|two|43215")
    gift(1_000, day=date(2026, 3, 3), donor_key="n:fresh|three|43215")
    counts = selectors.donor_counts(period=MARCH)
    assert (counts.donors, counts.new, counts.returning) == (2, 1, 1)


def test_an_earlier_refunded_or_memo_gift_does_not_make_a_donor_returning():
    gift(1_000, day=date(2026, 1, 5), donor_key="n:x|y|1", status=ContributionStatus.REFUNDED)
    gift(1_000, day=date(2026, 1, 6), donor_key="n:x|y|1", is_memo=True)
    gift(1_000, day=D, donor_key="n:x|y|1")
    assert selectors.donor_counts(period=MARCH).new == 1


def test_a_donor_is_the_key_else_the_person_else_the_contribution():
    person = PersonFactory()
    gift(1_000, day=D, donor_key="", person=person)
    gift(1_000, day=D, donor_key="", person=person)
    gift(1_000, day=D, donor_key="")  # no key, no person: a donor of its own
    gift(1_000, day=D, donor_key="")
    assert selectors.donor_counts(period=MARCH).donors == 3


def test_new_donors_on_a_page_look_at_gifts_on_every_page():
    from groundswell.donations.models import DonationPage

    page = DonationPage.objects.create(slug="spring", title="Spring")
    gift(1_000, day=date(2026, 2, 1), donor_key="n:a|b|1")  # elsewhere, before
    gift(1_000, day=D, donor_key="n:a|b|1", page=page)
    gift(1_000, day=D, donor_key="n:c|d|1", page=page)
    gift(1_000, day=D, donor_key="n:e|f|1")  # not on the page
    counts = selectors.donor_counts(period=MARCH, page_id=page.pk)
    assert (counts.donors, counts.new) == (2, 1)


def test_monthly_recurring_revenue_counts_weekly_gifts_52_times_a_year():
    person = PersonFactory()
    series(2_500, period=RecurringPeriod.MONTHLY, person=person)
    series(1_000, period=RecurringPeriod.WEEKLY, person=person)
    series(700, period=RecurringPeriod.WEEKLY)
    series(9_900, status=RecurringSeries.Status.CANCELLED)
    series(9_900, status=RecurringSeries.Status.FAILING)
    summary = selectors.recurring_summary()
    # 2_500 + (1_000 + 700) × 52 / 12 = 2_500 + 7_366.67
    assert summary.monthly_cents == 9_867
    assert summary.series == 3
    assert summary.donors == 2


def test_recurring_series_started_after_the_range_are_not_counted():
    series(2_500, started=date(2026, 2, 1))
    series(2_500, started=date(2026, 4, 2))
    summary = selectors.recurring_summary(as_of=MARCH.end_before)
    assert (summary.series, summary.monthly_cents) == (1, 2_500)


def test_by_day_covers_every_day_and_by_refcode_puts_the_most_money_first():
    gift(1_000, day=date(2026, 3, 2), refcode="email-a")
    gift(2_000, day=date(2026, 3, 2), refcode="email-b", donor_key="n:same|x|1")
    gift(2_500, day=date(2026, 3, 4), refcode="email-b", donor_key="n:same|x|1")
    gift(9_000, day=date(2026, 3, 4), refcode="email-a", is_memo=True)
    days = selectors.totals_by_day(period=DateRange(date(2026, 3, 1), date(2026, 3, 5)))
    assert [(d.day.day, d.net_cents, d.count, d.donors) for d in days] == [
        (1, 0, 0, 0),
        (2, 3_000, 2, 2),
        (3, 0, 0, 0),
        (4, 2_500, 1, 1),
        (5, 0, 0, 0),
    ]
    codes = selectors.totals_by_refcode(period=MARCH)
    assert [(r.refcode, r.net_cents, r.count, r.donors) for r in codes] == [
        ("email-b", 4_500, 2, 1),
        ("email-a", 1_000, 1, 1),
    ]


def test_the_dashboard_for_a_refcode_counts_only_its_gifts():
    gift(1_000, day=D, refcode="sms")
    gift(7_000, day=D, refcode="email")
    board = selectors.dashboard(period=MARCH, refcode="sms")
    assert board.money.net_cents == 1_000
    assert board.by_refcode == []


def test_the_dashboard_costs_six_queries_however_many_gifts(django_assert_num_queries):
    for index in range(30):
        gift(100 * (index + 1), day=date(2026, 3, 1 + index % 28), refcode=f"r{index % 4}")
    series(1_000)
    with django_assert_num_queries(6):
        board = selectors.dashboard(period=MARCH)
    assert board.money.count == 30
    assert board.median_cents == 1_550
    assert board.donors.donors == 30
    assert len(board.by_day) == 31
    assert sum(d.net_cents for d in board.by_day) == board.money.net_cents
    assert board.recurring.monthly_cents == 1_000


def test_a_gift_is_itemized_once_the_donors_cycle_total_passes_the_threshold():
    key = "n:item|ized|1"
    first = gift(15_000, when=at(date(2025, 6, 1)), donor_key=key)
    gift(9_000, when=at(date(2024, 6, 1)), donor_key=key)  # the previous cycle
    refunded = gift(
        9_000,
        when=at(date(2025, 7, 1)),
        donor_key=key,
        refunded_cents=9_000,
        status=ContributionStatus.REFUNDED,
    )
    second = gift(5_000, when=at(date(2026, 2, 1)), donor_key=key)
    third = gift(100, when=at(date(2026, 3, 1)), donor_key=key)
    results = [
        itemization.gift_itemization(contribution=c) for c in (first, refunded, second, third)
    ]
    assert [(r.cycle, r.aggregate_cents, r.itemized) for r in results] == [
        (2026, 15_000, False),
        (2026, 15_000, False),
        (2026, 20_000, False),  # exactly $200 is not over it
        (2026, 20_100, True),
    ]


def test_a_persons_history_takes_the_gifts_merged_into_them():
    survivor, merged = PersonFactory(), PersonFactory()
    gift(1_000, day=D, person=survivor, donor_key=f"p:{survivor.pk}")
    # After a merge the gift points at the survivor but keeps the key it was counted under.
    gift(2_000, day=D, person=survivor, donor_key=f"p:{merged.pk}")
    history = finance_selectors.donor_history(identity=f"p:{survivor.pk}")
    assert (history.count, history.net_cents) == (2, 3_000)
    assert finance_selectors.donor_contributions(identity=f"p:{survivor.pk}").count() == 2
