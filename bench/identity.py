"""Benchmark the identity engine on labelled synthetic contributions against the naive key.

    .venv/bin/python bench/identity.py --records 100000 [--backend duckdb|spark] [--seed 7] [--fec]
        [--textbook]
    .venv/bin/python bench/identity.py --dataset febrl1|febrl2|febrl4|fec  (identity_datasets.py)

Generates (and caches in /tmp, reused by later runs with the same --records and --seed)
``--records`` synthetic contribution rows with realistic noise (see
groundswell.demo.identity_synthetic; made in chunks by one worker process per core), then resolves
them twice: with the analysts' naive key (first + last name + ZIP5, as written) and with our
engine (trained on the data itself, as a campaign's first run would be). For each it prints the
time, the peak memory of this process (resident set, DuckDB's tables of the data and the truth
included), pairwise and cluster precision/recall/F1, and the error of the unique-donor count;
the JSON object on the last line has them all. Generation is timed apart ("data": its seconds,
the peak memory of the generating processes together, or "reused" for a cached file). With
``--fec`` the same gifts are also written as an FEC itcont.txt (no street, e-mail or phone) and
counted by ``groundswell fec unique-donors``. With ``--textbook`` they are also counted by untuned
Splink as its tutorial sets it up (name, city, state, ZIP5 and e-mail; see
``identity_datasets.textbook_splink``), measured the same way.

With ``--backend spark`` (``make install-spark``, Java 17+) the engine runs on DuckDB first and
then on Spark (trained on DuckDB, scored on Spark: ``splink_model._training_sdf``) on the same
records, and counts the records Spark put in another cluster than DuckDB did (none, when the
backends agree); the Spark session's start is timed apart.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

import duckdb  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from groundswell.demo.identity_synthetic_parquet import contributions_write  # noqa: E402


class PeakMemory:
    """The peak resident set size during a block, sampled every 20 ms (ru_maxrss never falls)."""

    def __init__(self):
        self.peak = 0
        self._stop = threading.Event()

    def _rss(self) -> int:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    def _watch(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self._rss())
            self._stop.wait(0.02)

    def __enter__(self):
        self.peak = self._rss()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())


class PeakSpill(PeakMemory):
    """The peak size of the files DuckDB spilled into ``folder`` during a block (every 0.5 s)."""

    def __init__(self, folder: str):
        super().__init__()
        self.folder = folder

    def _rss(self) -> int:
        try:
            return sum(e.stat().st_size for e in os.scandir(self.folder) if e.is_file())
        except OSError:
            return 0  # not made yet, or a file went meanwhile

    def _watch(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self._rss())
            self._stop.wait(0.5)


def _tree_rss(root: int) -> int:
    """The resident set of process ``root`` and all its descendants, in bytes."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended meanwhile
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        rss[pid] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    total = 0
    for pid, size in rss.items():
        ancestor = pid
        while ancestor > 1 and ancestor != root:
            ancestor = parents.get(ancestor, 0)
        if ancestor == root:
            total += size
    return total


def dataset(records: int, seed: int, workers: int) -> tuple[Path, dict]:
    """The cached Parquet file of (records, seed), generated first if there is none."""
    # v4: movers mostly stay in their town or state (v3: payroll coworkers, JR/SR and
    # employment variants; a file of an earlier one holds other rows for the same seed).
    name = f"groundswell-identity-bench-v4-{records}-{seed}.parquet"
    path = Path(tempfile.gettempdir()) / name
    info = {"path": str(path), "reused": path.exists()}
    if not info["reused"]:
        # In a child process (whose workers make the chunks), so that none of the generator's
        # memory is counted as the engine's; its peak is that of all its processes together.
        t0 = time.perf_counter()
        child = multiprocessing.get_context("spawn").Process(
            target=contributions_write,
            args=(path, records),
            kwargs={"seed": seed, "workers": workers},
        )
        child.start()
        peak = 0
        while child.is_alive():
            peak = max(peak, _tree_rss(child.pid))
            child.join(0.2)
        if child.exitcode:
            raise SystemExit(f"generating the data failed ({child.exitcode})")
        info["generate_seconds"] = round(time.perf_counter() - t0, 2)
        info["generate_peak_memory_mb"] = peak >> 20
    info["file_mb"] = path.stat().st_size >> 20
    return path, info


