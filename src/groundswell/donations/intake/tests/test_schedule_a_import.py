"""The FEC Schedule A CSV download (OpenFEC schedules/schedule_a columns), synthetic donors."""

import csv
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from groundswell.donations.intake.schedule_a_import import ScheduleAFileError, schedule_a_import
from groundswell.donations.models import Contribution, ContributionStatus

FIXTURE = Path(__file__).parent / "fixtures" / "schedule_a_sample.csv"
CMTE = "C00123456"
pytestmark = pytest.mark.django_db


def test_it_imports_the_committees_rows_with_memo_earmark_refund_and_dedupe():
    result = schedule_a_import(str(FIXTURE), committee=CMTE.lower())
    assert result.rows == 8
    assert result.created == 3  # 1001, 1002, 1003
    assert result.refunded == 1  # 1004 refunds 1001 through back_reference_transaction_id
    assert result.unchanged == 1  # 1001 again
    assert result.skipped == 1  # another committee
    assert result.rejected == 2
    assert {(e.line, e.column) for e in result.errors} == {
        (8, "contribution_receipt_date"),
        (9, "contribution_receipt_amount"),
    }

    first = Contribution.objects.get(processor="fec", processor_id="4042020261001")
    assert first.amount_cents == 25000
    assert (first.donor_given_name, first.donor_family_name) == ("Avery Q", "Tester")
    assert first.donor_address_line1 == "12 EXAMPLE ST"
    assert first.donor_postal_code == "43215-1234"
    assert first.donor_employer == "SELF-EMPLOYED"
    assert first.refunded_cents == 10000
    assert first.status == ContributionStatus.PARTIALLY_REFUNDED
    assert first.election == "P2026" and first.donor_key.startswith("n:tester|")
    memo = Contribution.objects.get(processor_id="4042020261002")
    assert memo.is_memo and memo.transaction_type == "15E"
    earmarked = Contribution.objects.get(processor_id="4042020261003")
    assert earmarked.election == "G2026" and "C00401224" in earmarked.note
    # The name came only as "LAST, FIRST": split like the itcont names.
    assert (earmarked.donor_given_name, earmarked.donor_family_name) == ("Casey", "Fixture")
    assert not Contribution.objects.filter(processor_id="4042020261004").exists()


def test_importing_the_same_file_again_changes_nothing():
    schedule_a_import(str(FIXTURE), committee=CMTE)
    again = schedule_a_import(str(FIXTURE), committee=CMTE)
    assert (again.created, again.refunded) == (0, 0)
    assert Contribution.objects.count() == 3
    assert Contribution.objects.get(processor_id="4042020261001").refunded_cents == 10000


def test_columns_are_found_by_name_in_any_order(tmp_path):
    with FIXTURE.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    header = list(reversed(rows[0].keys()))
    path = tmp_path / "reordered.csv"
    with path.open("w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.DictWriter(fh, header)
        writer.writeheader()
        writer.writerows(rows[:3])
    result = schedule_a_import(str(path), committee=CMTE)
    assert result.created == 3 and result.rejected == 0


def test_a_file_without_the_required_columns_is_refused(tmp_path):
    path = tmp_path / "not_schedule_a.csv"
    path.write_text("name,amount\nSomeone,10\n", encoding="utf-8")
    with pytest.raises(ScheduleAFileError, match="sub_id"):
        schedule_a_import(str(path), committee=CMTE)
    with pytest.raises(CommandError, match="missing column"):
        call_command("import", "fec", str(path), "--committee", CMTE, "--format", "schedule-a")


def test_the_command_imports_schedule_a_and_writes_the_errors(tmp_path):
    out = tmp_path / "errors.csv"
    call_command(
        "import", "fec", str(FIXTURE), "--committee", CMTE, "--format", "schedule-a",
        "--errors", str(out), verbosity=0,
    )  # fmt: skip
    assert Contribution.objects.filter(processor="fec").count() == 3
    assert "8,contribution_receipt_date" in out.read_text()
