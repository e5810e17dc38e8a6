"""Benchmark: concurrent ActBlue webhook deliveries through the production server, on PostgreSQL.

    python bench/actblue_webhooks.py [--deliveries 5000] [--concurrency 16] [--workers 5]
                                     [--database-url postgres://postgres@127.0.0.1:5432/gs_bench_webhooks]

Drops and re-creates the database (its name must start with gs_bench), migrates it, starts
`groundswell serve` (granian and the task worker) on 127.0.0.1 with webhook credentials set in
the environment, and posts N deliveries in ActBlue's webhook JSON shape (donor, contribution,
lineitems, form; synthetic donors, some giving more than once, some orders with two line items,
a few refunds) from a bounded pool of client connections, measuring throughput and latency.
The webhook answers once a delivery's contributions are committed and leaves the donor, the
timeline and the limit count to the task worker: the benchmark waits until the worker has
processed every contribution (and reports how long that backlog took) before it counts. Then it
replays the same batch, waits again, and checks that neither the number nor the sum of
contributions, refunds, timeline entries or donor totals changed: no contribution lost or
doubled. Only 127.0.0.1 is ever contacted.

The last line printed is a JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import platform
import random
import secrets
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _serve import (  # noqa: E402  (the server benchmarks' shared helpers)
    Connection,
    CpuMeter,
    database_recreate,
    percentile,
    server_env,
    server_running,
)

USER = "bench-actblue"
ENTITY_ID = 10001
PATH = "/webhooks/actblue/"


def contributions_in_db(url: str) -> tuple[int, int, int]:
    """(contributions, sum of amounts in cents, refunded cents) of ActBlue contributions."""
    import psycopg

    with psycopg.connect(url) as conn:
        count, total, refunded = conn.execute(
            "SELECT count(*), coalesce(sum(amount_cents), 0), coalesce(sum(refunded_cents), 0) "
            "FROM donations_contribution WHERE processor = 'actblue'"
        ).fetchone()
    return int(count), int(total), int(refunded)


def processed_in_db(url: str) -> dict:
    """What the task worker made of the contributions: donors, timeline entries, totals."""
    import psycopg

    with psycopg.connect(url) as conn:
        linked, people, entries, totals = conn.execute(
            "SELECT (SELECT count(*) FROM donations_contribution WHERE person_id IS NOT NULL), "
            "(SELECT count(*) FROM people_person), "
            "(SELECT count(*) FROM people_activity WHERE kind LIKE 'donation%'), "
            "(SELECT coalesce(sum(total_cents), 0) FROM donations_donorelectiontotal)"
        ).fetchone()
    return {
        "linked_to_a_person": int(linked),
        "people": int(people),
        "timeline_entries": int(entries),
        "donor_totals_cents": int(totals),
    }


def backlog_wait(url: str, timeout: float = 900) -> float:
    """Seconds until no contribution is left for the task worker to process."""
    import psycopg

    started = time.monotonic()
    with psycopg.connect(url, autocommit=True) as conn:
        while True:
            (pending,) = conn.execute(
                "SELECT count(*) FROM donations_contribution WHERE processed_at IS NULL"
            ).fetchone()
            if not pending:
                return time.monotonic() - started
            if time.monotonic() - started > timeout:
                raise SystemExit(f"{pending} contributions still unprocessed after {timeout} s")
            time.sleep(0.1)


def _donor(fake, rng: random.Random, names, places, index: int) -> dict:
    """A new synthetic donor in ActBlue's shape (drawn in the same order for the same seed)."""
    given, family = names
    city, state, zip_code = rng.choice(places)
    first, last = rng.choice(given), rng.choice(family)
    return {
        "firstname": first,
        "lastname": last,
        "addr1": f"{rng.randint(1, 9999)} {fake.street_name()}",
        "city": city,
        "state": state,
        "zip": zip_code,
        "country": "United States",
        "email": f"{first}.{last}.{index}@example.org".lower(),
        "phone": f"{rng.randint(201, 989)}-555-{rng.randint(0, 9999):04d}",
        "isEligibleForExpressLane": False,
        "employerData": {
            "employer": rng.choice(["Self-employed", "Retired", "County Schools", ""]),
            "occupation": rng.choice(["Teacher", "Nurse", "Retired", "Engineer", ""]),
            "employerAddr1": None,
            "employerCity": None,
            "employerState": None,
            "employerCountry": None,
        },
    }


