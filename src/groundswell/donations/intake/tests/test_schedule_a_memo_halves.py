"""Half a reattribution/redesignation memo pair in one Schedule A import, the other half later.

Rows written here in the download's layout (``test_schedule_a_kinds.sa``) with made-up donors.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from groundswell.core.tests.hostile import EXAMPLES, SUITE
from groundswell.donations.intake.schedule_a_import import schedule_a_import
from groundswell.donations.intake.tests.test_schedule_a_kinds import CMTE, sa, write
from groundswell.donations.models import Contribution, DonorElectionTotal, MemoHalf

ORIGINALS = [
    sa("6001", "11AI", "IND", 7000, "SAMPLE, BLAKE", tran="SA11AI.2"),
    sa("6004", "11AI", "IND", 5000, "TESTER, DANA", tran="SA11AI.4"),
]
HALVES = [
    sa("6002", "11AI", "IND", -3500, "SAMPLE, BLAKE", tran="SA11AI.2R1", memo="X",
       back="SA11AI.2", memo_text="REDESIGNATION TO GENERAL"),
    sa("6003", "11AI", "IND", 3500, "SAMPLE, BLAKE", tran="SA11AI.2R2", memo="X",
       back="SA11AI.2", election_type="G2026", memo_text="REDESIGNATION FROM PRIMARY"),
    sa("6005", "11AI", "IND", -1500, "TESTER, DANA", tran="SA11AI.4R1", memo="X",
       back="SA11AI.4", memo_text="REATTRIBUTION TO SPOUSE"),
    sa("6006", "11AI", "IND", 1500, "TESTER, ELLIS", tran="SA11AI.4R2", memo="X",
       back="SA11AI.4", memo_text="REATTRIBUTION FROM SPOUSE"),
]  # fmt: skip


def state() -> tuple:
    """What the money looks like: donors' totals per election and each row's amount and flag."""
    totals = sorted(
        DonorElectionTotal.objects.filter(total_cents__gt=0).values_list(
            "donor_key", "election", "total_cents"
        )
    )
    rows = sorted(
        Contribution.objects.values_list(
            "processor_id", "amount_cents", "is_memo", "redesignated_from", "status"
        )
    )
    held = sorted(
        Contribution.objects.filter(held_at__isnull=False, hold_resolution="").values_list(
            "processor_id", flat=True
        )
    )
    return totals, rows, held


@pytest.mark.django_db
def test_a_redesignation_whose_halves_arrive_apart_is_completed_by_the_later_import(tmp_path):
    first = schedule_a_import(write(tmp_path, [ORIGINALS[0], HALVES[0]], "a.csv"), committee=CMTE)
    assert first.adjusted == 0 and first.lone_count == 1
    assert len(first.lone_halves) == 1 and "SA11AI.2R1" in first.lone_halves[0]
    assert "waiting for its positive half" in first.lone_halves[0]
    gift = Contribution.objects.get(processor_id="6001")
    assert gift.amount_cents == 700_000  # nothing moved on half a pair
    negative = Contribution.objects.get(processor_id="6002")
    assert negative.is_memo and negative.fec_memo_half == MemoHalf.WAITING_TAKE

    second = schedule_a_import(write(tmp_path, [HALVES[1]], "b.csv"), committee=CMTE)
    assert second.adjusted == 2 and second.lone_halves == []
    gift.refresh_from_db()
    assert gift.amount_cents == 350_000
    moved = Contribution.objects.get(processor_id="6003")
    assert not moved.is_memo and moved.redesignated_from == "P2026"
    assert moved.fec_memo_half == MemoHalf.GIVEN
    assert Contribution.objects.get(processor_id="6002").fec_memo_half == MemoHalf.TAKEN
    totals = dict(
        DonorElectionTotal.objects.filter(donor_key__startswith="n:sample|").values_list(
            "election", "total_cents"
        )
    )
    assert totals == {"P2026": 350_000, "G2026": 350_000}
    done = state()
    # Both files again: nothing moves twice.
    for name, rows in (("a.csv", [ORIGINALS[0], HALVES[0]]), ("b.csv", [HALVES[1]])):
        again = schedule_a_import(write(tmp_path, rows, name), committee=CMTE)
        assert again.adjusted == 0 and again.lone_halves == [] and again.created == 0
    assert state() == done


@pytest.mark.django_db
def test_a_reattribution_whose_positive_half_came_first_counts_for_the_spouse_only_when_complete(
    tmp_path,
):
    schedule_a_import(write(tmp_path, [ORIGINALS[1], HALVES[3]], "a.csv"), committee=CMTE)
    ellis = Contribution.objects.get(processor_id="6006")
    assert ellis.is_memo and ellis.fec_memo_half == MemoHalf.WAITING_GIVE
    second = schedule_a_import(write(tmp_path, [HALVES[2]], "b.csv"), committee=CMTE)
    assert second.adjusted == 2
    ellis.refresh_from_db()
    assert not ellis.is_memo and ellis.reattributed_from.processor_id == "6004"
    assert Contribution.objects.get(processor_id="6004").amount_cents == 350_000


@pytest.mark.django_db
def test_the_import_summary_names_the_lone_halves(tmp_path):
    out = io.StringIO()
    path = write(tmp_path, [ORIGINALS[0], HALVES[0]])
    call_command("import", "fec", path, committee=CMTE, stdout=out, verbosity=0)
    text = out.getvalue()
    assert "1 reattribution/redesignation memo rows wait for their other half" in text
    assert "SA11AI.2R1 (-$3,500.00) on gift SA11AI.2: waiting for its positive half" in text


@pytest.mark.django_db(transaction=False)
def test_any_split_of_gifts_and_halves_over_two_imports_ends_as_one_import_does(tmp_path):
    with transaction.atomic():
        schedule_a_import(write(tmp_path, ORIGINALS + HALVES, "whole.csv"), committee=CMTE)
        whole = state()
        transaction.set_rollback(True)

    @settings(SUITE, max_examples=min(EXAMPLES, 80))
    @given(later=st.lists(st.booleans(), min_size=6, max_size=6), repeat=st.booleans())
    def property_holds(later, repeat):
        rows = ORIGINALS + HALVES
        first = [r for r, late in zip(rows, later, strict=True) if not late]
        second = [r for r, late in zip(rows, later, strict=True) if late]
        with transaction.atomic():
            for _ in range(2 if repeat else 1):
                for name, part in (("1.csv", first), ("2.csv", second)):
                    if part:
                        schedule_a_import(write(tmp_path, part, name), committee=CMTE)
            assert state() == whole
            transaction.set_rollback(True)

    property_holds()


@pytest.mark.django_db
def test_a_half_that_comes_before_its_gift_waits_for_it(tmp_path):
    first = schedule_a_import(write(tmp_path, [HALVES[0]], "a.csv"), committee=CMTE)
    assert first.lone_count == 1 and "the gift itself is not imported yet" in first.lone_halves[0]
    second = schedule_a_import(write(tmp_path, [ORIGINALS[0], HALVES[1]], "b.csv"), committee=CMTE)
    assert second.adjusted == 2 and second.lone_count == 0
    assert Contribution.objects.get(processor_id="6001").amount_cents == 350_000


@pytest.mark.django_db
def test_a_memo_row_pointing_at_a_receipt_that_is_no_gift_stays_a_plain_memo_row(tmp_path):
    rows = [
        sa("6101", "11AI", "ORG", 2000, "EXAMPLE PARTNERS LLP", tran="SA11AI.9"),
        sa("6102", "11AI", "IND", 1000, "PARTNER, ONE", tran="SA11AI.9A", memo="X",
           back="SA11AI.9", memo_text="PARTNERSHIP ATTRIBUTION"),
    ]  # fmt: skip
    result = schedule_a_import(write(tmp_path, rows), committee=CMTE)
    assert result.lone_count == 0 and result.adjusted == 0
    row = Contribution.objects.get(processor_id="6102")
    assert row.is_memo and row.fec_memo_half == ""
