"""Benchmark: the Donors pages' server time at demo scale.

    python bench/identity_pages.py                 # seeds a fresh demo in a temporary folder
    GROUNDSWELL_DATA_DIR=/tmp/demo python bench/identity_pages.py --reuse   # an existing demo

Seeds the demo campaign (``groundswell demo --no-serve``: 10,000 supporters, their gifts and a
resolution run), then renders each Donors page through Django's test client as a finance user:
once cold (the cache emptied first, as after a restart or once the cache has expired) and five
times warm, after one warm-up request for the process itself. Prints the cold, median and
slowest time per page; the last line is a JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time


def _setup(reuse: bool) -> None:
    if not reuse:
        os.environ["GROUNDSWELL_DATA_DIR"] = tempfile.mkdtemp(prefix="gs-identity-pages-")
    os.environ.setdefault("GROUNDSWELL_DEMO", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "groundswell.config.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    import django

    django.setup()
    if not reuse:
        from django.core.management import call_command

        started = time.perf_counter()
        call_command("demo", "--no-serve")
        print(f"demo seeded in {time.perf_counter() - started:.1f} s", file=sys.stderr)


def _pages() -> dict[str, str]:
    from groundswell.identity.thresholds import active_rule_set

    goal = active_rule_set()
    pages = {
        "home": "/identity/",
        "counts": "/identity/donors/",
        "review": "/identity/review/",
        "run_status": "/identity/runs/status/",
        "goals": "/identity/goals/",
    }
    if goal is not None:
        pages["progress"] = f"/identity/goals/{goal.slug}/"
        pages["progress_refunds_counted"] = f"/identity/goals/{goal.slug}/?refunded=include"
    return pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", action="store_true", help="use GROUNDSWELL_DATA_DIR as it is")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    _setup(args.reuse)
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    from groundswell.accounts.models import User
    from groundswell.donations.models import Contribution
    from groundswell.identity.selectors import latest_run

    run = latest_run()
    if run is None:
        sys.exit("no finished resolution run: seed the demo first (groundswell demo --no-serve)")
    user, _ = User.objects.get_or_create(username="bench-finance", defaults={"role": "finance"})
    client = Client()
    client.force_login(user)
    # The process's first request loads templates and URL patterns: not a page's cost.
    client.get("/identity/goals/")
    figures: dict[str, float] = {}
    for name, url in _pages().items():
        cache.clear()
        started = time.perf_counter()
        response = client.get(url)
        cold = (time.perf_counter() - started) * 1000
        assert response.status_code in (200, 302), (name, response.status_code)
        warm = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            client.get(url)
            warm.append((time.perf_counter() - started) * 1000)
        figures[f"{name}_cold_ms"] = round(cold, 1)
        figures[f"{name}_median_ms"] = round(statistics.median(warm), 1)
        figures[f"{name}_max_ms"] = round(max(warm), 1)
        print(
            f"{name:26} cold {cold:7.1f} ms   median {statistics.median(warm):7.1f} ms"
            f"   max {max(warm):7.1f} ms"
        )
    result = {
        "people": run.person_records,
        "gifts": Contribution.objects.count(),
        "database": connection.vendor,
        **figures,
        "slowest_cold_ms": max(v for k, v in figures.items() if k.endswith("_cold_ms")),
        "cpu": platform.machine(),
        "cores": os.cpu_count(),
        "load_average": os.getloadavg()[0],
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
