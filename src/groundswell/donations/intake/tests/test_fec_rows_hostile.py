"""Whatever an itcont line holds, it is parsed or refused with a reason: never an exception.

Fields are drawn from plausible values (so that rows get past the amount and the date to the
fields after them), from any text, and from digits of other scripts: ``str.isdigit`` takes
"²" and "١٢", and ``int`` refuses the first (a FILE_NUM of "²" once stopped a whole import).
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from groundswell.core.tests.hostile import EXAMPLES
from groundswell.donations.intake.fec_rows import (
    COLUMNS,
    FieldProblem,
    other_receipt_parse,
    row_parse,
)
from groundswell.donations.intake.schedule_a_lines import GIFT, itcont_kind

OTHER_DIGITS = st.sampled_from(["²", "¹¹", "¹²³⁴", "١٢٣", "١٢٣٤٥", "٤٠٤١٧٢٠١٢", "𝟗𝟗", "Ⅻ", "½"])
digits = st.integers(0, 10**20).map(str)
PLAUSIBLE = {
    "IMAGE_NUM": st.one_of(st.from_regex(r"\A(20[0-9]{16}|1[0-9]{10})\Z"), digits),
    "TRANSACTION_TP": st.sampled_from(["15", "15E", "15C", "22Y", "24T", "11", ""]),
    "ENTITY_TP": st.sampled_from(["IND", "CAN", "PAC", "ORG", "COM", ""]),
    "NAME": st.sampled_from(["EXAMPLE, AVERY J", "SAMPLE WIDGETS INC", "", ","]),
    "STATE": st.sampled_from(["OH", "NJ", "ZZ", "", "OHIO"]),
    "ZIP_CODE": digits,
    "TRANSACTION_DT": st.one_of(st.dates().map(lambda d: d.strftime("%m%d%Y")), st.just("")),
    "TRANSACTION_AMT": st.integers(-(10**12), 10**12).map(lambda c: f"{c / 100}"),
    "FILE_NUM": digits,
    "MEMO_CD": st.sampled_from(["X", ""]),
    "SUB_ID": st.one_of(st.from_regex(r"\A[124][0-9]{18}\Z"), digits),
}
fields = st.tuples(
    *(
        st.one_of(st.text(max_size=25), OTHER_DIGITS, PLAUSIBLE.get(name, st.text(max_size=25)))
        for name in COLUMNS
    )
)


@given(fields)
@settings(max_examples=EXAMPLES)
def test_every_itcont_row_is_parsed_or_refused_with_a_reason(values):
    row = list(values)
    kind = itcont_kind(entity=row[6], transaction_type=row[5])
    try:
        parsed = row_parse(row, 2) if kind == GIFT else other_receipt_parse(row, 2, kind)
    except FieldProblem as problem:
        assert problem.reason and problem.column in COLUMNS
        return
    assert parsed
