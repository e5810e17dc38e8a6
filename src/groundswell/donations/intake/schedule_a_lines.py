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

This is the one definition of "a gift from an individual" for every FEC path: the Schedule A
import, the itcont import (``itcont_kind``: the bulk file has no line number or form, so the
entity type and transaction type decide) and ``fec unique-donors`` (which asks ``itcont_kind``
about each distinct entity/transaction type pair of a file), so that a file's gift count and
its donor count read the same rows.

The candidate's own contribution (receipt type 15C, or entity type CAN on any individuals'
line or in itcont) is never a gift: the candidate may give their campaign unlimited personal
funds (11 CFR 110.10), it is reported on its own line (11(d), 17(d)) and not as individual
giving, so it must be neither held against the individual limit nor count the candidate as a
donor. It is stored as ``ReceiptKind.CANDIDATE``, in both imports alike.
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


def entity_kind(entity: str) -> str:
    """``GIFT`` for a person (IND, or blank in older files), else the kind its entity type is."""
    entity = entity.strip().upper()
    if entity in PEOPLE:
        return GIFT
    if entity == "CAN":
        return "candidate"
    return "committee" if entity in COMMITTEES else "organisation"


def itcont_kind(*, entity: str, transaction_type: str) -> str:
    """What an itcont row is (``GIFT`` or a ``ReceiptKind`` value): ``receipt_kind`` without a line.

    The transaction type is cut to three characters as ``fec_rows.row_parse`` cuts it.
    """
    return receipt_kind(
        form="", line="", entity=entity, receipt_type=transaction_type.strip().upper()[:3]
    )


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
    if line in INDIVIDUAL_LINES or (not line and receipt_type not in _BY_RECEIPT_TYPE):
        # No line (itcont, or a Schedule A row without one) and a receipt type that names no
        # other kind (15, 15E, 22Y, 10 to a super PAC, 30–32 party accounts, …): the
        # contributor's entity type decides.
        return entity_kind(entity)
    kind = _BY_FORM.get(form.strip().upper(), _ANY_FORM).get(line) or _ANY_FORM.get(line)
    if kind is None:
        kind = _BY_RECEIPT_TYPE.get(receipt_type, "other")
    if kind == "committee" and entity == "CAN":
        return "candidate"
    return kind
