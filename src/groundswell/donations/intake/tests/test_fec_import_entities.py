"""itcont rows that are not an individual's gift: kept whole as other receipts, counted nowhere.

The fixture ``itcont_entities.txt`` is written by us in the itcont layout with made-up people,
organisations and committees.
"""

from __future__ import annotations

import contextlib
import io
import shutil
from pathlib import Path

import duckdb
import pytest
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from groundswell.donations.intake.fec_import import COLUMNS, block_parse, fec_import
from groundswell.donations.intake.fec_rows import FieldProblem, other_receipt_parse
from groundswell.donations.intake.models import OtherReceipt, ReceiptKind
from groundswell.donations.intake.schedule_a_lines import GIFT, itcont_kind, receipt_kind
from groundswell.donations.models import Contribution, ContributionStatus, Processor
from groundswell.identity.fec import fec_unique_donors

FIXTURE = Path(__file__).parent / "fixtures" / "itcont_entities.txt"
CMTE = "C00777001"


def _counted_gifts():
    """The import's gifts as a donor count reads them: no memo, no refund, no superseded row."""
    return (
        Contribution.objects.filter(processor=Processor.FEC, is_memo=False)
        .exclude(status=ContributionStatus.VOIDED)
        .exclude(transaction_type="22Y")
    )


@pytest.mark.django_db
def test_organisations_committees_and_the_candidate_become_other_receipts(tmp_path):
    path = shutil.copy(FIXTURE, tmp_path / "itcont.txt")
    result = fec_import(str(path), committee=CMTE)
    kinds = dict(OtherReceipt.objects.values_list("sub_id", "kind"))
    assert kinds == {
        "4100000008": ReceiptKind.ORGANISATION,
        "4100000009": ReceiptKind.ORGANISATION,
        "4100000010": ReceiptKind.COMMITTEE,
        "4100000011": ReceiptKind.COMMITTEE,
        "4100000012": ReceiptKind.COMMITTEE,
        "4100000013": ReceiptKind.COMMITTEE,
        "4100000014": ReceiptKind.CANDIDATE,
        "4100000015": ReceiptKind.CANDIDATE,
        "4100000016": ReceiptKind.ORGANISATION,
    }
    assert result.other_receipts == len(kinds)
    widgets = OtherReceipt.objects.get(sub_id="4100000008")
    assert widgets.name == "BRISKWATER WIDGETS, INC."  # whole, never "Inc. Briskwater Widgets"
    assert widgets.amount_cents == 100_000 and widgets.entity_type == "ORG"
    assert "C00888001" in OtherReceipt.objects.get(sub_id="4100000010").note
    assert OtherReceipt.objects.get(sub_id="4100000016").is_memo
    # No gift from a person was made of any of them, so no hold and no donor total either.
    stored = set(Contribution.objects.values_list("processor_id", flat=True))
    assert not stored & set(kinds)
    assert not Contribution.objects.filter(donor_family_name__icontains="Widgets").exists()
    assert not Contribution.objects.filter(held_at__isnull=False).exists()
    assert result.by_kind[ReceiptKind.CANDIDATE] == 86_500_000


@pytest.mark.django_db
def test_importing_the_file_again_adds_no_other_receipt(tmp_path):
    path = shutil.copy(FIXTURE, tmp_path / "itcont.txt")
    fec_import(str(path), committee=CMTE)
    again = fec_import(str(path), committee=CMTE)
    assert again.other_receipts == 0 and again.created == 0
    assert OtherReceipt.objects.count() == 9


@pytest.mark.django_db
def test_the_imports_gifts_are_the_rows_unique_donors_counts(tmp_path):
    """One figure, one definition: the same file gives the same gifts to both."""
    path = shutil.copy(FIXTURE, tmp_path / "itcont.txt")
    fec_import(str(path), committee=CMTE)
    counted = fec_unique_donors(str(path), committee=CMTE, out=str(tmp_path / "c.parquet"))
    con = duckdb.connect()
    selected = {
        r[0] for r in con.execute(f"SELECT sub_id FROM '{tmp_path / 'c.parquet'}'").fetchall()
    }
    imported = set(_counted_gifts().values_list("processor_id", flat=True))
    assert imported == selected
    assert counted.contributions == len(imported)
    assert imported == {"4100000001", "4100000003", "4100000004", "4100000007"}
    others = OtherReceipt.objects.filter(is_memo=False).exclude(receipt_type="22Y")
    assert counted.skipped["not an individual"] == others.count()
    # The candidate is not a donor: four gifts from four people.
    assert counted.unique_donors == 4


