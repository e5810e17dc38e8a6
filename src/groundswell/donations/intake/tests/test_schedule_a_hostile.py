"""Whatever a Schedule A row holds, it is routed, parsed or reported: never an exception."""

from __future__ import annotations

import csv

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from groundswell.donations.intake.fec_rows import FieldProblem, format_sniff
from groundswell.donations.intake.models import ReceiptKind
from groundswell.donations.intake.schedule_a_import import (
    other_receipt_parse,
    row_parse,
    row_route,
    schedule_a_import,
)
from groundswell.donations.intake.schedule_a_lines import GIFT, line_normalise
from groundswell.donations.intake.tests.test_fec_rows_hostile import OTHER_DIGITS
from groundswell.donations.intake.tests.test_schedule_a_kinds import CMTE, HEADER, mixed_rows
from groundswell.donations.models import Contribution

COLUMNS = [
    "line_number", "entity_type", "receipt_type", "memo_code", "filing_form", "is_individual",
    "contribution_receipt_amount", "contribution_receipt_date", "sub_id", "transaction_id",
    "contributor_name", "contributor_zip", "contributor_state", "report_year", "file_number",
    "back_reference_transaction_id", "election_type", "amendment_indicator",
]  # fmt: skip
text = st.text(max_size=30)
# Plausible values mixed with any text, so that rows also get past the amount and the date.
PLAUSIBLE = {
    "line_number": st.sampled_from(["11AI", "11C", "13A", "12", "14", "17A", "", "99Z"]),
    "entity_type": st.sampled_from(["IND", "CAN", "PAC", "ORG", "CCM", ""]),
    "receipt_type": st.sampled_from(["15", "15E", "15C", "16C", "18G", "22Y", ""]),
    "memo_code": st.sampled_from(["X", ""]),
    "contribution_receipt_amount": st.integers(-(10**12), 10**12).map(lambda c: f"{c / 100}"),
    "contribution_receipt_date": st.dates().map(lambda d: f"{d.isoformat()} 00:00:00"),
    "sub_id": st.integers(0, 10**19).map(str),
    "contributor_zip": st.integers(0, 10**9).map(str),
}
rows = st.fixed_dictionaries(
    {
        name: st.one_of(text, OTHER_DIGITS, PLAUSIBLE[name])
        if name in PLAUSIBLE
        else st.one_of(text, OTHER_DIGITS)
        for name in COLUMNS
    }
)


@given(rows)
def test_every_row_is_routed_and_parsed_or_refused_with_a_reason(row):
    kind = row_route(row)
    assert kind == GIFT or kind in ReceiptKind.values
    try:
        parsed = row_parse(row, 2) if kind == GIFT else other_receipt_parse(row, 2, kind)
    except FieldProblem as problem:
        assert problem.reason and problem.column
        return
    assert parsed is not None


@given(st.sampled_from(["11AI", "11ai", "11(a)(i)", "SA11AI", " 11AI "]))
def test_line_numbers_are_read_however_they_are_written(line):
    assert line_normalise(line) == "11AI"
    assert row_route({"line_number": line, "entity_type": "IND"}) == GIFT
    assert row_route({"line_number": line, "entity_type": "ORG"}) == "organisation"


@given(st.binary(max_size=300))
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=50)
def test_any_first_line_is_sniffed_without_error(tmp_path, data):
    path = tmp_path / "any"
    path.write_bytes(data)
    assert format_sniff(str(path)) in ("itcont", "schedule-a", "")


@pytest.mark.django_db
def test_a_broken_line_is_reported_and_the_rest_imported(tmp_path):
    path = tmp_path / "broken.csv"
    good = mixed_rows()[:1]
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, HEADER)
        writer.writeheader()
        writer.writerows(good)
        fh.write("x" * 200_000 + "\n")
        writer.writerows(mixed_rows()[7:8])
    result = schedule_a_import(str(path), committee=CMTE)
    assert result.rejected == 1 and "CSV" in result.errors[0].reason
    assert set(Contribution.objects.values_list("processor_id", flat=True)) == {"5001", "5007"}


@pytest.mark.django_db
def test_a_download_a_spreadsheet_re_saved_is_read_or_refused_with_the_reason(tmp_path):
    # A spreadsheet writes dates as "6/5/2026 0:00" (readable) and rounds each SUB_ID to
    # 4.10122E+18 (every row then shares it: refused, saying why).
    kept, rounded, loan = (mixed_rows()[i].copy() for i in (0, 2, 11))
    kept["contribution_receipt_date"] = "3/15/2026 0:00"
    rounded.update(contribution_receipt_date="3/16/2026 0:00", sub_id="4.10122E+18")
    loan.update(sub_id="4.10122E+18")  # a loan too: not one receipt standing for the others
    path = tmp_path / "resaved.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, HEADER)
        writer.writeheader()
        writer.writerows([kept, rounded, loan, loan])
    result = schedule_a_import(str(path), committee=CMTE)
    assert result.rejected == 3 and result.unchanged == 0 and result.other_receipts == 0
    assert {e.column for e in result.errors} == {"sub_id"}
    assert all("spreadsheet" in e.reason for e in result.errors)
    gift = Contribution.objects.get()
    assert gift.processor_id == "5001" and gift.received_at.date().isoformat() == "2026-03-15"
