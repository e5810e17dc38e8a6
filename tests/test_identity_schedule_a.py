"""Schedule A downloads read as itcont rows for ``bench/identity.py --dataset fec``
(bench/identity_schedule_a.py). Made-up people and committees."""

import importlib.util
import sys
from pathlib import Path

from groundswell.identity.fec import fec_unique_donors

BENCH = Path(__file__).resolve().parent.parent / "bench"

HEADER = (
    "committee_id,report_type,image_number,filing_form,line_number,transaction_id,file_number,"
    "entity_type,contributor_name,contributor_city,contributor_state,contributor_zip,"
    "contributor_employer,contributor_occupation,receipt_type,memo_code,memo_text,"
    "contribution_receipt_date,contribution_receipt_amount,election_type,sub_id"
)
ROWS = [
    # Two gifts of one person, the second in the API's date form.
    'C00123456,Q1,,F3,11AI,SA.1,99,IND,"QUILLFEATHER, ORLAN P",BRAMBLETON,ZZ,999011234,'
    "ACME,CLERK,15,,,2026-03-15 00:00:00,250.0,P2026,9000000001",
    'C00123456,Q2,,F3,11AI,SA.2,99,IND,"QUILLFEATHER, ORLAN",BRAMBLETON,ZZ,99901,'
    "ACME,CLERK,15,,,2026-05-02,100.5,P2026,9000000002",
    # The candidate's loan and a PAC's money make no donor.
    'C00123456,Q1,,F3,13A,SA.3,99,CAN,"CANDIDATE, PAT",BRAMBLETON,ZZ,99901,,,,,,'
    "2026-03-01 00:00:00,5000.0,P2026,9000000003",
    'C00123456,Q1,,F3,11C,SA.4,99,PAC,"EXAMPLE WORKERS PAC",BRAMBLETON,ZZ,99901,,,15,,,'
    "2026-03-02 00:00:00,1000.0,P2026,9000000004",
    # A memo row (earmarked) is kept, flagged as the itcont files flag it.
    'C00123456,Q1,,F3,11AI,SA.5,99,IND,"MARROWBY, TESS",BRAMBLETON,ZZ,99901,,RETIRED,'
    "15E,X,EARMARKED,2026-03-03 00:00:00,27.0,P2026,9000000005",
]


def _module():
    sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location(
        "identity_schedule_a", BENCH / "identity_schedule_a.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_only_individuals_gifts_become_itcont_rows_in_the_itcont_layout():
    data = "\n".join([HEADER, *ROWS]).encode()
    lines = _module().schedule_a_as_itcont(data).decode().splitlines()
    fields = [line.split("|") for line in lines]
    assert all(len(f) == 21 for f in fields)
    assert [f[20] for f in fields] == ["9000000001", "9000000002", "9000000005"]
    first, second, memo = fields
    assert (first[7], first[10], first[13], first[14]) == (
        "QUILLFEATHER, ORLAN P",
        "999011234",
        "03152026",
        "250",
    )
    assert (second[13], second[14]) == ("05022026", "100.50")
    assert (memo[5], memo[18]) == ("15E", "X")


def test_a_csv_that_is_not_a_schedule_a_download_is_refused():
    assert _module().schedule_a_as_itcont(b"name,city\nQUILLFEATHER,BRAMBLETON\n") is None


def test_the_rows_are_counted_as_the_bulk_files_are(tmp_path):
    path = tmp_path / "converted.itcont"
    path.write_bytes(_module().schedule_a_as_itcont("\n".join([HEADER, *ROWS]).encode()))
    result = fec_unique_donors(str(path))
    # One person's two gifts: the loan and the PAC make no donor, the memo row is not counted.
    assert result.contributions == 2
    assert result.unique_donors == 1
