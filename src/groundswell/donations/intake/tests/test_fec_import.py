"""The FEC bulk individual-contributions file, in its real 21-column layout, with Faker donors."""

from datetime import date

import pytest
from django.core.management import call_command
from faker import Faker
from hypothesis import given, settings
from hypothesis import strategies as st

from groundswell.core.tests.hostile import EXAMPLES
from groundswell.donations.intake.fec_import import fec_import
from groundswell.donations.intake.fec_rows import FEC_TZ, FieldProblem, gift_day
from groundswell.donations.models import Contribution, ContributionStatus

fake = Faker("en_US")
CMTE = "C00123456"


def row(**kw):
    values = {
        "CMTE_ID": CMTE, "AMNDT_IND": "N", "RPT_TP": "Q1", "TRANSACTION_PGI": "P2026",
        "IMAGE_NUM": "202604159876543210", "TRANSACTION_TP": "15", "ENTITY_TP": "IND",
        "NAME": f"{fake.last_name().upper()}, {fake.first_name().upper()} A",
        "CITY": fake.city().upper(), "STATE": "OH", "ZIP_CODE": "432151234",
        "EMPLOYER": "SELF-EMPLOYED", "OCCUPATION": "TEACHER", "TRANSACTION_DT": "03152026",
        "TRANSACTION_AMT": "250", "OTHER_ID": "", "TRAN_ID": fake.bothify("SA11AI.####"),
        "FILE_NUM": "1234567", "MEMO_CD": "", "MEMO_TEXT": "",
        "SUB_ID": fake.numerify("4#########"),
    }  # fmt: skip
    values.update(kw)
    return "|".join(values.values())


def write(tmp_path, lines):
    path = tmp_path / "itcont.txt"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return str(path)


@pytest.mark.django_db
def test_import_rows(tmp_path):
    lines = [
        row(SUB_ID="1001", TRAN_ID="T1", NAME="DOE, JANE Q", TRANSACTION_AMT="27.50"),
        row(SUB_ID="1002", MEMO_CD="X", MEMO_TEXT="EARMARKED"),
        row(SUB_ID="1003", TRANSACTION_TP="22Y", OTHER_ID="T1", TRANSACTION_AMT="-10"),
        row(SUB_ID="1004", TRANSACTION_TP="15E", OTHER_ID="C00401224", TRANSACTION_PGI="G2026"),
        row(SUB_ID="1005", CMTE_ID="C00999999"),
        row(SUB_ID="1001"),
        # No date that can be read and no 18-digit image number to date the filing by.
        row(SUB_ID="1006", TRANSACTION_DT="13452026", IMAGE_NUM="26020012345"),
        row(SUB_ID="1007", TRANSACTION_AMT="twelve"),
        "C00123456|N|Q1",
        row(SUB_ID="1008", TRANSACTION_TP="22Y", TRANSACTION_AMT="40"),
    ]
    path = write(tmp_path, lines)
    seen = []
    result = fec_import(path, committee=CMTE, progress=lambda d, t: seen.append((d, t)))
    assert result.created == 4  # 1001, 1002, 1004, 1008
    assert result.refunded == 1
    assert result.skipped == 1
    assert result.unchanged == 1  # the duplicate SUB_ID
    assert result.rejected == 3
    errors = {(e.line, e.column) for e in result.errors}
    assert errors == {(7, "TRANSACTION_DT"), (8, "TRANSACTION_AMT"), (9, "")}
    assert seen[-1][0] == seen[-1][1] > 0

    first = Contribution.objects.get(processor="fec", processor_id="1001")
    assert first.amount_cents == 2750
    assert first.donor_given_name.startswith("Jane") and first.donor_family_name == "Doe"
    assert first.donor_postal_code.startswith("43215")
    assert first.election == "P2026"
    assert first.refunded_cents == 1000
    assert first.status == ContributionStatus.PARTIALLY_REFUNDED
    assert Contribution.objects.get(processor_id="1002").is_memo
    earmarked = Contribution.objects.get(processor_id="1004")
    assert earmarked.transaction_type == "15E" and earmarked.election == "G2026"
    lone = Contribution.objects.get(processor_id="1008")
    assert lone.status == ContributionStatus.REFUNDED and "refund" in lone.note
    assert not Contribution.objects.filter(processor_id__in=["1003", "1005"]).exists()

    again = fec_import(path, committee=CMTE)
    assert again.created == 0 and again.refunded == 0
    assert Contribution.objects.count() == 4
    assert Contribution.objects.get(processor_id="1001").refunded_cents == 1000


