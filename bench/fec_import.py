"""Benchmark: import a generated FEC itcont.txt (1,000,000 rows by default) into a fresh database.

    python bench/fec_import.py [--rows 1000000] [--database-url postgres://…/gs_bench]

The file is in the real layout (21 pipe-delimited columns CMTE_ID…SUB_ID, MMDDYYYY dates,
"LAST, FIRST MIDDLE" names) with synthetic donors, and carries what real files carry: memo rows,
15E rows earmarked through a conduit, 22Y refunds (some listed before their original), rows of
other committees, repeated SUB_IDs and a few malformed lines. It runs
the import function in a child process — timing the import and the rebuild of the donors' limit
totals after it apart — then `groundswell import fec FILE --committee ID` on the same file again
to show that a second run adds nothing. A PostgreSQL database whose name
starts with "gs_bench" is dropped and created afresh. The last line printed is a JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from urllib.parse import urlsplit

COMMITTEE = "C00777777"
OTHER_COMMITTEES = ["C00111111", "C00222222", "C00333333"]
CONDUIT = "C00401224"
EMPLOYERS = ["SELF-EMPLOYED", "RETIRED", "NOT EMPLOYED", "COUNTY SCHOOLS", "CITY HOSPITAL", ""]
JOBS = ["TEACHER", "NURSE", "RETIRED", "NOT EMPLOYED", "ENGINEER", "DRIVER", ""]
AMOUNTS = ["5", "10", "15", "25", "27", "50", "100", "250", "500", "1000", "2800", "12.50"]
AMOUNT_WEIGHTS = [12, 18, 6, 20, 10, 14, 10, 5, 2, 1, 1, 1]
START = date(2025, 1, 1)
STATES = ["CA", "TX", "FL", "NY", "PA", "IL", "OH", "GA", "NC", "MI", "NJ", "VA", "WA", "AZ"]


class _Writer:
    """The state one generated file shares across rows: vocabularies, counts, recent TRAN_IDs.

    The draws from ``rng`` happen in a fixed order, so one seed always writes the same file.
    """

    def __init__(self, seed: int) -> None:
        from faker import Faker

        fake = Faker("en_US")
        fake.seed_instance(seed)
        self.rng = rng = random.Random(seed)
        self.given = [fake.first_name().upper() for _ in range(800)]
        self.family = [fake.last_name().upper() for _ in range(1500)]
        self.cities = [(fake.city().upper(), rng.choice(STATES)) for _ in range(400)]
        self.counts = dict.fromkeys(
            ["ours", "other_committee", "memo", "earmarked", "refund", "duplicate", "malformed"], 0
        )
        self.written_tran: list[str] = []
        self.sub_id = 4_000_000_000_000_000_000

    def kind(self, index: int, roll: float) -> tuple[str, str, str, str, str, str, str]:
        """Committee, transaction type, other id, memo code and text, amount and TRAN_ID."""
        rng, counts = self.rng, self.counts
        self.sub_id += 1
        cmte = COMMITTEE
        ttype, other, memo_cd, memo_text = "15", "", "", ""
        amount = rng.choices(AMOUNTS, AMOUNT_WEIGHTS)[0]
        tran = f"SA11AI.{index}"
        if roll < 0.08:
            cmte = rng.choice(OTHER_COMMITTEES)
            counts["other_committee"] += 1
        else:
            counts["ours"] += 1
            if roll < 0.085 and self.written_tran:
                # A refund of an earlier gift, or (every third) of one still to come.
                ttype = "22Y"
                other = (
                    f"SA11AI.{index + 50}"
                    if counts["refund"] % 3 == 0
                    else rng.choice(self.written_tran[-5000:])
                )
                amount = f"-{rng.choice(['5', '10', '25'])}"
                tran = f"SB28A.{index}"
                counts["refund"] += 1
            elif roll < 0.12:
                memo_cd, memo_text = "X", "EARMARKED CONTRIBUTION: SEE BELOW"
                counts["memo"] += 1
            elif roll < 0.45:
                ttype, other = "15E", CONDUIT
                counts["earmarked"] += 1
            if roll < 0.125 and roll >= 0.12 and index:
                self.sub_id -= 1  # the same SUB_ID again (an amended filing repeats the row)
                counts["duplicate"] += 1
        self.written_tran.append(tran)
        if len(self.written_tran) > 10000:
            del self.written_tran[:5000]
        return cmte, ttype, other, memo_cd, memo_text, amount, tran

    def line(self, index: int, roll: float) -> str:
        """One row of the file in the real layout (21 columns, pipe-delimited)."""
        cmte, ttype, other, memo_cd, memo_text, amount, tran = self.kind(index, roll)
        rng = self.rng
        day = START + timedelta(days=int(rng.random() ** 0.7 * 700))
        middle = f" {rng.choice('ABCDEFGHJKLMNPRSTW')}" if rng.random() < 0.4 else ""
        city, state = rng.choice(self.cities)
        zip_code = f"{rng.randint(10000, 99999)}" + (
            f"{rng.randint(0, 9999):04d}" if rng.random() < 0.5 else ""
        )
        return "|".join(
            (
                cmte, "N", "Q1", "P2026", f"2025{index:014d}", ttype, "IND",
                f"{rng.choice(self.family)}, {rng.choice(self.given)}{middle}",
                city, state, zip_code, rng.choice(EMPLOYERS), rng.choice(JOBS),
                day.strftime("%m%d%Y"), amount, other, tran, "1234567", memo_cd, memo_text,
                str(self.sub_id),
            )
        )  # fmt: skip


def itcont_write(path: str, rows: int, seed: int) -> dict:
    """Write ``rows`` lines; return how many of each kind were written."""
    writer = _Writer(seed)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        for index in range(rows):
            roll = writer.rng.random()
            if roll < 0.001:
                writer.counts["malformed"] += 1
                fh.write(f"{COMMITTEE}|N|Q1|P2026|{index}\n")
                continue
            fh.write(writer.line(index, roll) + "\n")
    return writer.counts


PHASES = """
import csv, json, time
from groundswell.donations.intake.fec_import import donor_totals_refresh, fec_import
out = open({errors!r}, "w", newline="")
writer = csv.writer(out)
writer.writerow(["line", "column", "value", "reason"])
started = time.perf_counter()
result = fec_import(
    {path!r}, committee={committee!r}, limit_totals=False,
    on_error=lambda e: writer.writerow([e.line, e.column, e.value, e.reason]),
)
import_seconds = time.perf_counter() - started
out.close()
started = time.perf_counter()
donor_totals_refresh()
totals_seconds = time.perf_counter() - started
counts = dict(
    rows=result.rows, new=result.created, refunds_applied=result.refunded,
    unchanged=result.unchanged, rejected=result.rejected, other_committee=result.skipped,
)
print(json.dumps(dict(counts=counts, import_seconds=import_seconds, totals_seconds=totals_seconds)))
"""


def database_fresh(url: str) -> None:
    """Drop and create a PostgreSQL benchmark database (only one named gs_bench…)."""
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    if not re.fullmatch(r"gs_bench\w*", name):
        raise SystemExit(f"refusing to recreate {name!r}: the database name must start gs_bench")
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def groundswell(args, env) -> tuple[str, float]:
    """Run the CLI; return its output and its peak memory (MB, with its helper process)."""
    with tempfile.TemporaryFile("w+") as out:
        child = subprocess.Popen(
            [sys.executable, "-m", "groundswell", *args], env=env, stdout=out, stderr=out
        )
        # wait4 reports this child's own peak RSS (and that of the children it waited for).
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        output = out.read()
    if child.returncode:
        raise SystemExit(f"groundswell {' '.join(args)} failed:\n{output[-2000:]}")
    return output, usage.ru_maxrss / 1024


def counts_parse(output: str) -> dict:
    match = re.search(
        r"(\d+) rows — (\d+) new, (\d+) refunds applied, (\d+) unchanged, (\d+) rejected, "
        r"(\d+) for another committee",
        output,
    )
    if not match:
        raise SystemExit(f"unexpected output: {output[-500:]}")
    keys = ["rows", "new", "refunds_applied", "unchanged", "rejected", "other_committee"]
    return dict(zip(keys, map(int, match.groups()), strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--database-url", default="", help="default: a fresh SQLite file")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="gs-bench-fec-")
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(GROUNDSWELL_DEMO="1", GROUNDSWELL_DATA_DIR=work)
    if args.database_url:
        database_fresh(args.database_url)
        env["DATABASE_URL"] = args.database_url
    path = os.path.join(work, "itcont.txt")
    started = time.perf_counter()
    written = itcont_write(path, args.rows, args.seed)
    generate_seconds = time.perf_counter() - started
    groundswell(["migrate", "-v0"], env)

    command = ["import", "fec", path, "--committee", COMMITTEE]
    errors = os.path.join(work, "errors.csv")
    # The first run calls the import function (in a child process, as the CLI would) so that
    # the import and the rebuild of the donors' limit totals after it are timed apart.
    output, peak_mb = groundswell(
        ["shell", "-c", PHASES.format(path=path, errors=errors, committee=COMMITTEE)], env
    )
    phases = json.loads(output.strip().splitlines()[-1])
    first_counts = phases["counts"]
    seconds = phases["import_seconds"]
    started = time.perf_counter()
    second, _ = groundswell(command, env)
    second_seconds = time.perf_counter() - started
    second_counts = counts_parse(second)
    with open(errors, encoding="utf-8") as fh:
        reported = sum(1 for _ in fh) - 1
    result = {
        "rows": args.rows,
        "file_mb": round(os.path.getsize(path) / 2**20, 1),
        "database": "postgresql" if args.database_url else "sqlite",
        "seconds": round(seconds, 2),
        "rows_per_second": round(args.rows / seconds),
        "limit_totals_rebuild_seconds": round(phases["totals_seconds"], 2),
        "end_to_end_rows_per_second": round(args.rows / (seconds + phases["totals_seconds"])),
        "peak_rss_mb": round(peak_mb, 1),
        "contributions_created": first_counts["new"],
        "refunds_applied": first_counts["refunds_applied"],
        "unchanged_rows": first_counts["unchanged"],
        "rejected_rows": first_counts["rejected"],
        "other_committee_rows": first_counts["other_committee"],
        "error_report_lines": reported,
        "written": written,
        "second_run_seconds": round(second_seconds, 2),
        "second_run_rows_per_second": round(args.rows / second_seconds),
        "second_run_created": second_counts["new"],
        "second_run_refunds_applied": second_counts["refunds_applied"],
        "generate_seconds": round(generate_seconds, 2),
        "cpu": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
    }
    if not args.keep:
        import shutil

        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
