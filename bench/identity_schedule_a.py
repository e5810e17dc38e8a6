"""Schedule A downloads (fec.gov's itemized receipts CSV) as itcont rows, for ``--dataset fec``.

Public repositories hold Schedule A CSVs of other committees and years than the bulk ``itcont``
samples, with the same people's fields (the name as "SURNAME, GIVEN", city, state, ZIP,
employer, occupation): a population of gifts the itcont samples do not overlap. Each
individual's contribution (``schedule_a_import.row_route``: line 11AI and its kin, entity IND,
the rule ``import fec`` applies) becomes one itcont row, so ``fec unique-donors`` counts it as it
counts the bulk files; loans, committees' money, transfers and offsets are left out, as they
make no donor. Like the itcont files these are copied into ``--fec-dir`` at run time and never
committed: they carry real people's names.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from groundswell.donations.intake.fec_rows import FieldProblem  # noqa: E402
from groundswell.donations.intake.schedule_a_import import row_parse, row_route  # noqa: E402
from groundswell.donations.intake.schedule_a_lines import GIFT  # noqa: E402

# What a header must hold to be read as a Schedule A download.
HEADER = {"committee_id", "contributor_name", "contributor_zip", "contribution_receipt_amount",
          "sub_id"}  # fmt: skip
# The Schedule A column that fills each of the 21 itcont fields, in the itcont order (CMTE_ID,
# AMNDT_IND, RPT_TP, TRANSACTION_PGI, IMAGE_NUM, TRANSACTION_TP, ENTITY_TP, NAME, CITY, STATE,
# ZIP_CODE, EMPLOYER, OCCUPATION, TRANSACTION_DT, TRANSACTION_AMT, OTHER_ID, TRAN_ID, FILE_NUM,
# MEMO_CD, MEMO_TEXT, SUB_ID).
_ITCONT_COLUMNS = (
    "committee_id", "amendment_indicator", "report_type", "election_type", "image_number",
    "receipt_type", "entity_type", "contributor_name", "contributor_city", "contributor_state",
    "contributor_zip", "contributor_employer", "contributor_occupation",
    "contribution_receipt_date", "contribution_receipt_amount", "contributor_id",
    "transaction_id", "file_number", "memo_code", "memo_text", "sub_id",
)  # fmt: skip


def _dollars(cents: int) -> str:
    """Dollars as itcont writes them: whole dollars without a decimal point."""
    return str(cents // 100) if cents % 100 == 0 else f"{cents / 100:.2f}"


def _clean(text: str | None) -> str:
    return (text or "").replace("|", " ").replace("\n", " ").replace("\r", " ").strip()


def schedule_a_as_itcont(data: bytes) -> bytes | None:
    """The individuals' contributions of a Schedule A CSV as itcont lines, or None when the file
    is not a Schedule A download."""
    text = data.decode("utf-8", errors="replace")
    reader = csv.DictReader(io.StringIO(text))
    names = {(n or "").strip().lower() for n in reader.fieldnames or []}
    if not names >= HEADER:
        return None
    out = []
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "") for k, v in raw.items() if k}
        if row_route(row) != GIFT or not _clean(row.get("contributor_name")):
            continue
        try:  # the date and amount read as ``import fec`` reads them
            parsed = row_parse(row, line)
        except FieldProblem:
            continue
        fields = {column: row.get(column, "") for column in _ITCONT_COLUMNS}
        fields.update(
            amendment_indicator=fields["amendment_indicator"] or "N",
            receipt_type=fields["receipt_type"] or "15",
            entity_type="IND",
            contribution_receipt_date=parsed.day.strftime("%m%d%Y"),
            contribution_receipt_amount=_dollars(parsed.cents),
        )
        out.append("|".join(_clean(fields[c]) for c in _ITCONT_COLUMNS))
    return ("\n".join(out) + "\n").encode("utf-8") if out else b""