@pytest.mark.django_db
def test_an_undated_gift_counts_and_a_gift_of_nothing_does_not_in_both(tmp_path):
    # The import dates the first by its filing and refuses the $0 row; unique-donors reads the
    # same two rows the same way.
    rows = [
        "C00777001|N|Q1|P2026|202604159000000001|15|IND|ORTOLAN, MAREK J|BRISKWATER|OH|"
        "432151234|BRISKWATER SCHOOLS|TEACHER|03152026|250||IA1|1500001|||4200000001",
        "C00777001|N|Q1|P2026|202604159000000001|15|IND|VELLACOTT, PRUNELLA|BRISKWATER|OH|"
        "43215|RETIRED|RETIRED||100||IA2|1500001|||4200000002",
        "C00777001|N|Q1|P2026|202604159000000001|15|IND|GRISTLEWOOD, TOBIAS|BRISKWATER|OH|"
        "432151234|SELF-EMPLOYED|CARPENTER|03152026|0||IA3|1500001|||4200000003",
    ]
    path = tmp_path / "itcont.txt"
    path.write_text("".join(r + "\n" for r in rows), encoding="utf-8")
    result = fec_import(str(path), committee=CMTE)
    assert (result.created, result.rejected) == (2, 1)
    counted = fec_unique_donors(str(path), committee=CMTE, out=str(tmp_path / "c.parquet"))
    con = duckdb.connect()
    selected = {
        r[0] for r in con.execute(f"SELECT sub_id FROM '{tmp_path / 'c.parquet'}'").fetchall()
    }
    imported = set(_counted_gifts().values_list("processor_id", flat=True))
    assert imported == selected == {"4200000001", "4200000002"}
    assert counted.skipped == {"no amount": 1}


ENTITIES = st.sampled_from(["IND", "", "ORG", "PAC", "COM", "PTY", "CCM", "CAN", "ind", " IND "])
TYPES = st.sampled_from(["15", "15E", "15C", "16C", "22Y", "10", "11", "18K", "30", "", "24T"])


@given(entity=ENTITIES, ttype=TYPES)
def test_itcont_kind_is_receipt_kind_without_a_line(entity, ttype):
    kind = itcont_kind(entity=entity, transaction_type=ttype)
    assert kind == receipt_kind(form="", line="", entity=entity, receipt_type=ttype)
    if entity.strip().upper() not in ("IND", ""):
        assert kind != GIFT  # an organisation, a committee or the candidate is never a person
    if ttype == "15C" or entity.strip().upper() == "CAN":
        assert kind in (ReceiptKind.CANDIDATE, ReceiptKind.CANDIDATE_LOAN)


TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="|\n\r"), max_size=30
)


@given(entity=ENTITIES, ttype=TYPES, name=TEXT, amount=TEXT, day=TEXT, sub_id=TEXT, zip_code=TEXT)
def test_every_line_is_a_gift_an_other_receipt_or_a_reported_error(
    entity, ttype, name, amount, day, sub_id, zip_code
):
    values = dict.fromkeys(COLUMNS, "")
    values.update(
        CMTE_ID=CMTE, ENTITY_TP=entity, TRANSACTION_TP=ttype, NAME=name, TRANSACTION_AMT=amount,
        TRANSACTION_DT=day, SUB_ID=sub_id, ZIP_CODE=zip_code, STATE="NJ",
    )  # fmt: skip
    block = block_parse("|".join(values.values()).encode(), 1, CMTE)
    assert len(block.rows) + len(block.others) + len(block.errors) == 1
    for receipt in block.others:
        assert receipt["name"] == " ".join(name.split())[:200]
        assert receipt["kind"] != GIFT and receipt["amount_cents"] != 0
    with contextlib.suppress(FieldProblem):  # anything else escaping would fail the test
        other_receipt_parse(list(values.values()), 1, ReceiptKind.OTHER)


@pytest.mark.django_db
def test_the_import_command_reports_the_other_receipts(tmp_path):
    path = shutil.copy(FIXTURE, tmp_path / "itcont.txt")
    out = io.StringIO()
    call_command("import", "fec", str(path), committee=CMTE, stdout=out)
    assert "9 other receipts (organisations, committees, the candidate's own money)" in (
        out.getvalue()
    )
