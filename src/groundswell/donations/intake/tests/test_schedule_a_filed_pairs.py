"""Reattribution/redesignation pairs as real Schedule A downloads file them: the negative half
names no gift, the positive half points at the gift or at the negative half.

Rows written here in the download's layout (``test_schedule_a_kinds.sa``) with made-up donors;
the shapes are those of every committee's file read so far (``schedule_a_pairs``).
"""

from __future__ import annotations

import pytest
from django.db import transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from groundswell.core.tests.hostile import EXAMPLES, SUITE
from groundswell.donations.intake.schedule_a_import import schedule_a_import
from groundswell.donations.intake.tests.test_schedule_a_kinds import CMTE, sa, write
from groundswell.donations.intake.tests.test_schedule_a_memo_halves import state
from groundswell.donations.models import Contribution, DonorElectionTotal, MemoHalf

EARLIER = sa(
    "7000",
    "11AI",
    "IND",
    7000,
    "SAMPLE, BLAKE",
    tran="SA11AI.20",
    contribution_receipt_date="2026-02-01 00:00:00",
)
GIFT = sa("7001", "11AI", "IND", 7000, "SAMPLE, BLAKE", tran="SA11AI.21")
# The positive half points at the gift; the negative half, the same filing's, at nothing.
TO_GIFT = [
    sa("7002", "11AI", "IND", -3500, "SAMPLE, BLAKE", tran="SA11AI.21R1", memo="X"),
    sa(
        "7003",
        "11AI",
        "IND",
        3500,
        "SAMPLE, BLAKE",
        tran="SA11AI.21R2",
        memo="X",
        back="SA11AI.21",
        election_type="G2026",
    ),
]
# The positive half points at the negative half; the gift is named in words only.
TO_NEGATIVE = [
    sa(
        "7004",
        "11AI",
        "IND",
        -3500,
        "SAMPLE, BLAKE",
        tran="SA11AI.21R3",
        memo="X",
        memo_text="REDESIGNATION OF 3/15 DONATION",
    ),
    sa(
        "7005",
        "11AI",
        "IND",
        3500,
        "SAMPLE, BLAKE",
        tran="SA11AI.21R4",
        memo="X",
        back="SA11AI.21R3",
        election_type="G2026",
        memo_text="REDESIGNATION OF 3/15 DONATION",
    ),
]
SPOUSE_GIFT = sa("7010", "11AI", "IND", 5000, "TESTER, DANA", tran="SA11AI.30")
CASEY_GIFT = sa("7035", "11AI", "IND", 7000, "FIXTURE, CASEY", tran="SA11AI.35")
TO_SPOUSE = [
    sa("7011", "11AI", "IND", -1500, "TESTER, DANA", tran="SA11AI.30R1", memo="X",
       memo_text="REATTRIBUTION TO SPOUSE"),
    sa("7012", "11AI", "IND", 1500, "TESTER, ELLIS", tran="SA11AI.30R2", memo="X",
       back="SA11AI.30", memo_text="REATTRIBUTION FROM SPOUSE"),
]  # fmt: skip


def totals(prefix: str) -> dict[str, int]:
    return dict(
        DonorElectionTotal.objects.filter(donor_key__startswith=prefix).values_list(
            "election", "total_cents"
        )
    )


def unresolved_holds() -> list[str]:
    return sorted(
        Contribution.objects.filter(held_at__isnull=False, hold_resolution="").values_list(
            "processor_id", flat=True
        )
    )


