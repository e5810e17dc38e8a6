"""Benchmark: import a generated CSV of N people (1% malformed) into a fresh database.

    python bench/import_people.py --rows 100000 [--database-url postgres://...]

Runs `groundswell import people` as a child process (as a user would), then imports the same
file again to show that a second run adds nothing. The last line printed is a JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time


def groundswell(args, env, capture=True):
    return subprocess.run(
        [sys.executable, "-m", "groundswell", *args],
        env=env,
        check=True,
        capture_output=capture,
        text=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--malformed", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database-url", default="", help="default: a fresh SQLite file")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="gs-bench-import-")
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(GROUNDSWELL_DEMO="1", GROUNDSWELL_DATA_DIR=work, GROUNDSWELL_CHECK_MX="0")
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    csv_path = os.path.join(work, "people.csv")
    groundswell(["migrate", "-v0"], env)
    groundswell(
        [
            "generate",
            "--people",
            str(args.rows),
            "--seed",
            str(args.seed),
            "--csv",
            csv_path,
            "--malformed",
            str(args.malformed),
            "-v0",
        ],
        env,
    )

    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    first = groundswell(
        ["import", "people", csv_path, "--errors", os.path.join(work, "errors.csv")], env
    )
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    second = groundswell(["import", "people", csv_path], env)
    second_seconds = time.perf_counter() - started

    def counts(output: str) -> dict:
        match = re.search(
            r"(\d+) rows — (\d+) new, (\d+) updated, (\d+) unchanged, "
            r"(\d+) rejected",
            output,
        )
        rows, new, updated, unchanged, rejected = map(int, match.groups())
        return {
            "rows": rows,
            "new": new,
            "updated": updated,
            "unchanged": unchanged,
            "rejected": rejected,
        }

    first_counts, second_counts = counts(first.stdout), counts(second.stdout)
    with open(os.path.join(work, "errors.csv"), encoding="utf-8") as fh:
        reported = sum(1 for _ in fh) - 1
    result = {
        "rows": args.rows,
        "database": "postgresql" if args.database_url else "sqlite",
        "seconds": round(seconds, 2),
        "rows_per_second": round(args.rows / seconds),
        "peak_memory_mb": round(max(peak_kb, before) / 1024, 1),
        "people_created": first_counts["new"],
        "rows_accepted": first_counts["new"] + first_counts["updated"] + first_counts["unchanged"],
        "rejected": first_counts["rejected"],
        "error_report_lines": reported,
        "second_run_seconds": round(second_seconds, 2),
        "second_run_new": second_counts["new"],
        "second_run_updated": second_counts["updated"],
        "cpu": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
