"""Benchmark: the API's people endpoints on a large database.

    GROUNDSWELL_DATA_DIR=/tmp/gs100k groundswell generate --people 100000
    GROUNDSWELL_DATA_DIR=/tmp/gs100k python bench/api_people.py

Calls /api/v2/people/ through Django's test client with an organizer's key, several times per
query: pages of 100 at the start, the middle and the end (offset paging, Action Network's
contract), each filter, and the person signup helper (a new person, then the same body again).
Prints the median and slowest time per query; the last line printed is a JSON object.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time


def _timed(call, runs: int = 5) -> list[float]:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def main() -> None:
    os.environ.setdefault("GROUNDSWELL_DEMO", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "groundswell.config.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("GROUNDSWELL_API_RATE_PER_MINUTE", str(10**9))
    os.environ.setdefault("GROUNDSWELL_CHECK_MX", "false")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from groundswell.accounts.models import User
    from groundswell.api.services import api_key_create
    from groundswell.people.models import Person

    people = Person.objects.count()
    if people < 1000:
        sys.exit("generate people first: groundswell generate --people 100000")
    user, _ = User.objects.get_or_create(username="bench-organizer", defaults={"role": "organizer"})
    _, secret = api_key_create(name="bench", user=user, actor=user)
    client = Client(headers={"OSDI-API-Token": secret})
    sample = Person.objects.exclude(primary_email="").order_by("pk").first()
    last = -(-people // 100)
    queries = {
        "page_first": "?per_page=100",
        "page_middle": f"?per_page=100&page={last // 2}",
        "page_last": f"?per_page=100&page={last}",
        "region": "?filter=region eq 'WY'",
        "email_address": f"?filter=email_address eq '{sample.primary_email}'",
        "given_name": f"?filter=given_name eq '{sample.given_name or 'Mary'}'",
        "modified_since": "?filter=modified_date gt '2000-01-01'&per_page=100",
    }
    figures = {}

    def record(name: str, timings: list[float]) -> None:
        figures[f"{name}_median_ms"] = round(statistics.median(timings), 1)
        figures[f"{name}_max_ms"] = round(max(timings), 1)
        print(f"{name:16} median {statistics.median(timings):7.1f} ms   max {max(timings):7.1f} ms")

    for name, query in queries.items():

        def call(query=query, name=name):
            response = client.get(f"/api/v2/people/{query}")
            assert response.status_code == 200, (name, response.content[:200])

        record(name, _timed(call))
    stamp = int(time.time())
    bodies = [
        json.dumps({"person": {"email_addresses": [{"address": f"bench{stamp}.{n}@example.org"}]}})
        for n in range(5)
    ]
    for name, expected in (("signup_new", 201), ("signup_again", 200)):
        pending = iter(bodies)

        def call(expected=expected, pending=pending):
            response = client.post(
                "/api/v2/people/", data=next(pending), content_type="application/json"
            )
            assert response.status_code == expected, response.content[:200]

        record(name, _timed(call))
    print(
        json.dumps(
            {
                "people": people,
                "database": connection.vendor,
                **figures,
                "cpu": platform.machine(),
                "cores": os.cpu_count(),
            }
        )
    )


if __name__ == "__main__":
    main()
