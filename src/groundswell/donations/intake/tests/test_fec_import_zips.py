"""`import fec` keeps every real gift: ZIPs that lost their leading zero are repaired, unreadable
ZIPs kept as filed. Files are written by us in the real itcont layout, with made-up donors."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from groundswell.donations.intake.fec_import import (
    LEADING_ZERO_ZIPS,
    fec_import,
    zip_clean,
    zip_repair,
)
from groundswell.donations.intake.fec_rows import FieldProblem
from groundswell.donations.intake.tests.test_fec_import import CMTE, row, write
from groundswell.donations.models import Contribution


def test_a_zip_plus_4_that_lost_its_leading_zero_is_repaired_in_its_state():
    assert zip_clean("80031401", state="NJ") == "08003-1401"
    assert zip_clean("6511", state="CT") == "06511"
    assert zip_clean("9011234", state="PR") == "00901-1234"


def test_a_short_zip_elsewhere_is_not_guessed():
    # Ohio's ZIPs begin with 4: a 4-digit value there is a typo, not a lost zero.
    with pytest.raises(ValueError):
        zip_clean("4321", state="OH")
    # A padded value outside the state's own range is left alone too (MA is 010–027, 055).
    assert zip_repair("80031401", "MA") == "80031401"


@given(
    state=st.sampled_from(sorted(LEADING_ZERO_ZIPS)),
    prefix=st.integers(min_value=0, max_value=99),
    rest=st.integers(min_value=0, max_value=999_999),
    plus4=st.booleans(),
)
def test_any_zip_of_a_leading_zero_state_survives_being_stored_as_a_number(
    state, prefix, rest, plus4
):
    low, high = LEADING_ZERO_ZIPS[state]
    first3 = low + prefix % (high - low + 1)
    full = f"{first3:03d}{rest:06d}"
    zip_code = full if plus4 else full[:5]
    as_number = str(int(zip_code))  # what a spreadsheet keeps
    expected = f"{zip_code[:5]}-{zip_code[5:]}" if plus4 else zip_code
    if len(as_number) in ((7, 8) if plus4 else (3, 4)):
        assert zip_clean(as_number, state=state) == expected
    assert zip_clean(zip_code, state=state) == expected


@pytest.mark.django_db
def test_the_import_keeps_every_gift_with_a_name_and_an_amount(tmp_path):
    path = write(
        tmp_path,
        [
            row(SUB_ID="7001", NAME="QUARRINGTON, ELSPETH", STATE="NJ", ZIP_CODE="80031401"),
            row(SUB_ID="7002", NAME="VANTWISK, ORLO", STATE="CT", ZIP_CODE="6511"),
            row(SUB_ID="7003", NAME="MERRIWICK, TANSY", STATE="OH", ZIP_CODE="4321"),
            row(SUB_ID="7004", NAME="MERRIWICK, TANSY", STATE="OH", ZIP_CODE="43215-12"),
            row(SUB_ID="7005", TRANSACTION_AMT=""),
        ],
    )
    result = fec_import(path, committee=CMTE)
    assert result.created == 4
    assert [(e.line, e.column) for e in result.errors] == [(5, "TRANSACTION_AMT")]
    assert "missing" in result.errors[0].reason
    zips = dict(Contribution.objects.values_list("processor_id", "donor_postal_code"))
    assert zips == {"7001": "08003-1401", "7002": "06511", "7003": "4321", "7004": "43215-12"}
    keys = dict(Contribution.objects.values_list("processor_id", "donor_key"))
    assert "08003" in keys["7001"]


# Digits of several scripts: str.isdigit takes them all, int() refuses some ("¹²³⁴" stopped an
# import in New Jersey), and a ZIP is written in none but 0-9.
SCRIPT_DIGITS = "0123456789¹²³⁴٠١٢٣٤٥٦٧٨٩०१२३४५"


@given(
    state=st.sampled_from([*sorted(LEADING_ZERO_ZIPS), "OH", ""]),
    text=st.text(alphabet=SCRIPT_DIGITS + "- ", max_size=11),
)
def test_any_zip_in_any_digits_is_read_or_refused_with_a_reason(state, text):
    try:
        cleaned = zip_clean(text, state=state)
    except FieldProblem as problem:
        assert problem.reason
        return
    assert cleaned == "" or cleaned.isascii() or cleaned == text.strip()[: len(cleaned)]
