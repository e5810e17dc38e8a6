"""What a Schedule A row is, from its form, line number, entity type and receipt type.

The line numbers of the FEC's report forms (the "Detailed Summary Page" each Schedule A line
itemizes):

- Form 3 (House and Senate campaigns): 11(a)(i) individuals, itemized ("11AI"); 11(b) party
  committees; 11(c) other political committees (PACs); 11(d) the candidate; 12 transfers from
  other authorized committees; 13(a) loans made or guaranteed by the candidate; 13(b) other
  loans; 14 offsets to operating expenditures; 15 other receipts.
- Form 3P (presidential): 16 federal funds; 17(a)(i) individuals; 17(b) party and 17(c) other
  committees; 17(d) the candidate; 18 transfers; 19(a) candidate loans; 19(b) other loans;
  20(a)–(c) offsets; 21 other receipts.
- Form 3X (PACs and parties): 11(a)(i) individuals; 11(b), 11(c) committees; 12 transfers from
  affiliated committees; 13 loans; 14 loan repayments received; 15 offsets; 16 refunds of
  contributions made; 17 other receipts; 18 transfers from non-federal accounts.

Only an individual's contribution (an individual line, and an individual as the entity) is a
gift; everything else is kept as what it is (``ReceiptKind``). Where the line is missing, the
receipt type decides (15C the candidate's money, 16C a loan from the candidate, 18G/18J
transfers, 18K a committee's contribution). 15C and 16C decide on any line: a candidate's own
money filed on an individuals' line is still the candidate's.
"""

from __future__ import annotations

GIFT = "gift"
# Individuals' lines on each form (the unitemized 11AII never appears on Schedule A).
INDIVIDUAL_LINES = {"11AI", "11A", "11A1", "17A", "17AI", "17A1"}

_F3 = {
    "11B": "committee", "11C": "committee", "11D": "candidate", "12": "transfer",
    "13A": "candidate_loan", "13B": "loan", "14": "offset", "15": "other",
}  # fmt: skip
_F3P = {
    "16": "other", "17B": "committee", "17C": "committee", "17D": "candidate",
    "18": "transfer", "19A": "candidate_loan", "19B": "loan", "20A": "offset",
    "20B": "offset", "20C": "offset", "21": "other",
}  # fmt: skip
_F3X = {
    "11B": "committee", "11C": "committee", "12": "transfer", "13": "loan", "14": "other",
    "15": "offset", "16": "offset", "17": "other", "18A": "transfer", "18B": "transfer",
}  # fmt: skip
_BY_FORM = {"F3": _F3, "F3P": _F3P, "F3X": _F3X}
# A line of one form only means the same whatever the form (15 differs: F3 other, F3X offset).
_ANY_FORM = {**_F3X, **_F3P, **_F3}
_BY_RECEIPT_TYPE = {
    "15C": "candidate", "16C": "candidate_loan", "16F": "loan", "16G": "loan", "16H": "loan",
    "16J": "loan", "16K": "loan", "16L": "loan", "16R": "loan", "18G": "transfer",
    "18J": "transfer", "18K": "committee", "18U": "transfer", "11": "committee",
    "17R": "offset", "17U": "offset", "17Y": "offset", "17Z": "offset",
}  # fmt: skip
# Entities that are people; every other entity type (ORG, PAC, PTY, COM, CCM) is not.
PEOPLE = {"IND", ""}
COMMITTEES = {"PAC", "PTY", "COM", "CCM"}


def line_normalise(text: str) -> str:
    """ "11(a)(i)", "11ai", "SA11AI" → "11AI"."""
    text = "".join(ch for ch in text.upper() if ch.isalnum())
    return text.removeprefix("SA")


def receipt_kind(*, form: str, line: str, entity: str, receipt_type: str) -> str:
    """``GIFT`` for an individual's contribution, else the ``ReceiptKind`` value it is."""
    line = line_normalise(line)
    entity = entity.strip().upper()
    receipt_type = receipt_type.strip().upper()
    if receipt_type in ("15C", "16C"):
        return _BY_RECEIPT_TYPE[receipt_type]
    if line in INDIVIDUAL_LINES or (not line and receipt_type in ("", "15", "15E", "22Y")):
        if entity in PEOPLE:
            return GIFT
        if entity == "CAN":
            return "candidate"
        return "committee" if entity in COMMITTEES else "organisation"
    kind = _BY_FORM.get(form.strip().upper(), _ANY_FORM).get(line) or _ANY_FORM.get(line)
    if kind is None:
        kind = _BY_RECEIPT_TYPE.get(receipt_type, "other")
    if kind == "committee" and entity == "CAN":
        return "candidate"
    return kind