def payloads(count: int, seed: int) -> tuple[list[bytes], int, int]:
    """``count`` webhook bodies; also the line items and cents they carry (refunds excluded)."""
    from faker import Faker

    fake = Faker("en_US")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    given = [fake.first_name() for _ in range(400)]
    family = [fake.last_name() for _ in range(800)]
    places = [(fake.city(), fake.state_abbr(), fake.zipcode()) for _ in range(300)]
    donors = []
    bodies, items, cents_total = [], 0, 0
    lineitem = seed * 10_000_000
    for index in range(count):
        if donors and rng.random() < 0.15:
            donor = rng.choice(donors)  # a returning donor: same e-mail, another gift
        else:
            donor = _donor(fake, rng, (given, family), places, index)
            donors.append(donor)
        lines = []
        for sequence in range(2 if rng.random() < 0.1 else 1):
            lineitem += 1
            amount = rng.choice([5, 10, 15, 25, 27, 50, 100, 250])
            refund = rng.random() < 0.02
            lines.append(
                {
                    "sequence": sequence,
                    "entityId": ENTITY_ID,
                    "fecId": "C00000000",
                    "committeeName": "Groundswell for Congress",
                    "amount": f"{amount}.00",
                    "paidAt": "2026-03-30T21:14:07-04:00",
                    "paymentId": 1000 + index,
                    "lineitemId": lineitem,
                    "refundId": 900_000 + lineitem if refund else None,
                    "refundedAt": "2026-04-02T10:00:00-04:00" if refund else None,
                }
            )
            items += 1
            cents_total += amount * 100
        refcode = rng.choice(["", "email-q1-deadline", "fb-spring", "sms-gotv"])
        body = {
            "donor": donor,
            "contribution": {
                "createdAt": "2026-03-30T21:14:05-04:00",
                "orderNumber": f"AB{lineitem:09d}",
                "contributionForm": "groundswell-main",
                "refcodes": {"refcode": refcode or None, "refcode2": None},
                "refcode": refcode,
                "recurringPeriod": "once",
                "recurringDuration": 0,
                "isRecurring": False,
                "isPaypal": False,
                "isMobile": rng.random() < 0.6,
                "isExpress": False,
                "withExpressLane": False,
                "expressSignup": False,
                "uniqueIdentifier": fake.uuid4(),
                "status": "approved",
            },
            "lineitems": lines,
            "form": {
                "name": "groundswell-main",
                "kind": "page",
                "managingEntityName": "Groundswell for Congress",
            },
        }
        bodies.append(json.dumps(body).encode())
    return bodies, items, cents_total


def request_bytes(host: str, body: bytes, authorization: str) -> bytes:
    head = [
        f"POST {PATH} HTTP/1.1",
        f"Host: {host}",
        "User-Agent: groundswell-bench",
        "Content-Type: application/json",
        f"Authorization: {authorization}",
        f"Content-Length: {len(body)}",
    ]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


async def deliver(host, port, requests: list[bytes], concurrency: int):
    """Send every request from ``concurrency`` connections; latencies (s), statuses, elapsed."""
    queue: asyncio.Queue = asyncio.Queue()
    for raw in requests:
        queue.put_nowait(raw)
    latencies: list[float] = []
    statuses: dict[int, int] = {}

    async def worker():
        conn = Connection(host, port)
        while not queue.empty():
            raw = queue.get_nowait()
            started = time.perf_counter()
            try:
                status, _ = await asyncio.wait_for(conn.request(raw), timeout=30)
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
                conn.close()
                status = 0
            latencies.append(time.perf_counter() - started)
            statuses[status] = statuses.get(status, 0) + 1
        conn.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, statuses, time.perf_counter() - started