@pytest.mark.django_db
@pytest.mark.parametrize("halves", [TO_GIFT, TO_NEGATIVE], ids=["to the gift", "to the negative"])
def test_a_redesignation_filed_with_one_back_reference_moves_the_excess(tmp_path, halves):
    result = schedule_a_import(write(tmp_path, [GIFT, *halves]), committee=CMTE)
    assert result.adjusted == 2 and result.lone_count == 0
    assert Contribution.objects.get(processor_id="7001").amount_cents == 350_000
    negative = Contribution.objects.get(processor_id=halves[0]["sub_id"])
    assert negative.is_memo and negative.fec_memo_half == MemoHalf.TAKEN
    moved = Contribution.objects.get(processor_id=halves[1]["sub_id"])
    assert not moved.is_memo and moved.redesignated_from == "P2026"
    assert moved.fec_memo_half == MemoHalf.GIVEN
    assert totals("n:sample|") == {"P2026": 350_000, "G2026": 350_000}
    assert unresolved_holds() == []  # the $7,000 primary gift was held, and is released
    done = state()
    again = schedule_a_import(write(tmp_path, [GIFT, *halves]), committee=CMTE)
    assert again.adjusted == 0 and again.created == 0 and again.lone_count == 0
    assert state() == done


@pytest.mark.django_db
def test_a_reattribution_whose_negative_half_names_no_gift_counts_for_the_spouse(tmp_path):
    result = schedule_a_import(write(tmp_path, [SPOUSE_GIFT, *TO_SPOUSE]), committee=CMTE)
    assert result.adjusted == 2
    ellis = Contribution.objects.get(processor_id="7012")
    assert not ellis.is_memo and ellis.reattributed_from.processor_id == "7010"
    assert Contribution.objects.get(processor_id="7010").amount_cents == 350_000
    assert totals("n:tester|ellis|") == {"P2026": 150_000}


@pytest.mark.django_db
def test_the_money_named_in_words_comes_from_the_latest_gift_that_holds_it(tmp_path):
    small = sa("7020", "11AI", "IND", 1000, "SAMPLE, BLAKE", tran="SA11AI.22",
               contribution_receipt_date="2026-03-10 00:00:00")  # fmt: skip
    later = sa("7021", "11AI", "IND", 7000, "SAMPLE, BLAKE", tran="SA11AI.23",
               contribution_receipt_date="2026-03-20 00:00:00")  # fmt: skip
    schedule_a_import(write(tmp_path, [EARLIER, small, later, *TO_NEGATIVE]), committee=CMTE)
    amounts = dict(
        Contribution.objects.filter(processor_id__in=["7000", "7020", "7021"]).values_list(
            "processor_id", "amount_cents"
        )
    )
    # The $1,000 gift is later but cannot hold $3,500; the $7,000 gift after the memo's date
    # cannot be the one it moved.
    assert amounts == {"7000": 350_000, "7020": 100_000, "7021": 700_000}


# Neither half points at anything: paired by filing, date and amount, and by what they say or
# whose they are.
NEITHER = [
    sa("7030", "11AI", "IND", -1500, "TESTER, DANA", tran="A-730", memo="X",
       memo_text="REATTRIBUTION FROM"),
    sa("7031", "11AI", "IND", 1500, "TESTER, ELLIS", tran="A-731", memo="X",
       memo_text="REATTRIBUTION TO"),
    sa("7032", "11AI", "IND", -3500, "FIXTURE, CASEY", tran="A-732", memo="X"),
    sa("7033", "11AI", "IND", 3500, "FIXTURE, CASEY", tran="A-733", memo="X",
       election_type="G2026", memo_text="REDESIGNATION TO GENERAL"),
    # A partner's share of a partnership's gift: a memo row that is no half of anything.
    sa("7034", "11AI", "IND", 500, "PARTNER, ONE", tran="A-734", memo="X",
       memo_text="PARTNERSHIP: EXAMPLE HOLDINGS LLC"),
]  # fmt: skip


