"""`groundswell fec unique-donors` on a small file in the real itcont layout (made-up donors)."""

from __future__ import annotations

import json
import logging
from io import StringIO

import duckdb
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from groundswell.donations.intake.fec_import import COLUMNS

CMTE = "C00999001"


def row(**fields) -> str:
    values = {
        "CMTE_ID": CMTE, "AMNDT_IND": "N", "RPT_TP": "Q1", "TRANSACTION_PGI": "P2026",
        "IMAGE_NUM": "202604159876543210", "TRANSACTION_TP": "15", "ENTITY_TP": "IND",
        "NAME": "QUILLFEATHER, ROBERT J", "CITY": "MOSSBURG", "STATE": "OR",
        "ZIP_CODE": "974011234", "EMPLOYER": "MOSSBURG MILL", "OCCUPATION": "MACHINIST",
        "TRANSACTION_DT": "03152026", "TRANSACTION_AMT": "25", "OTHER_ID": "", "TRAN_ID": "",
        "FILE_NUM": "1234567", "MEMO_CD": "", "MEMO_TEXT": "", "SUB_ID": "",
    }  # fmt: skip
    values.update(fields)
    assert list(values) == list(COLUMNS)
    return "|".join(values.values())


@pytest.fixture
def itcont(tmp_path):
    lines = [
        row(TRAN_ID="A1", SUB_ID="1"),
        # The same gift again in an amended report: counted once.
        row(TRAN_ID="A1", SUB_ID="2", AMNDT_IND="A"),
        row(TRAN_ID="A2", SUB_ID="3", NAME="QUILLFEATHER, ROBERT J.", ZIP_CODE="97401"),
        # Earmarked through a conduit: the 15E row counts, its memo copy does not.
        row(TRAN_ID="A3", SUB_ID="4", TRANSACTION_TP="15E", OTHER_ID="C00401224"),
        row(TRAN_ID="A3M", SUB_ID="5", MEMO_CD="X", MEMO_TEXT="EARMARKED THROUGH CONDUIT"),
        row(TRAN_ID="B1", SUB_ID="6", NAME="VELLACOTT, MARGARET", CITY="ASHVALE", STATE="VT",
            ZIP_CODE="05401", EMPLOYER="RETIRED", OCCUPATION="RETIRED"),
        row(TRAN_ID="B2", SUB_ID="7", NAME="VELLACOTT, MARGARET", CITY="ASHVALE", STATE="VT",
            ZIP_CODE="054012200", EMPLOYER="RETIRED", OCCUPATION="RETIRED"),
        # A refund alone does not make a donor.
        row(TRAN_ID="C1", SUB_ID="8", NAME="AMBERLIN, PROSPER", TRANSACTION_TP="22Y",
            TRANSACTION_AMT="-25", STATE="NM", ZIP_CODE="87501"),
        # Not an individual.
        row(TRAN_ID="D1", SUB_ID="9", NAME="FRIENDS OF TARNFORD", ENTITY_TP="PAC"),
        row(TRAN_ID="E1", SUB_ID="10", NAME="BELLWEATHER, QUINCY", CITY="PORTWICK",
            STATE="ME", ZIP_CODE="04101", EMPLOYER="SELF-EMPLOYED", OCCUPATION="POTTER"),
        # Another committee's donor.
        row(CMTE_ID="C00999002", TRAN_ID="F1", SUB_ID="11", NAME="ORMSKIRK, TEODORA",
            STATE="TX", ZIP_CODE="75001"),
        # No money in it: no gift, as `import fec` refuses it.
        row(TRAN_ID="G1", SUB_ID="12", NAME="HALLIWICK, DORCAS", STATE="KS", ZIP_CODE="66002",
            TRANSACTION_AMT="0"),
    ]  # fmt: skip
    path = tmp_path / "itcont.txt"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def run(*args) -> tuple[str, dict]:
    out = StringIO()
    call_command("fec", "unique-donors", *map(str, args), "--json", stdout=out, verbosity=0)
    text = out.getvalue()
    return text, json.loads(text.strip().splitlines()[-1])


def test_it_prints_unique_donors_with_the_json_line_last(itcont):
    text, figures = run(itcont)
    assert set(figures) >= {"unique_donors", "naive_unique_donors", "contributions", "by_state"}
    # Robert (four counted gifts), Margaret (ZIP+4 on one), Quincy, Teodora.
    assert figures["unique_donors"] == 4
    assert figures["contributions"] == 7
    assert figures["by_state"] == {"ME": 1, "OR": 1, "TX": 1, "VT": 1}
    assert figures["naive_unique_donors"] == 4
    assert figures["skipped"] == {
        "amendment repeat": 1, "memo": 1, "refund": 1, "not an individual": 1, "no amount": 1
    }  # fmt: skip
    assert "unique donors: 4" in text


def test_splinks_training_warnings_are_one_line_not_dozens(itcont, caplog):
    # A file without streets, e-mail or phones: Splink warns about each level it cannot train.
    with caplog.at_level(logging.INFO):
        run(itcont)
    splink = [r for r in caplog.records if r.name.startswith("splink") and r.levelno >= 30]
    summary = [r for r in caplog.records if "warning(s) while matching" in r.getMessage()]
    assert splink == [] and len(summary) <= 1


def test_one_committee_only_and_the_clusters_file(itcont, tmp_path):
    out = tmp_path / "clusters.parquet"
    _, figures = run(itcont, "--committee", CMTE.lower(), "--out", out)
    assert figures["unique_donors"] == 3 and "TX" not in figures["by_state"]
    rows = duckdb.sql(f"SELECT sub_id, cluster_id FROM read_parquet('{out}')").fetchall()
    clusters = dict(rows)
    assert len(clusters) == 6
    assert "1" not in clusters  # superseded by its amendment
    assert clusters["2"] == clusters["3"] == clusters["4"]
    assert clusters["6"] == clusters["7"] != clusters["2"]


