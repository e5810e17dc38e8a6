"""A Schedule A download in the real layout (the fixture's header), written here with synthetic
people: individuals' gifts, the candidate's money and loans, PAC money, transfers, offsets, an
earmark with its conduit's memo row and reattribution/redesignation memo pairs."""

import csv
from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from groundswell.donations.finance.selectors import (
    other_receipts_totals,
    raised_from_individuals_cents,
)
from groundswell.donations.intake.schedule_a_import import schedule_a_import
from groundswell.donations.models import (
    Contribution,
    DonorElectionTotal,
    HoldResolution,
    OtherReceipt,
    cents_display,
)
from groundswell.donations.selectors import DateRange

FIXTURE = Path(__file__).parent / "fixtures" / "schedule_a_sample.csv"
CMTE = "C00123456"
pytestmark = pytest.mark.django_db

with FIXTURE.open(newline="") as _fh:
    HEADER = next(csv.reader(_fh))


def sa(sub_id, line, entity, amount, name, *, tran, memo="", back="", rtype="15", **kw):
    family, _, given = name.partition(", ")
    row = dict.fromkeys(HEADER, "")
    row.update(
        committee_id=CMTE, committee_name="SAMPLE FOR CONGRESS", report_year="2026",
        report_type="Q1", filing_form="F3", line_number=line, transaction_id=tran,
        file_number="1400001", entity_type=entity, contributor_name=name,
        contributor_first_name=given if entity == "IND" else "",
        contributor_last_name=family if entity == "IND" else "",
        contributor_city="COLUMBUS", contributor_state="OH", contributor_zip="432151234",
        receipt_type=rtype, memo_code=memo, contribution_receipt_date="2026-03-15 00:00:00",
        contribution_receipt_amount=str(amount), election_type="P2026", amendment_indicator="N",
        sub_id=sub_id, back_reference_transaction_id=back,
    )  # fmt: skip
    row.update(kw)
    return row


def mixed_rows():
    return [
        sa("5001", "11AI", "IND", 500, "EXAMPLE, AVERY", tran="SA11AI.1"),
        # A returned check, filed as a negative receipt pointing at the gift.
        sa("5015", "11AI", "IND", -100, "EXAMPLE, AVERY", tran="SA11AI.1N", back="SA11AI.1"),
        # Over the $3,500 limit, then redesignated in part to the general by a memo pair.
        sa("5002", "11AI", "IND", 7000, "SAMPLE, BLAKE", tran="SA11AI.2"),
        sa("5003", "11AI", "IND", -3500, "SAMPLE, BLAKE", tran="SA11AI.2R1", memo="X",
           back="SA11AI.2", memo_text="REDESIGNATION TO GENERAL"),
        sa("5004", "11AI", "IND", 3500, "SAMPLE, BLAKE", tran="SA11AI.2R2", memo="X",
           back="SA11AI.2", election_type="G2026", memo_text="REDESIGNATION FROM PRIMARY"),
        # Earmarked, receipt type left blank; the conduit follows as a memo row.
        sa("5005", "11AI", "IND", 50, "FIXTURE, CASEY", tran="SA11AI.3", rtype=""),
        sa("5006", "11AI", "PAC", 50, "ACTBLUE", tran="SA11AI.3E", memo="X",
           memo_text="EARMARK MEMO"),
        # Reattributed in part to a joint account holder.
        sa("5007", "11AI", "IND", 5000, "TESTER, DANA", tran="SA11AI.4"),
        sa("5008", "11AI", "IND", -1500, "TESTER, DANA", tran="SA11AI.4R1", memo="X",
           back="SA11AI.4", memo_text="REATTRIBUTION TO SPOUSE"),
        sa("5009", "11AI", "IND", 1500, "TESTER, ELLIS", tran="SA11AI.4R2", memo="X",
           back="SA11AI.4", memo_text="REATTRIBUTION FROM SPOUSE"),
        sa("5010", "11D", "CAN", 20000, "CANDIDATE, PAT", tran="SA11D.1", rtype="15C"),
        sa("5011", "13A", "CAN", 825000, "CANDIDATE, PAT", tran="SA13A.1", rtype="16C"),
        sa("5012", "11C", "PAC", 5000, "EXAMPLE WORKERS PAC", tran="SA11C.1", rtype="15"),
        sa("5013", "12", "CCM", 10000, "VICTORY FUND, SAMPLE", tran="SA12.1", rtype="18G"),
        sa("5014", "14", "ORG", 120, "EXAMPLE PRINTING, INC", tran="SA14.1", rtype="17R"),
    ]  # fmt: skip