def naive_key(con: duckdb.DuckDBPyConnection) -> None:
    """``predicted`` (unique_id, cluster) by first + last name + ZIP5 as written."""
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE named AS
        SELECT unique_id,
            CASE WHEN full_name IS NULL THEN split_part(trim(given_name), ' ', 1)
                 WHEN contains(full_name, ',')
                    THEN split_part(trim(split_part(full_name, ',', 2)), ' ', 1)
                 ELSE split_part(full_name, ' ', 1) END AS first,
            CASE WHEN full_name IS NULL THEN family_name
                 WHEN contains(full_name, ',') THEN split_part(full_name, ',', 1)
                 ELSE regexp_extract(full_name, '(\\S+)$', 1) END AS last,
            left(postal_code, 5) AS zip5
        FROM records
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE predicted AS
        SELECT unique_id, dense_rank() OVER (
            ORDER BY upper(trim(first)), upper(trim(last)), zip5) AS cluster
        FROM named
        """
    )


def metrics(con: duckdb.DuckDBPyConnection) -> dict:
    """Pairwise and cluster precision/recall/F1 and the count error of ``predicted``."""
    row = con.execute(
        """
        WITH j AS (SELECT t.person, p.cluster FROM truth t JOIN predicted p USING (unique_id)),
        tp AS (SELECT sum(n * (n - 1) / 2) AS v
               FROM (SELECT count(*) n FROM j GROUP BY person, cluster)),
        pp AS (SELECT sum(n * (n - 1) / 2) AS v FROM (SELECT count(*) n FROM j GROUP BY cluster)),
        ap AS (SELECT sum(n * (n - 1) / 2) AS v FROM (SELECT count(*) n FROM j GROUP BY person)),
        -- a cluster is exactly right when it holds all of one person's rows and no one else's
        exact AS (
            SELECT count(*) AS v FROM (
                SELECT cluster, min(person) AS person, count(DISTINCT person) AS people, count(*) n
                FROM j GROUP BY cluster
            ) c JOIN (SELECT person, count(*) n FROM j GROUP BY person) p
              ON c.people = 1 AND p.person = c.person AND p.n = c.n
        )
        SELECT tp.v, pp.v, ap.v, exact.v,
            (SELECT count(DISTINCT cluster) FROM j), (SELECT count(DISTINCT person) FROM j)
        FROM tp, pp, ap, exact
        """
    ).fetchall()[0]
    tp, pp, ap, exact, clusters, people = (float(v or 0) for v in row)

    def f1(p, r):
        return 2 * p * r / (p + r) if p + r else 0.0

    pair_p = tp / pp if pp else 1.0
    pair_r = tp / ap if ap else 1.0
    cl_p = exact / clusters if clusters else 1.0
    cl_r = exact / people if people else 1.0
    return {
        "unique_donors": int(clusters),
        "true_unique_donors": int(people),
        "count_error": round((clusters - people) / people, 5),
        "pairwise_precision": round(pair_p, 5),
        "pairwise_recall": round(pair_r, 5),
        "pairwise_f1": round(f1(pair_p, pair_r), 5),
        "cluster_precision": round(cl_p, 5),
        "cluster_recall": round(cl_r, 5),
        "cluster_f1": round(f1(cl_p, cl_r), 5),
    }


def fec_file(path: Path, seed: int) -> tuple[Path, int]:
    """The synthetic gifts as an FEC itcont.txt (no street, e-mail or phone, "LAST, FIRST M"
    names, some memo rows and refunds); also how many people gave the gifts that count.

    As in real bulk files, one ZIP in a hundred that begins with 0 has lost it (08003-1401 as
    80031401), and one gift in a hundred reuses the TRAN_ID of the gift before it in another
    report (the year-end, not the quarter): TRAN_ID is unique only within a report.
    """
    import random

    out = path.with_suffix(".itcont.txt")
    rng = random.Random(seed)
    people: set[int] = set()
    with open(out, "w", encoding="utf-8") as fh:
        # Batch by batch: at 10,000,000 rows the whole file as dicts would not fit.
        rows = (row for batch in pq.ParquetFile(path).iter_batches() for row in batch.to_pylist())
        for row in rows:
            if row["full_name"] and "," in row["full_name"]:
                name = row["full_name"]
            elif row["full_name"]:
                parts = row["full_name"].split()
                name = f"{parts[-1]}, {' '.join(parts[:-1])}"
            else:
                name = f"{row['family_name']}, {row['given_name']}"
            memo = "X" if rng.random() < 0.05 else ""
            kind = "22Y" if rng.random() < 0.01 else ("15E" if rng.random() < 0.4 else "15")
            if not memo and kind != "22Y":
                people.add(row["person"])
            zip_code = (row["postal_code"] or "").replace("-", "")
            if zip_code.startswith("0") and rng.random() < 0.01:
                zip_code = zip_code.lstrip("0")
            report, tran_id = "Q1", f"T{row['unique_id']}"
            if rng.random() < 0.01:
                report, tran_id = "YE", f"T{row['unique_id'] - 1}"
            fields = [
                "C00100001", "N", report, "P2026", "202604159876543210", kind, "IND",
                name.upper(), (row["city"] or "").upper(), row["state"] or "", zip_code,
                (row["employer"] or "").upper(), (row["occupation"] or "").upper(),
                f"{rng.randint(1, 12):02d}152026", str(rng.randint(1, 500)), "", tran_id, "1",
                memo, "", str(4_000_000_000 + row["unique_id"]),
            ]  # fmt: skip
            fh.write("|".join(fields) + "\n")
    return out, len(people)


def fec_mode(path: Path, seed: int) -> dict:
    """`groundswell fec unique-donors` on the synthetic gifts written as an itcont file."""
    from groundswell.identity.fec import fec_unique_donors

    itcont, people = fec_file(path, seed)
    with PeakMemory() as memory:
        t0 = time.perf_counter()
        result = fec_unique_donors(str(itcont))
        seconds = time.perf_counter() - t0
    return {
        "file_mb": itcont.stat().st_size >> 20,
        "seconds": round(seconds, 2),
        "peak_memory_mb": memory.peak >> 20,
        "contributions": result.contributions,
        "true_unique_donors": people,
        "unique_donors": result.unique_donors,
        "count_error": round((result.unique_donors - people) / people, 5),
        "naive_unique_donors": result.naive_unique_donors,
        "naive_count_error": round((result.naive_unique_donors - people) / people, 5),
    }


def naive_run(con, path: Path, columns: str) -> dict:
    """The naive key on the records: time, peak memory and the metrics."""
    with PeakMemory() as memory:
        t0 = time.perf_counter()
        con.execute(f"CREATE TEMP TABLE records AS SELECT {columns} FROM read_parquet('{path}')")
        naive_key(con)
        naive_seconds = time.perf_counter() - t0
    naive = {"seconds": round(naive_seconds, 2), "peak_memory_mb": memory.peak >> 20}
    naive.update(metrics(con))
    return naive


def textbook_run(con) -> dict:
    """Untuned Splink as its tutorial sets it up (``identity_datasets.textbook_splink``) on the
    records the naive key read: first name and surname as the naive key splits them, city,
    state, ZIP5 and e-mail, trimmed and in one case (a textbook user's cleaning, nothing more)."""
    import identity_datasets

    with PeakMemory() as memory:
        t0 = time.perf_counter()
        table = con.execute(
            """
            SELECT n.unique_id,
                nullif(upper(trim(n.first)), '') AS first_name,
                nullif(upper(trim(n.last)), '') AS surname,
                nullif(upper(trim(r.city)), '') AS city,
                nullif(upper(trim(r.state)), '') AS state,
                nullif(n.zip5, '') AS zip,
                nullif(lower(trim(r.email)), '') AS email
            FROM named n JOIN records r USING (unique_id)
            """
        ).to_arrow_table()
        ids, labels = identity_datasets.textbook_splink(table)
        del table
        con.execute("DROP TABLE IF EXISTS predicted")
        found = pa.table({"unique_id": ids, "cluster": labels})  # noqa: F841 - read below
        con.execute("CREATE TEMP TABLE predicted AS SELECT unique_id, cluster FROM found")
        seconds = time.perf_counter() - t0
    textbook = {"seconds": round(seconds, 2), "peak_memory_mb": memory.peak >> 20}
    textbook.update(metrics(con))
    return textbook


def engine_run(con, path: Path, columns: str, backend: str, args) -> tuple[dict, object]:
    """Our engine, trained on the records: time, peak memory, stages and the metrics."""
    from groundswell.identity import engine

    for table in ("records", "predicted"):
        con.execute(f"DROP TABLE IF EXISTS {table}")
    options = engine.EngineOptions(backend=backend, u_max_pairs=args.u_max_pairs)
    with PeakMemory() as memory, PeakSpill(engine.temp_directory(options)) as spill:
        t0 = time.perf_counter()
        con.execute(f"CREATE TEMP TABLE records AS SELECT {columns} FROM read_parquet('{path}')")
        result = engine.resolve(con, options)
        clusters = result.clusters  # noqa: F841 - read by DuckDB below
        con.execute(
            "CREATE TEMP TABLE predicted AS SELECT unique_id, cluster_id AS cluster FROM clusters"
        )
        seconds = time.perf_counter() - t0
    ours = {
        "seconds": round(seconds, 2),
        "peak_memory_mb": memory.peak >> 20,
        # Each DuckDB connection's limit (scaled to the records), and what they spilled.
        "memory_limit_mb": options.memory_limit_mb,
        "peak_spill_mb": spill.peak >> 20,
        "stages": result.timings,
        "representatives": result.representatives,
        "deterministic_links": result.deterministic_links,
        "scored_pairs": result.comparisons,
    }
    ours.update(metrics(con))
    return ours, result


def clusters_differing(con, on_spark, on_duckdb) -> int:
    """How many records Spark put in another cluster than DuckDB did (0 when they agree)."""
    spark_clusters = on_spark.clusters  # noqa: F841 - read by DuckDB below
    duckdb_clusters = on_duckdb.clusters  # noqa: F841 - read by DuckDB below
    return con.execute(
        "SELECT count(*) FROM spark_clusters s JOIN duckdb_clusters d USING (unique_id) "
        "WHERE s.cluster_id <> d.cluster_id"
    ).fetchall()[0][0]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--backend", choices=["duckdb", "spark"], default="duckdb")
    parser.add_argument("--u-max-pairs", type=float, default=1e7)
    parser.add_argument(
        "--workers", type=int, default=0, help="processes generating the data (default: cores)"
    )
    parser.add_argument(
        "--fec",
        action="store_true",
        help="also write the gifts as an FEC itcont.txt and count it with fec unique-donors",
    )
    parser.add_argument(
        "--textbook",
        action="store_true",
        help="also count the gifts with untuned Splink as its tutorial sets it up",
    )
    parser.add_argument(
        "--dataset",
        choices=["synthetic", "febrl1", "febrl2", "febrl4", "fec"],
        default="synthetic",
        help="the generator's gifts (default), a FEBRL set, or real FEC files (see --fec-dir); "
        "see bench/identity_datasets.py",
    )
    parser.add_argument("--fec-dir", help="with --dataset fec: a folder of itcont .txt files")
    parser.add_argument("--runs", type=int, default=5, help="with --dataset fec: engine runs")
    return parser


def _saved_model_run(con, path: Path, columns: str, args, model: dict) -> dict:
    """A later run reuses the saved model: no training."""
    from groundswell.identity import engine

    t0 = time.perf_counter()
    con.execute(f"CREATE TEMP TABLE records AS SELECT {columns} FROM read_parquet('{path}')")
    again = engine.resolve(con, engine.EngineOptions(backend=args.backend, model=model))
    return {"seconds": round(time.perf_counter() - t0, 2), "unique_donors": again.cluster_count}


def main() -> None:
    parser = _parser()
    args = parser.parse_args()
    if args.dataset != "synthetic":
        import identity_datasets

        if args.dataset == "fec":
            if not args.fec_dir:
                parser.error("--dataset fec needs --fec-dir")
            print(json.dumps(identity_datasets.real_fec(Path(args.fec_dir), args.runs)))
        else:
            print(json.dumps(identity_datasets.febrl(args.dataset)))
        return
    if args.records < 100:
        parser.error("--records must be at least 100")

    path, data = dataset(args.records, args.seed, args.workers)
    print("data:", json.dumps(data))
    # Imported only now: the generating processes (spawned, they import this script) need not
    # load Splink.
    from groundswell.identity import engine

    con = duckdb.connect()
    # Spills go where the engine's do, not into ``.tmp`` in whatever folder the bench runs in.
    con.execute(f"SET temp_directory = '{engine.temp_directory(engine.EngineOptions())}'")
    # The truth stays in DuckDB (metrics() joins it there): no Python object per row.
    con.execute(f"CREATE TEMP TABLE truth AS SELECT unique_id, person FROM read_parquet('{path}')")
    columns = ", ".join(["unique_id", *engine.RAW_COLUMNS])
    results = {"records": args.records, "backend": args.backend, "cores": os.cpu_count()}
    results["data"] = data

    results["naive"] = naive_run(con, path, columns)
    print("naive key (first + last + zip5):", json.dumps(results["naive"]))

    if args.backend == "spark":
        # DuckDB first, then Spark beside it on the same records; the Spark session (a JVM) is
        # started before the clock, once per process.
        from groundswell.identity.spark import spark_session

        t0 = time.perf_counter()
        spark_session()
        results["spark_session_seconds"] = round(time.perf_counter() - t0, 2)
        results["duckdb"], duckdb_result = engine_run(con, path, columns, "duckdb", args)
        print("engine on DuckDB:", json.dumps(results["duckdb"]))
    results["engine"], result = engine_run(con, path, columns, args.backend, args)
    if args.backend == "spark":
        differing = clusters_differing(con, result, duckdb_result)
        results["engine"]["records_in_another_cluster_than_on_duckdb"] = differing
        del duckdb_result
    print("engine:", json.dumps(results["engine"]))

    con.execute("DROP TABLE records")
    results["engine_with_saved_model"] = _saved_model_run(con, path, columns, args, result.model)
    print("engine with the saved model:", json.dumps(results["engine_with_saved_model"]))
    if args.textbook:
        # Last: Splink's run keeps gigabytes this process does not give back, which would be
        # counted in the engine's peak memory if it ran first.
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE records AS SELECT {columns} FROM read_parquet('{path}')"
        )
        naive_key(con)
        results["textbook_splink"] = textbook_run(con)
        print("untuned Splink (tutorial settings):", json.dumps(results["textbook_splink"]))
    if args.fec:
        results["fec"] = fec_mode(path, args.seed)
        print("fec unique-donors:", json.dumps(results["fec"]))
    print(json.dumps(results))


if __name__ == "__main__":
    main()