@pytest.mark.django_db
def test_a_pair_neither_half_of_which_points_anywhere_is_applied(tmp_path):
    result = schedule_a_import(write(tmp_path, [CASEY_GIFT, SPOUSE_GIFT, *NEITHER]), committee=CMTE)
    assert result.adjusted == 4 and result.lone_count == 0
    amounts = dict(Contribution.objects.values_list("processor_id", "amount_cents"))
    assert amounts["7035"] == 350_000 and amounts["7010"] == 350_000
    ellis = Contribution.objects.get(processor_id="7031")
    assert not ellis.is_memo and ellis.reattributed_from.processor_id == "7010"
    assert Contribution.objects.get(processor_id="7033").redesignated_from == "P2026"
    partner = Contribution.objects.get(processor_id="7034")
    assert partner.is_memo and partner.fec_memo_half == ""
    assert unresolved_holds() == []


@pytest.mark.django_db
def test_two_loose_pairs_alike_are_left_apart(tmp_path):
    # Two spouses' reattributions of the same amount on one day: nothing says which is which.
    twin = [
        dict(NEITHER[0], sub_id="7040", transaction_id="A-740"),
        dict(NEITHER[1], sub_id="7041", transaction_id="A-741"),
    ]
    result = schedule_a_import(
        write(tmp_path, [SPOUSE_GIFT, NEITHER[0], NEITHER[1], *twin]), committee=CMTE
    )
    assert result.adjusted == 0 and result.lone_count == 0
    assert Contribution.objects.get(processor_id="7010").amount_cents == 500_000
    assert Contribution.objects.filter(is_memo=False).count() == 1


@pytest.mark.django_db
def test_two_takes_named_in_words_never_take_more_than_a_gift_holds(tmp_path):
    second = [
        dict(TO_NEGATIVE[0], sub_id="7050", transaction_id="SA11AI.21R5"),
        dict(TO_NEGATIVE[1], sub_id="7051", transaction_id="SA11AI.21R6",
             back_reference_transaction_id="SA11AI.21R5"),
        dict(TO_NEGATIVE[0], sub_id="7052", transaction_id="SA11AI.21R7"),
        dict(TO_NEGATIVE[1], sub_id="7053", transaction_id="SA11AI.21R8",
             back_reference_transaction_id="SA11AI.21R7"),
    ]  # fmt: skip
    schedule_a_import(write(tmp_path, [EARLIER, GIFT, *TO_NEGATIVE, *second]), committee=CMTE)
    gifts = dict(
        Contribution.objects.filter(processor_id__in=["7000", "7001"]).values_list(
            "processor_id", "is_memo"
        )
    )
    # Three takes of $3,500: the latest $7,000 gift holds two (it goes whole: a memo entry),
    # the earlier one the third; $3,500 of the $14,000 still counts for the primary.
    assert gifts == {"7000": False, "7001": True}
    assert Contribution.objects.get(processor_id="7000").amount_cents == 350_000
    assert totals("n:sample|") == {"P2026": 350_000, "G2026": 1_050_000}


@pytest.mark.django_db
def test_a_tran_id_used_in_two_reports_points_at_the_later_filing_on_both_backends(tmp_path):
    # TRAN_IDs are unique only within a report. The year-end report's gift, filed on paper
    # (no file number), and this quarter's e-filed gift share one; a back reference names the
    # later filing's, which holds the $3,500 moved; the paper one could not. SQLite and
    # PostgreSQL put a missing file number at opposite ends of an ordering unless told where.
    paper = dict(
        GIFT,
        sub_id="7060",
        contribution_receipt_amount="1000",
        report_type="YE",
        report_year="2025",
        file_number="",
        contribution_receipt_date="2025-12-01 00:00:00",
        election_type="P2026",
    )
    schedule_a_import(write(tmp_path, [paper, GIFT, *TO_GIFT]), committee=CMTE)
    amounts = dict(
        Contribution.objects.filter(processor_id__in=["7060", "7001"]).values_list(
            "processor_id", "amount_cents"
        )
    )
    assert amounts == {"7060": 100_000, "7001": 350_000}