def test_a_missing_file_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run(tmp_path / "nope.txt")


def _clusters_by_sub_id(path, tmp_path, name: str) -> tuple[dict, set[frozenset[str]], dict]:
    out = tmp_path / f"{name}.parquet"
    _, figures = run(path, "--out", out)
    rows = duckdb.sql(f"SELECT sub_id, cluster_id, zip_code FROM read_parquet('{out}')").fetchall()
    groups: dict[int, set[str]] = {}
    for sub_id, cluster, _ in rows:
        groups.setdefault(cluster, set()).add(sub_id)
    return figures, {frozenset(g) for g in groups.values()}, {s: z for s, _, z in rows}


def test_a_zip_that_lost_its_leading_zero_counts_in_its_own_zip(tmp_path):
    path = tmp_path / "itcont.txt"
    lines = [
        row(TRAN_ID="N1", SUB_ID="21", NAME="HALVERSTONE, IMOGEN", CITY="CHERRY HILL",
            STATE="NJ", ZIP_CODE="080031401"),
        row(TRAN_ID="N2", SUB_ID="22", NAME="HALVERSTONE, IMOGEN", CITY="CHERRY HILL",
            STATE="NJ", ZIP_CODE="80031401"),
        row(TRAN_ID="N3", SUB_ID="23", NAME="DUNWOODIE, CASPAR", CITY="NEW HAVEN", STATE="CT",
            ZIP_CODE="6511"),
    ]  # fmt: skip
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    figures, groups, zips = _clusters_by_sub_id(path, tmp_path, "zips")
    assert zips == {"21": "080031401", "22": "080031401", "23": "06511"}
    assert figures["naive_unique_donors"] == figures["unique_donors"] == 2
    assert frozenset({"21", "22"}) in groups


def test_a_tran_id_reused_in_another_report_is_another_gift(tmp_path):
    path = tmp_path / "itcont.txt"
    donor = {"NAME": "ORRINGALE, WINIFRED", "STATE": "WA", "ZIP_CODE": "98101"}
    lines = [
        # January's monthly report and the year-end report both use TRAN_ID 1001: two gifts.
        row(TRAN_ID="1001", SUB_ID="31", RPT_TP="M2", TRANSACTION_DT="01102025",
            FILE_NUM="1100001", **donor),
        row(TRAN_ID="1001", SUB_ID="32", RPT_TP="YE", TRANSACTION_DT="12082025",
            FILE_NUM="1200001", **donor),
        # The year-end report amended: its TRAN_ID 1001 again, the same gift.
        row(TRAN_ID="1001", SUB_ID="33", RPT_TP="YE", TRANSACTION_DT="12082025",
            FILE_NUM="1200002", AMNDT_IND="A", **donor),
        # ... and that amendment's line twice: one of the twins stands, never neither.
        row(TRAN_ID="1001", SUB_ID="33", RPT_TP="YE", TRANSACTION_DT="12082025",
            FILE_NUM="1200002", AMNDT_IND="A", **donor),
        # The same line twice in the file (the same SUB_ID): one gift.
        row(TRAN_ID="1002", SUB_ID="34", RPT_TP="YE", TRANSACTION_DT="11152025",
            FILE_NUM="1200001", **donor),
        row(TRAN_ID="1002", SUB_ID="34", RPT_TP="YE", TRANSACTION_DT="11152025",
            FILE_NUM="1200001", **donor),
    ]  # fmt: skip
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    figures, groups, zips = _clusters_by_sub_id(path, tmp_path, "reports")
    assert figures["contributions"] == 3
    assert set(zips) == {"31", "33", "34"}  # the amendment stands for the year-end original
    assert figures["skipped"] == {"amendment repeat": 3}
    assert figures["unique_donors"] == 1


def test_a_line_repeated_with_a_trailing_tab_is_one_gift(tmp_path):
    # One public copy of real rows ends its lines in a tab: its SUB_IDs read "34\t", and the
    # same lines in another copy (no tab) were counted again. ``import fec`` strips each field.
    path = tmp_path / "itcont.txt"
    donor = {"NAME": "ORRINGALE, WINIFRED", "STATE": "WA", "ZIP_CODE": "98101"}
    lines = [
        row(TRAN_ID="1002", SUB_ID="34", **donor) + "\n",
        row(TRAN_ID="1002", SUB_ID="34", **donor) + "\t\n",
        row(TRAN_ID="1003", SUB_ID="35", **donor) + "\t\r\n",
    ]
    path.write_text("".join(lines), encoding="utf-8")
    figures, groups, zips = _clusters_by_sub_id(path, tmp_path, "tabs")
    assert set(zips) == {"34", "35"}
    assert figures["contributions"] == 2
    assert figures["unique_donors"] == 1


def test_the_same_file_in_another_line_order_gives_the_same_people(itcont, tmp_path):
    lines = itcont.read_text(encoding="utf-8").splitlines()
    shuffled = tmp_path / "shuffled.txt"
    shuffled.write_text("".join(line + "\n" for line in reversed(lines)), encoding="utf-8")
    first, groups, _ = _clusters_by_sub_id(itcont, tmp_path, "first")
    again, groups_again, _ = _clusters_by_sub_id(itcont, tmp_path, "again")
    reordered, groups_reordered, _ = _clusters_by_sub_id(shuffled, tmp_path, "reordered")
    assert first == again == reordered
    assert groups == groups_again == groups_reordered
