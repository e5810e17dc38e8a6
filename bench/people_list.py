"""Benchmark: the staff supporter list on a large database.

    GROUNDSWELL_DATA_DIR=/tmp/gs1m groundswell generate --people 1000000
    GROUNDSWELL_DATA_DIR=/tmp/gs1m python bench/people_list.py

Renders /people/ (search, filters, pagination) through Django's test client as an organizer,
several times per query, and prints the median and slowest time per query. The last line
printed is a JSON object.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time

QUERIES = {
    "first_page": "",
    "page_50": "?page=50",
    "family_name": "?q=smith",
    "given_and_family": "?q=mar+john",
    "email_prefix": "?q=mary.",
    "postal_code": "?q=90210",
    "phone": "?q=(415)+555-0132",
    "state_filter": "?state=WY",
    "status_filter": "?status=spam_complaint",
    "tag_filter": "?tag=precinct-captain",
    "state_and_tag": "?state=CA&tag=host",
    "source_filter": "?source=canvass",
}


def main() -> None:
    os.environ.setdefault("GROUNDSWELL_DEMO", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "groundswell.config.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    import django

    django.setup()
    from django.test import Client

    from groundswell.accounts.models import User
    from groundswell.people.models import Person

    people = Person.objects.count()
    if people < 1000:
        sys.exit("generate people first: groundswell generate --people 1000000")
    user, _ = User.objects.get_or_create(username="bench-organizer", defaults={"role": "organizer"})
    client = Client()
    client.force_login(user)
    figures = {}
    for name, query in QUERIES.items():
        timings = []
        for _ in range(5):
            started = time.perf_counter()
            response = client.get(f"/people/{query}")
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (name, response.status_code)
        figures[f"{name}_median_ms"] = round(statistics.median(timings), 1)
        figures[f"{name}_max_ms"] = round(max(timings), 1)
        print(f"{name:18} median {statistics.median(timings):7.1f} ms   max {max(timings):7.1f} ms")
    from django.db import connection

    result = {
        "people": people,
        "database": connection.vendor,
        **figures,
        "cpu": platform.machine(),
        "cores": os.cpu_count(),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
