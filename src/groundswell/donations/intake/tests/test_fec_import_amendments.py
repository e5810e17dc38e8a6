"""Amendment repeats in `import fec`: recognised by report + TRAN_ID, never by TRAN_ID alone."""

import pytest

from groundswell.donations.intake.fec_import import fec_import
from groundswell.donations.intake.tests.test_fec_import import CMTE, row, write
from groundswell.donations.models import Contribution, ContributionStatus

pytestmark = pytest.mark.django_db


def counted():
    return Contribution.objects.exclude(status=ContributionStatus.VOIDED)


def test_a_tran_id_reused_in_two_reports_is_two_gifts(tmp_path):
    lines = [
        row(SUB_ID="6001", TRAN_ID="A1", RPT_TP="M2", FILE_NUM="1100", TRANSACTION_DT="01202026"),
        row(SUB_ID="6002", TRAN_ID="A1", RPT_TP="YE", FILE_NUM="1200", TRANSACTION_DT="12202026"),
    ]
    result = fec_import(write(tmp_path, lines), committee=CMTE)
    assert (result.created, result.superseded, result.rejected) == (2, 0, 0)
    assert counted().count() == 2
    reports = set(Contribution.objects.values_list("fec_report", flat=True))
    assert reports == {f"{CMTE} M2 2026", f"{CMTE} YE 2026"}


@pytest.mark.parametrize("amendment_first", [False, True])
def test_an_amended_report_supersedes_the_rows_it_repeats(tmp_path, amendment_first):
    original = row(SUB_ID="6101", TRAN_ID="B1", FILE_NUM="1300", TRANSACTION_AMT="100")
    other = row(SUB_ID="6102", TRAN_ID="B2", FILE_NUM="1300", TRANSACTION_AMT="40")
    amended = row(
        SUB_ID="6201", TRAN_ID="B1", FILE_NUM="1350", AMNDT_IND="A", TRANSACTION_AMT="150"
    )
    lines = [amended, original, other] if amendment_first else [original, other, amended]
    path = write(tmp_path, lines)
    result = fec_import(path, committee=CMTE)
    assert (result.created, result.superseded) == (3, 1)
    stands = counted().get(order_number="B1")
    assert stands.processor_id == "6201" and stands.amount_cents == 15000 and stands.fec_amended
    gone = Contribution.objects.get(processor_id="6101")
    assert gone.status == ContributionStatus.VOIDED and "1350" in gone.note
    assert counted().get(order_number="B2").amount_cents == 4000  # not amended: untouched

    again = fec_import(path, committee=CMTE)
    assert (again.created, again.superseded) == (0, 0)
    assert sorted(counted().values_list("processor_id", flat=True)) == ["6102", "6201"]


def test_an_amendment_filed_in_a_later_import_supersedes_the_earlier_row(tmp_path):
    fec_import(write(tmp_path, [row(SUB_ID="6301", TRAN_ID="C1", FILE_NUM="10")]), committee=CMTE)
    later = row(SUB_ID="6302", TRAN_ID="C1", FILE_NUM="11", AMNDT_IND="A")
    result = fec_import(write(tmp_path, [later]), committee=CMTE)
    assert (result.created, result.superseded) == (1, 1)
    assert list(counted().values_list("processor_id", flat=True)) == ["6302"]


def test_a_refund_naming_a_reused_tran_id_refunds_the_gift_before_it(tmp_path):
    lines = [
        row(SUB_ID="6401", TRAN_ID="D1", RPT_TP="YE", TRANSACTION_DT="12102026"),
        row(SUB_ID="6402", TRAN_ID="D1", RPT_TP="M2", TRANSACTION_DT="01102026"),
        row(SUB_ID="6403", TRAN_ID="R9", RPT_TP="M3", TRANSACTION_TP="22Y", OTHER_ID="D1",
            TRANSACTION_DT="02102026", TRANSACTION_AMT="-50"),
    ]  # fmt: skip
    result = fec_import(write(tmp_path, lines), committee=CMTE)
    assert (result.created, result.refunded) == (2, 1)
    assert Contribution.objects.get(processor_id="6402").refunded_cents == 5000
    assert Contribution.objects.get(processor_id="6401").refunded_cents == 0
