"""Benchmark: pop-up sign-ups per second through the production server, on PostgreSQL.

    python bench/signups.py [--rate 300] [--seconds 20] [--workers 4] [--threads 1]
                            [--database-url postgres://postgres@127.0.0.1:5432/gs_signups]

Drops and re-creates the database, migrates it, creates a published newsletter page (e-mail and
first name) and allows one embedding origin; starts `groundswell serve --no-worker` (granian)
as a child process; fetches one signed token per sign-up from /embed/<slug>/config (as each
pop-up does when shown); then, from this second process, posts sign-ups to
/embed/<slug>/submit at a fixed rate (an open loop: a request's latency counts from when it was
due, so a slow server cannot hide its queue) over raw HTTP/1.1 connections on loopback, each
with a unique synthetic e-mail address. Afterwards it checks that every acknowledged (2xx)
sign-up is a row in the database, and times turning the backlog into people.

Every request comes from 127.0.0.1, so the server runs with the per-address rate limit lifted.
`cpu_seconds` splits the CPU used while measuring between the server, PostgreSQL, this client
and anything else on the machine ("other"): a figure taken while "other" is large is noise.
Under gunicorn, 3 to 5 sync workers did best on 2 cores; threaded workers had a worse p99.

The last line printed is a JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from urllib.parse import urlencode

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _serve import (  # noqa: E402  (the server benchmarks' shared helpers)
    Connection,
    CpuMeter,
    database_recreate,
    percentile,
    server_env,
    server_running,
)

SLUG = "bench-newsletter"
ORIGIN = "http://bench.example"
SETUP = f"""
from groundswell.actions.models import ActionPage
from groundswell.actions.services import site_get
site = site_get()
site.embed_origins = {ORIGIN!r}
site.save()
ActionPage.objects.create(
    kind="newsletter", slug={SLUG!r}, title="Newsletter", headline="Get the news",
    fields={{"given_name": "required"}}, subscribes=True, tags=["newsletter"], trigger_value=5,
)
"""
PROCESS = """
import time
from groundswell.actions.services import submissions_process
started = time.perf_counter()
total = 0
while done := submissions_process(limit=500):
    total += done