def write(tmp_path, rows, name="schedule_a.csv"):
    path = tmp_path / name
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, HEADER)
        writer.writeheader()
        writer.writerows(rows)
    return str(path)


def individual_total_from_file(rows) -> int:
    """The sum of the 11AI non-memo rows from individuals, in cents, read from the file."""
    return sum(
        round(float(r["contribution_receipt_amount"]) * 100)
        for r in rows
        if r["line_number"] == "11AI" and r["entity_type"] == "IND" and r["memo_code"] != "X"
    )


def test_only_individuals_gifts_count_and_nothing_but_them_is_held(tmp_path, client, finance_user):
    rows = mixed_rows()
    result = schedule_a_import(write(tmp_path, rows), committee=CMTE)
    assert result.rejected == 0
    assert Contribution.objects.get(processor_id="5001").refunded_cents == 10_000
    period = DateRange(date(2026, 1, 1), date(2026, 12, 31))
    expected = individual_total_from_file(rows)
    assert expected == 1_245_000
    assert raised_from_individuals_cents(period=period) == expected
    # Nothing is held: the excess was redesignated, a loan or committee's money is no gift.
    assert not Contribution.objects.filter(held_at__isnull=False).exists()
    assert not Contribution.objects.filter(amount_cents__in=[82_500_000, 2_000_000]).exists()
    kinds = dict(OtherReceipt.objects.filter(is_memo=False).values_list("sub_id", "kind"))
    assert kinds == {
        "5010": "candidate", "5011": "candidate_loan", "5012": "committee",
        "5013": "transfer", "5014": "offset",
    }  # fmt: skip
    assert result.by_kind["candidate_loan"] == 82_500_000

    # The redesignation moved 3,500 from the primary to the general, as filed.
    totals = dict(
        DonorElectionTotal.objects.filter(donor_key__startswith="n:sample|").values_list(
            "election", "total_cents"
        )
    )
    assert totals == {"P2026": 350_000, "G2026": 350_000}
    assert Contribution.objects.get(processor_id="5004").redesignated_from == "P2026"
    assert Contribution.objects.get(processor_id="5003").is_memo
    # The reattribution moved 1,500 from Dana to Ellis.
    ellis = Contribution.objects.get(processor_id="5009")
    assert not ellis.is_memo and ellis.reattributed_from.processor_id == "5007"
    assert Contribution.objects.get(processor_id="5007").amount_cents == 350_000

    # The conduit named from its memo row; it is no person's gift.
    earmarked = Contribution.objects.get(processor_id="5005")
    assert earmarked.transaction_type == "15E" and "ACTBLUE" in earmarked.note
    assert not Contribution.objects.filter(processor_id="5006").exists()
    conduit = OtherReceipt.objects.get(sub_id="5006")
    assert conduit.kind == "conduit" and conduit.name == "ACTBLUE"
    assert OtherReceipt.objects.get(sub_id="5013").name == "VICTORY FUND, SAMPLE"

    client.force_login(finance_user)
    page = client.get(
        reverse("donations:finance_home"), {"start": "2026-01-01", "end": "2026-12-31"}
    )
    text = page.content.decode()
    assert f'id="net-raised">{cents_display(expected)}<' in text
    assert "Loan from the candidate" in text and cents_display(82_500_000) in text
    listed = client.get(reverse("donations:other_receipts"), {"kind": "candidate_loan"})
    assert cents_display(82_500_000) in listed.content.decode()
    assert "EXAMPLE WORKERS PAC" not in listed.content.decode()

    again = schedule_a_import(write(tmp_path, rows), committee=CMTE)
    assert (again.created, again.other_receipts, again.adjusted) == (0, 0, 0)
    assert again.unchanged == again.rows == len(rows)
    assert raised_from_individuals_cents(period=period) == expected