def summary(latencies, statuses, elapsed) -> dict:
    ms = [x * 1000 for x in latencies]
    ok = sum(n for status, n in statuses.items() if 200 <= status < 300)
    return {
        "deliveries": len(latencies),
        "acknowledged": ok,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "seconds": round(elapsed, 2),
        "deliveries_per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(percentile(ms, 0.50), 1),
        "p95_ms": round(percentile(ms, 0.95), 1),
        "p99_ms": round(percentile(ms, 0.99), 1),
        "max_ms": round(max(ms, default=0), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/gs_bench_webhooks"
    )
    parser.add_argument("--deliveries", type=int, default=5000)
    parser.add_argument("--warmup", type=int, default=300, help="deliveries before measuring")
    parser.add_argument("--concurrency", type=int, default=16, help="client connections")
    parser.add_argument("--workers", type=int, default=0, help="web processes (0: serve's)")
    parser.add_argument("--threads", type=int, default=0, help="threads per process (0: serve's)")
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="gs-bench-webhooks-")
    password = secrets.token_urlsafe(24)
    env = server_env(
        args.database_url,
        work,
        ACTBLUE_WEBHOOK_USERNAME=USER,
        ACTBLUE_WEBHOOK_PASSWORD=password,
        GROUNDSWELL_COMMITTEE_ENTITY_ID=str(ENTITY_ID),
    )
    print(f"database {args.database_url}: drop, create, migrate", flush=True)
    database_recreate(args.database_url, prefix="gs_bench")
    subprocess.run([sys.executable, "-m", "groundswell", "migrate", "-v0"], env=env, check=True)
    bodies, items, cents = payloads(args.warmup + args.deliveries, args.seed)
    token = base64.b64encode(f"{USER}:{password}".encode()).decode()

    options = ["--threads", str(args.threads)] if args.threads else []
    options += ["--workers", str(args.workers)] if args.workers else []
    with server_running(env, work, *options) as (host, port, server_pid):
        requests = [request_bytes(f"{host}:{port}", body, f"Basic {token}") for body in bodies]
        warm, timed = requests[: args.warmup], requests[args.warmup :]
        asyncio.run(deliver(host, port, warm, args.concurrency))

        meter = CpuMeter(server_pid)
        first = summary(*asyncio.run(deliver(host, port, timed, args.concurrency)))
        cpu = meter.split()
        # Counted from the end of the timed batch: the worker started on it long before.
        backlog_seconds = backlog_wait(args.database_url)
        after_first = contributions_in_db(args.database_url)
        processed_first = processed_in_db(args.database_url)
        # The same batch again (warm-up included): nothing may change.
        replay = summary(*asyncio.run(deliver(host, port, requests, args.concurrency)))
        backlog_wait(args.database_url)
        after_replay = contributions_in_db(args.database_url)
        processed_replay = processed_in_db(args.database_url)

    result = {
        **first,
        "line_items_sent": items,
        "cents_sent": cents,
        "contributions_in_db": after_first[0],
        "cents_in_db": after_first[1],
        # Every delivery (warm-up included) was acknowledged, so every line item must be a row.
        "lost": items - after_first[0],
        "lost_cents": cents - after_first[1],
        "backlog_processed_after_s": round(backlog_seconds, 1),
        **processed_first,
        "replay": replay,
        "replay_changed_count": after_replay[0] - after_first[0],
        "replay_changed_cents": after_replay[1] - after_first[1],
        "replay_changed_refunded_cents": after_replay[2] - after_first[2],
        "replay_changed_processing": {
            k: processed_replay[k] - v
            for k, v in processed_first.items()
            if processed_replay[k] != v
        },
        "workers": args.workers or "serve default",
        "threads": args.threads or "serve default",
        "concurrency": args.concurrency,
        "cpu_seconds": cpu,
        "cpu": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