@pytest.mark.django_db
def test_a_negative_half_without_its_positive_half_is_a_plain_memo_row(tmp_path):
    other_day = dict(TO_GIFT[1], contribution_receipt_date="2026-03-16 00:00:00")
    result = schedule_a_import(write(tmp_path, [GIFT, TO_GIFT[0], other_day]), committee=CMTE)
    # Not the same day: not one pair. The positive half waits; the negative one moves nothing.
    assert result.adjusted == 0 and result.lone_count == 1
    assert Contribution.objects.get(processor_id="7001").amount_cents == 700_000
    negative = Contribution.objects.get(processor_id="7002")
    assert negative.is_memo and negative.fec_memo_half == ""
    assert unresolved_holds() == ["7001"]


@pytest.mark.django_db
def test_a_pair_whose_gift_is_not_here_waits_and_is_named(tmp_path):
    result = schedule_a_import(write(tmp_path, TO_NEGATIVE), committee=CMTE)
    assert result.adjusted == 0 and result.lone_count == 1
    assert "SA11AI.21R4" in result.lone_halves[0]
    assert Contribution.objects.filter(is_memo=False).count() == 0


@pytest.mark.django_db(transaction=False)
def test_the_filed_pairs_give_the_same_money_in_any_line_order(tmp_path):
    rows = [GIFT, *TO_GIFT, SPOUSE_GIFT, *TO_SPOUSE, EARLIER, CASEY_GIFT, *NEITHER[2:]]
    with transaction.atomic():
        schedule_a_import(write(tmp_path, rows, "whole.csv"), committee=CMTE)
        whole = state()
        transaction.set_rollback(True)

    @settings(SUITE, max_examples=min(EXAMPLES, 40))
    @given(order=st.permutations(range(len(rows))))
    def property_holds(order):
        with transaction.atomic():
            schedule_a_import(
                write(tmp_path, [rows[i] for i in order], "shuffled.csv"), committee=CMTE
            )
            assert state() == whole
            transaction.set_rollback(True)

    property_holds()


MEMO_ROWS = st.lists(
    st.fixed_dictionaries(
        {
            "dollars": st.sampled_from([-7000, -3500, -1500, 1500, 3500, 7000]),
            "back": st.sampled_from(["", "SA11AI.21", "SA11AI.30", "M0", "M1", "M2"]),
            "name": st.sampled_from(["SAMPLE, BLAKE", "TESTER, DANA", "TESTER, ELLIS"]),
            "text": st.sampled_from(["", "REATTRIBUTION TO", "REDESIGNATION FROM"]),
            "day": st.sampled_from(["2026-03-15", "2026-03-16"]),
            "election": st.sampled_from(["P2026", "G2026"]),
        }
    ),
    max_size=6,
)


@pytest.mark.django_db(transaction=False)
def test_memo_rows_of_any_shape_move_money_but_never_make_or_lose_it(tmp_path):
    gifts = [GIFT, SPOUSE_GIFT, EARLIER]
    counted = sum(int(g["contribution_receipt_amount"]) * 100 for g in gifts)

    @settings(SUITE, max_examples=min(EXAMPLES, 60))
    @given(memos=MEMO_ROWS)
    def property_holds(memos):
        rows = list(gifts)
        for i, m in enumerate(memos):
            rows.append(
                sa(
                    str(7100 + i),
                    "11AI",
                    "IND",
                    m["dollars"],
                    m["name"],
                    tran=f"M{i}",
                    memo="X",
                    back=m["back"],
                    memo_text=m["text"],
                    contribution_receipt_date=f"{m['day']} 00:00:00",
                    election_type=m["election"],
                )  # fmt: skip
            )
        with transaction.atomic():
            schedule_a_import(write(tmp_path, rows, "memos.csv"), committee=CMTE)
            total = sum(
                Contribution.objects.filter(is_memo=False).values_list("amount_cents", flat=True)
            )
            assert total == counted
            again = schedule_a_import(write(tmp_path, rows, "memos.csv"), committee=CMTE)
            assert again.created == 0 and again.adjusted == 0
            transaction.set_rollback(True)

    property_holds()