def test_a_donor_held_is_released_when_a_later_filing_redesignates_the_excess(tmp_path):
    rows = mixed_rows()
    schedule_a_import(write(tmp_path, rows[2:3], "q1.csv"), committee=CMTE)
    held = Contribution.objects.get(processor_id="5002")
    assert held.held_at is not None and not held.hold_resolution
    result = schedule_a_import(write(tmp_path, rows[3:5], "amend.csv"), committee=CMTE)
    assert result.released == 1
    held.refresh_from_db()
    assert held.hold_resolution == HoldResolution.REDESIGNATED
    assert held.amount_cents == 350_000


def test_the_command_tells_the_formats_apart(tmp_path):
    path = write(tmp_path, mixed_rows())
    call_command("import", "fec", path, "--committee", CMTE, verbosity=0)
    assert Contribution.objects.filter(processor_id="5001").exists()
    with pytest.raises(CommandError, match="--format schedule-a"):
        call_command("import", "fec", path, "--committee", CMTE, "--format", "itcont")
    other = tmp_path / "other.csv"
    other.write_text("name,amount\nSomeone,10\n", encoding="utf-8")
    with pytest.raises(CommandError, match="--format itcont or --format schedule-a"):
        call_command("import", "fec", str(other), "--committee", CMTE)


def test_an_amended_report_filed_again_counts_each_receipt_once(tmp_path):
    rows = mixed_rows()
    schedule_a_import(write(tmp_path, rows, "q1.csv"), committee=CMTE)
    # The amendment files the whole report again (new SUB_IDs, a later filing), one amount
    # corrected.
    amended = [
        {**row, "sub_id": f"9{row['sub_id']}", "file_number": "1400002", "amendment_indicator": "A"}
        for row in rows
    ]
    amended[0]["contribution_receipt_amount"] = "600"
    result = schedule_a_import(write(tmp_path, amended, "q1a.csv"), committee=CMTE)
    assert result.superseded >= 10 and result.rejected == 0
    period = DateRange(date(2026, 1, 1), date(2026, 12, 31))
    expected = individual_total_from_file(amended)
    assert expected == individual_total_from_file(rows) + 10_000
    assert raised_from_individuals_cents(period=period) == expected
    assert not Contribution.objects.filter(held_at__isnull=False).exists()
    loans = OtherReceipt.objects.filter(kind="candidate_loan")
    assert sorted(loans.values_list("sub_id", "superseded")) == [("5011", True), ("95011", False)]
    by_kind = {t.kind: t.cents for t in other_receipts_totals(period=period)}
    assert by_kind["candidate_loan"] == 82_500_000


def test_a_receipt_filed_without_a_date_is_dated_by_its_filing(tmp_path):
    # Real filings leave a receipt's date blank now and then (payroll deductions made over many
    # days, say). The filing's day stands for it: the day received (an 18-digit image number
    # begins with it) or, for filings before June 2015, the day the FEC processed it (its
    # SUB_ID's MMDDYYYY after the first digit); with neither, the row is refused.
    undated = {"contribution_receipt_date": ""}
    rows = [
        sa("5101", "11AI", "IND", 250, "EXAMPLE, AVERY", tran="SA11AI.101",
           image_number="202604159876543210", **undated),
        sa("4051220141234567890", "11AI", "IND", 100, "SAMPLE, BLAKE", tran="SA11AI.102",
           image_number="14960123456", **undated),
        sa("4060220141234567891", "13A", "CAN", 5000, "CANDIDATE, PAT", tran="SA13A.103",
           rtype="16C", image_number="14960123457", **undated),
        sa("5104", "11AI", "IND", 75, "FIXTURE, CASEY", tran="SA11AI.104",
           image_number="14960123458", **undated),
    ]  # fmt: skip
    result = schedule_a_import(write(tmp_path, rows), committee=CMTE)
    assert (result.created, result.other_receipts, result.rejected) == (2, 1, 1)
    assert [(e.column, e.value) for e in result.errors] == [("contribution_receipt_date", "")]
    days = {c.processor_id: (c.received_at.date(), c.note) for c in Contribution.objects.all()}
    assert days["5101"][0] == date(2026, 4, 15) and "from its image number" in days["5101"][1]
    assert days["4051220141234567890"][0] == date(2014, 5, 12)
    assert "processed by the FEC" in days["4051220141234567890"][1]
    loan = OtherReceipt.objects.get()
    assert loan.received_at.date() == date(2014, 6, 2) and "from its SUB_ID" in loan.note
