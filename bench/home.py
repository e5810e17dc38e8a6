"""Benchmark: the staff home on the demo campaign, as every role.

    GROUNDSWELL_DATA_DIR=/tmp/gsdemo groundswell demo --no-serve
    GROUNDSWELL_DATA_DIR=/tmp/gsdemo python bench/home.py

Renders /home/ through Django's test client as each role, several times, and prints the median
and slowest server time, the time spent in the database and the number of queries per role, with
the load average (other work on the cores shows in the timings) and the CPU time the request
took in this process (with SQLite, the database's work too: a figure that other work on the
machine does not inflate). The first render of each role is left out (it warms the template
cache, as a running server has). The last line printed is a JSON object; the home's budget is
300 ms.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time

ROLES = ("admin", "finance", "organizer", "volunteer")
RUNS = 7


def main() -> None:
    os.environ.setdefault("GROUNDSWELL_DEMO", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "groundswell.config.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from groundswell.accounts.models import User
    from groundswell.donations.models import Contribution
    from groundswell.people.models import Person

    people = Person.objects.count()
    if people < 1000:
        sys.exit("seed the demo first: groundswell demo --no-serve")
    figures: dict[str, float | int] = {}
    for role in ROLES:
        user, _ = User.objects.get_or_create(username=f"bench-{role}", defaults={"role": role})
        client = Client()
        client.force_login(user)
        assert client.get("/home/").status_code == 200
        timings, database, cpu = [], [], []
        for _ in range(RUNS):
            with CaptureQueriesContext(connection) as queries:
                started, cpu_started = time.perf_counter(), time.process_time()
                response = client.get("/home/")
                timings.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - cpu_started) * 1000)
            assert response.status_code == 200, (role, response.status_code)
            database.append(sum(float(q["time"]) for q in queries.captured_queries) * 1000)
        figures[f"{role}_median_ms"] = round(statistics.median(timings), 1)
        figures[f"{role}_max_ms"] = round(max(timings), 1)
        figures[f"{role}_database_median_ms"] = round(statistics.median(database), 1)
        figures[f"{role}_cpu_median_ms"] = round(statistics.median(cpu), 1)
        figures[f"{role}_queries"] = len(queries)
        print(
            f"{role:10} median {statistics.median(timings):7.1f} ms   "
            f"max {max(timings):7.1f} ms   {len(queries)} queries, "
            f"{statistics.median(database):.1f} ms in the database, "
            f"{statistics.median(cpu):.1f} ms of this process's CPU"
        )
    load = os.getloadavg()[0]
    result = {
        "people": people,
        "contributions": Contribution.objects.count(),
        "database": connection.vendor,
        **figures,
        "budget_ms": 300,
        "cpu": platform.machine(),
        "cores": os.cpu_count(),
        "load_average": round(load, 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
