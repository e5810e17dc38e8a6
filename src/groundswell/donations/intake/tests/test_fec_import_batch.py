"""The batched FEC import: refunds before their original, the helper process, column widths."""

import pytest

from groundswell.donations.intake.fec_import import WIDTHS, fec_import, name_split, zip_clean
from groundswell.donations.intake.tests.test_fec_import import CMTE, row, write
from groundswell.donations.models import Contribution, ContributionStatus

pytestmark = pytest.mark.django_db


def test_a_refund_listed_before_its_original_is_applied_to_it(tmp_path):
    path = write(
        tmp_path,
        [
            row(SUB_ID="3001", TRANSACTION_TP="22Y", OTHER_ID="T9", TRANSACTION_AMT="-25"),
            row(SUB_ID="3002", TRAN_ID="T9", TRANSACTION_AMT="100"),
        ],
    )
    result = fec_import(path, committee=CMTE)
    assert (result.created, result.refunded) == (1, 1)
    original = Contribution.objects.get(processor_id="3002")
    assert original.refunded_cents == 2500
    assert original.status == ContributionStatus.PARTIALLY_REFUNDED
    assert original.refund_keys == ["fec:3001"]


def test_the_helper_process_gives_the_same_result(tmp_path):
    lines = [row(SUB_ID=str(5000 + i), TRAN_ID=f"T{i}") for i in range(300)]
    lines.insert(10, "broken|line")
    result = fec_import(write(tmp_path, lines), committee=CMTE, parallel=True)
    assert (result.rows, result.created, result.rejected) == (301, 300, 1)
    assert result.errors[0].line == 11
    assert Contribution.objects.exclude(donor_key="").count() == 300


def test_widths_match_the_contribution_columns():
    field = Contribution._meta.get_field
    assert WIDTHS["id"] == field("processor_id").max_length
    assert WIDTHS["order"] == field("order_number").max_length
    assert WIDTHS["name"] == field("donor_given_name").max_length
    assert WIDTHS["city"] == field("donor_city").max_length
    assert WIDTHS["zip"] == field("donor_postal_code").max_length
    assert WIDTHS["work"] == field("donor_employer").max_length


def test_names_and_zips_are_cleaned_as_filed():
    assert name_split("DOE, JANE Q") == ("Jane Q", "Doe")
    assert name_split("SMITH, MR. JOHN A JR.") == ("John A", "Smith")
    assert name_split("JANE DOE") == ("Jane", "Doe")
    assert zip_clean("432151234") == "43215-1234"
    assert zip_clean("K1A 0B6") == "K1A 0B6"
    with pytest.raises(ValueError):
        zip_clean("1234")
