"""Benchmark the identity engine on labelled synthetic contributions against the naive key.

    .venv/bin/python bench/identity.py --records 100000 [--backend duckdb|spark] [--seed 7] [--fec]

Generates (and caches in /tmp) ``--records`` synthetic contribution rows with realistic noise
(see groundswell.identity.synthetic), then resolves them twice: with the analysts' naive key
(first + last name + ZIP5, as written) and with our engine (trained on the data itself, as a
campaign's first run would be). For each it prints the time, the peak memory of the process
(resident set, which includes the generated data held by this process), pairwise and cluster
precision/recall/F1, and the error of the unique-donor count; the JSON object on the last line
has them all. Generation is not timed. With ``--fec`` the same gifts are also written as an FEC
itcont.txt (no street, e-mail or phone) and counted by ``groundswell fec unique-donors``.
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

from groundswell.identity import engine  # noqa: E402
from groundswell.identity.synthetic import contributions  # noqa: E402


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


def dataset(records: int, seed: int) -> Path:
    path = Path(tempfile.gettempdir()) / f"groundswell-identity-bench-{records}-{seed}.parquet"
    if not path.exists():
        # In a child process, so the generator's memory is not counted as the engine's.
        child = multiprocessing.get_context("spawn").Process(
            target=_generate, args=(records, seed, path)
        )
        child.start()
        child.join()
        if child.exitcode:
            raise SystemExit(f"generating the data failed ({child.exitcode})")
    return path


def _generate(records: int, seed: int, path: Path) -> None:
    rows = contributions(records, seed=seed)
    columns = ["unique_id", "person", *engine.RAW_COLUMNS]
    table = pa.table({c: [r.get(c) for r in rows] for c in columns})
    pq.write_table(table, path.with_suffix(".tmp"))
    path.with_suffix(".tmp").rename(path)


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
    names, some memo rows and refunds); also how many people gave the gifts that count."""
    import random

    out = path.with_suffix(".itcont.txt")
    rng = random.Random(seed)
    people: set[int] = set()
    rows = pq.read_table(path).to_pylist()
    with open(out, "w", encoding="utf-8") as fh:
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
            fields = [
                "C00100001", "N", "Q1", "P2026", "202604159876543210", kind, "IND",
                name.upper(), (row["city"] or "").upper(), row["state"] or "",
                (row["postal_code"] or "").replace("-", ""), (row["employer"] or "").upper(),
                (row["occupation"] or "").upper(), f"{rng.randint(1, 12):02d}152026",
                str(rng.randint(1, 500)), "", f"T{row['unique_id']}", "1", memo, "",
                str(4_000_000_000 + row["unique_id"]),
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--backend", choices=["duckdb", "spark"], default="duckdb")
    parser.add_argument("--u-max-pairs", type=float, default=1e7)
    parser.add_argument(
        "--fec",
        action="store_true",
        help="also write the gifts as an FEC itcont.txt and count it with fec unique-donors",
    )
    args = parser.parse_args()
    if args.records < 100:
        parser.error("--records must be at least 100")

    started = time.perf_counter()
    path = dataset(args.records, args.seed)
    print(f"data: {path} ({time.perf_counter() - started:.1f} s to generate or find)")
    con = duckdb.connect()
    con.execute(f"CREATE TEMP TABLE truth AS SELECT unique_id, person FROM read_parquet('{path}')")
    columns = ", ".join(["unique_id", *engine.RAW_COLUMNS])
    results = {"records": args.records, "backend": args.backend, "cores": os.cpu_count()}

    with PeakMemory() as memory:
        t0 = time.perf_counter()
        con.execute(f"CREATE TEMP TABLE records AS SELECT {columns} FROM read_parquet('{path}')")
        naive_key(con)
        naive_seconds = time.perf_counter() - t0
    naive = {"seconds": round(naive_seconds, 2), "peak_memory_mb": memory.peak >> 20}
    naive.update(metrics(con))
    results["naive"] = naive
    print("naive key (first + last + zip5):", json.dumps(naive))

    con.execute("DROP TABLE predicted")
    con.execute("DROP TABLE records")
    with PeakMemory() as memory:
        t0 = time.perf_counter()
        con.execute(f"CREATE TEMP TABLE records AS SELECT {columns} FROM read_parquet('{path}')")
        options = engine.EngineOptions(backend=args.backend, u_max_pairs=args.u_max_pairs)
        result = engine.resolve(con, options)
        clusters = result.clusters  # noqa: F841 - read by DuckDB below
        con.execute(
            "CREATE TEMP TABLE predicted AS SELECT unique_id, cluster_id AS cluster FROM clusters"
        )
        seconds = time.perf_counter() - t0
    ours = {
        "seconds": round(seconds, 2),
        "peak_memory_mb": memory.peak >> 20,
        "stages": result.timings,
        "representatives": result.representatives,
        "deterministic_links": result.deterministic_links,
        "scored_pairs": result.comparisons,
    }
    ours.update(metrics(con))
    results["engine"] = ours
    print("engine:", json.dumps(ours))

    # A later run reuses the saved model: no training.
    model = result.model
    del result, clusters
    for table in ("records", "predicted"):
        con.execute(f"DROP TABLE {table}")
    t0 = time.perf_counter()
    con.execute(f"CREATE TEMP TABLE records AS SELECT {columns} FROM read_parquet('{path}')")
    again = engine.resolve(con, engine.EngineOptions(backend=args.backend, model=model))
    results["engine_with_saved_model"] = {
        "seconds": round(time.perf_counter() - t0, 2),
        "unique_donors": again.cluster_count,
    }
    print("engine with the saved model:", json.dumps(results["engine_with_saved_model"]))
    if args.fec:
        results["fec"] = fec_mode(path, args.seed)
        print("fec unique-donors:", json.dumps(results["fec"]))
    print(json.dumps(results))


if __name__ == "__main__":
    main()