@pytest.mark.django_db
def test_empty_file(tmp_path):
    result = fec_import(write(tmp_path, []), committee=CMTE)
    assert (result.rows, result.created, result.rejected) == (0, 0, 0)


@pytest.mark.django_db
def test_command(tmp_path, capsys):
    path = write(
        tmp_path, [row(SUB_ID="2001"), row(SUB_ID="2002", TRANSACTION_DT="bad", IMAGE_NUM="")]
    )
    out = tmp_path / "errors.csv"
    call_command("import", "fec", path, "--committee", CMTE, "--errors", str(out), verbosity=0)
    assert Contribution.objects.filter(processor_id="2001").exists()
    assert "2,TRANSACTION_DT" in out.read_text()


@pytest.mark.django_db
def test_a_gift_without_a_readable_date_is_dated_by_its_filing(tmp_path):
    # Real itcont files carry gifts with a blank or impossible TRANSACTION_DT; the gift is real
    # and is kept, dated by the filing that lists it (its 18-digit image number, YYYYMMDD…).
    lines = [
        row(SUB_ID="3001", TRANSACTION_DT="", IMAGE_NUM="202604159876543210"),
        row(SUB_ID="3002", TRANSACTION_DT="02312026", IMAGE_NUM="202605020301234567"),
        row(SUB_ID="3003", TRANSACTION_DT="", IMAGE_NUM="202613459876543210"),  # no such day
        # Filed before June 2015: the 11-digit image number holds only the year scanned; the
        # SUB_ID holds the day the FEC processed the filing (MMDDYYYY after its first digit).
        row(SUB_ID="4041720121234567890", TRANSACTION_DT="", IMAGE_NUM="12950123456"),
        # A SUB_ID whose year is not the image number's says nothing about this filing.
        row(SUB_ID="4041720091234567891", TRANSACTION_DT="", IMAGE_NUM="12950123457"),
    ]
    result = fec_import(write(tmp_path, lines), committee=CMTE)
    assert (result.created, result.rejected) == (3, 2)
    assert {(e.line, e.column) for e in result.errors} == {
        (3, "TRANSACTION_DT"),
        (5, "TRANSACTION_DT"),
    }
    assert all("neither IMAGE_NUM" in e.reason for e in result.errors)
    processed = Contribution.objects.get(processor_id="4041720121234567890")
    assert processed.received_at.astimezone(FEC_TZ).date() == date(2012, 4, 17)
    assert "processed by the FEC, 04/17/2012 (from its SUB_ID)" in processed.note
    blank = Contribution.objects.get(processor_id="3001")
    assert blank.received_at.astimezone(FEC_TZ).date() == date(2026, 4, 15)
    assert "not filed" in blank.note and "04/15/2026" in blank.note
    impossible = Contribution.objects.get(processor_id="3002")
    assert impossible.received_at.astimezone(FEC_TZ).date() == date(2026, 5, 2)
    assert "'02312026'" in impossible.note
    # No year of the gift in its report, as fec unique-donors keys it: an amended report's
    # undated repeat is still recognised.
    assert blank.fec_report == f"{CMTE} Q1"


@given(text=st.text(max_size=12), image=st.text(max_size=20), sub_id=st.text(max_size=21))
@settings(max_examples=EXAMPLES)
def test_whatever_a_row_holds_for_its_dates_it_is_dated_or_refused_with_a_reason(
    text, image, sub_id
):
    try:
        gift_day(text, image, sub_id)
    except FieldProblem as problem:
        assert problem.reason


@pytest.mark.parametrize("image", ["¹¹¹¹¹¹¹¹¹¹¹", "١٢٩٥٠١٢٣٤٥٦"])
def test_digits_of_other_scripts_date_nothing(image):
    # str.isdigit takes both; neither is an image number, nor "²…" a SUB_ID.
    with pytest.raises(FieldProblem):
        gift_day("", image, "²041720121234567890")


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["FILE_NUM", "SUB_ID"])
def test_a_number_written_in_other_digits_is_kept_as_text_not_a_crash(tmp_path, field):
    # "²".isdigit() is true and int() refuses it: a FILE_NUM of "²" stopped the whole import.
    second = {"SUB_ID": "1002", "TRAN_ID": "T1", field: "²"}
    result = fec_import(
        write(tmp_path, [row(SUB_ID="1001", TRAN_ID="T1"), row(**second)]), committee=CMTE
    )
    assert result.rejected == 0 and Contribution.objects.count() == 2
