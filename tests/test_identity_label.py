"""The hand-labelling tool (bench/identity_label.py) shows a labeller what the file says.

Made-up people at made-up places; the tool itself is run on real FEC rows only outside the
repository.
"""

import importlib.util
import sys
from pathlib import Path

import duckdb
import pyarrow as pa

BENCH = Path(__file__).resolve().parent.parent / "bench"


def _tool():
    spec = importlib.util.spec_from_file_location("identity_label", BENCH / "identity_label.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["identity_label"] = module
    spec.loader.exec_module(module)
    return module


# sub_id, cluster, name, employer, occupation, date, committee, amount; all in BRAMBLETON ZZ 99901
_GIFTS = [
    ("101", 1, "QUILLFEATHER, ORLAN", "ACME", "CLERK", "03152024", "C00000011", "250"),
    ("102", 1, "QUILLFEATHER, ORLAN", "ACME", "CLERK", "04152024", "C00000011", "250"),
    ("103", 2, "QUILLFEATHER, ORLAN", "RETIRED", "RETIRED", "05152024", "C00000011", "250"),
    ("104", 3, "QUILLFEATHER, MAVIS", "", "HOMEMAKER", "05172024", "C00000022", "40"),
]
ROWS = [(s, c, n, "BRAMBLETON", "ZZ", "99901", e, o, d, m, a) for s, c, n, e, o, d, m, a in _GIFTS]


def _files(tmp_path):
    table = pa.table(
        {
            "sub_id": [r[0] for r in ROWS],
            "cluster_id": [r[1] for r in ROWS],
            "name": [r[2] for r in ROWS],
            "city": [r[3] for r in ROWS],
            "state": [r[4] for r in ROWS],
            "zip_code": [r[5] for r in ROWS],
            "employer": [r[6] for r in ROWS],
            "occupation": [r[7] for r in ROWS],
        }
    )
    clusters = tmp_path / "clusters.parquet"
    duckdb.from_arrow(table).write_parquet(str(clusters))
    itcont = tmp_path / "combined.itcont"
    lines = []
    for sub_id, _, name, city, state, zip5, employer, job, day, committee, amount in ROWS:
        fields = [
            committee, "N", "Q1", "P2024", "1", "15", "IND", name, city, state, zip5,
            employer, job, day, amount, "", f"T{sub_id}", "1", "", "", sub_id,
        ]  # fmt: skip
        lines.append("|".join(fields))
    itcont.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return clusters, itcont


def test_with_the_itcont_file_each_row_shows_its_gift_and_each_pair_its_surroundings(
    tmp_path, capsys
):
    tool = _tool()
    clusters, itcont = _files(tmp_path)
    tool.sample(str(clusters), 5, 5, seed=1, itcont=str(itcont))
    out = capsys.readouterr().out
    # The candidate pair is the two ORLAN clusters (MAVIS is not a compatible given name).
    assert "p 1 2" in out
    pair = out[out.index("p 1 2") :]
    assert "[2024-05-15 C00000011     250]" in pair
    assert "[2024-03-15 C00000011     250]" in pair
    # The household around the pair, and the bearers of the full name in the state.
    assert "~ other QUILLFEATHER at 99901: MAVIS (1 rows)" in pair
    assert "~ clusters named ORLAN QUILLFEATHER in ZZ: 2" in pair


def test_without_it_the_sample_is_what_it_was(tmp_path, capsys):
    tool = _tool()
    clusters, itcont = _files(tmp_path)
    tool.sample(str(clusters), 5, 5, seed=1)
    plain = capsys.readouterr().out
    tool.sample(str(clusters), 5, 5, seed=1, itcont=str(itcont))
    detailed = capsys.readouterr().out
    assert "[" not in plain and "~" not in plain
    # The same items in the same order: the details add evidence, not a different sample.
    keys = [line for line in plain.splitlines() if line[:2] in ("c ", "p ")]
    assert keys == [line for line in detailed.splitlines() if line[:2] in ("c ", "p ")]