print("PROCESSED", total, round(time.perf_counter() - started, 2))
"""


def groundswell(args, env, **kwargs):
    return subprocess.run(
        [sys.executable, "-m", "groundswell", *args],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        **kwargs,
    )


def count_rows(url: str, prefix: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT count(*) FROM actions_submission WHERE email LIKE %s", [prefix + "%"]
        ).fetchone()[0]


def request_bytes(method: str, path: str, host: str, body: bytes = b"") -> bytes:
    head = [
        f"{method} {path} HTTP/1.1",
        f"Host: {host}",
        f"Origin: {ORIGIN}",
        "User-Agent: groundswell-bench",
    ]
    if method == "POST":
        head += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


async def fetch_tokens(host: str, port: int, count: int, concurrency: int) -> list[str]:
    raw = request_bytes("GET", f"/embed/{SLUG}/config", f"{host}:{port}")
    tokens: list[str] = []

    async def worker():
        conn = Connection(host, port)
        while len(tokens) < count:
            status, body = await conn.request(raw)
            if status != 200:
                raise SystemExit(f"config answered {status}: {body[:200]!r}")
            tokens.append(json.loads(body)["token"])
        conn.close()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return tokens[:count]


async def drive(host, port, tokens, prefix, rate, seconds, concurrency):
    """Post len(tokens) sign-ups at `rate` per second; return latencies and outcomes."""
    count = min(len(tokens), int(rate * seconds))
    queue: asyncio.Queue = asyncio.Queue()
    latencies: list[float] = []
    outcomes = {"acknowledged": 0, "errors": 0, "statuses": {}}
    run_tag = secrets.token_hex(3)

    async def worker():
        conn = Connection(host, port)
        while True:
            item = await queue.get()
            if item is None:
                conn.close()
                return
            index, due = item
            body = urlencode(
                {
                    "email": f"{prefix}{run_tag}-{index}@example.org",
                    "given_name": "Bench",
                    "website": "",
                    "token": tokens[index],
                    "url": f"{ORIGIN}/?refcode=bench&utm_source=bench",
                }
            ).encode()
            raw = request_bytes("POST", f"/embed/{SLUG}/submit", f"{host}:{port}", body)
            try:
                status, _ = await asyncio.wait_for(conn.request(raw), timeout=10)
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
                conn.close()
                status = 0
            latencies.append(time.perf_counter() - due)
            outcomes["statuses"][status] = outcomes["statuses"].get(status, 0) + 1
            if 200 <= status < 300:
                outcomes["acknowledged"] += 1
            else:
                outcomes["errors"] += 1

    workers = [asyncio.create_task(worker()) for _ in range(concurrency)]
    started = time.perf_counter()
    for index in range(count):
        due = started + index / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        queue.put_nowait((index, due))
    for _ in workers:
        queue.put_nowait(None)
    await asyncio.gather(*workers)
    elapsed = time.perf_counter() - started
    return count, latencies, outcomes, elapsed


def backlog_process(env: dict) -> float:
    """Turn every stored submission into people; the seconds it took."""
    output = groundswell(["shell", "-c", PROCESS], env).stdout
    line = next(x for x in output.splitlines() if x.startswith("PROCESSED"))
    processed, processing = int(line.split()[1]), float(line.split()[2])
    print(f"processed {processed} submissions into people in {processing} s", flush=True)
    return processing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/gs_signups")
    parser.add_argument("--rate", type=float, default=300, help="sign-ups per second")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--warmup", type=float, default=3, help="seconds at the rate, not counted")
    parser.add_argument("--workers", type=int, default=4, help="web server processes")
    parser.add_argument("--threads", type=int, default=1, help="threads per web process")
    parser.add_argument("--concurrency", type=int, default=64, help="client connections")
    parser.add_argument("--no-process", action="store_true", help="skip processing the backlog")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="gs-bench-signups-")
    # Every simulated visitor comes from 127.0.0.1: lift the per-address limit.
    env = server_env(args.database_url, work, GROUNDSWELL_RATE_PER_IP="1000000000")
    print(f"database {args.database_url}: drop, create, migrate", flush=True)
    database_recreate(args.database_url)
    groundswell(["migrate", "-v0"], env)
    groundswell(["shell", "-c", SETUP], env)

    options = ["--no-worker", "--workers", str(args.workers), "--threads", str(args.threads)]
    with server_running(env, work, *options) as (host, port, server_pid):
        print(f"serving on {host}:{port} with {args.workers} workers", flush=True)

        warm = int(args.rate * args.warmup)
        timed = int(args.rate * args.seconds)
        started = time.perf_counter()
        tokens = asyncio.run(fetch_tokens(host, port, warm + timed, 16))
        token_seconds = time.perf_counter() - started
        print(
            f"{len(tokens)} tokens from /config in {token_seconds:.1f} s "
            f"({len(tokens) / token_seconds:.0f}/s)",
            flush=True,
        )

        _, _, warm_outcomes, _ = asyncio.run(
            drive(host, port, tokens[:warm], "w-", args.rate, args.warmup, args.concurrency)
        )
        print(f"warm-up: {warm_outcomes['acknowledged']} acknowledged", flush=True)

        meter = CpuMeter(server_pid)
        requests, latencies, outcomes, elapsed = asyncio.run(
            drive(host, port, tokens[warm:], "t-", args.rate, args.seconds, args.concurrency)
        )
        cpu = meter.split()

    in_db = count_rows(args.database_url, "t-")
    warm_in_db = count_rows(args.database_url, "w-")
    processing = None if args.no_process else backlog_process(env)

    ms = [x * 1000 for x in latencies]
    result = {
        "requests": requests,
        "acknowledged": outcomes["acknowledged"],
        "errors": outcomes["errors"],
        "statuses": {str(k): v for k, v in sorted(outcomes["statuses"].items())},
        "submissions_in_db": in_db,
        "lost": outcomes["acknowledged"] - in_db,
        "warmup_lost": warm_outcomes["acknowledged"] - warm_in_db,
        "target_per_second": args.rate,
        "achieved_per_second": round(outcomes["acknowledged"] / elapsed, 1),
        "p50_ms": round(percentile(ms, 0.50), 1),
        "p90_ms": round(percentile(ms, 0.90), 1),
        "p99_ms": round(percentile(ms, 0.99), 1),
        "max_ms": round(max(ms, default=0), 1),
        "workers": args.workers,
        "threads": args.threads,
        "seconds": round(elapsed, 2),
        "config_per_second": round(len(tokens) / token_seconds),
        "cpu_seconds": cpu,
        "processing_seconds": processing,
        "cpu": platform.machine(),
        "cores": os.cpu_count(),
        "client_peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
