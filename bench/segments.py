"""Benchmark: counting segments of a large supporter database on PostgreSQL.

    python bench/segments.py --people 1000000 [--database-url postgres://…/gs_seg_bench]

Recreates a scratch database (its name must start gs_), fills it with synthetic people, tags,
primary addresses (a few geocoded), contributions, submissions and referrals straight in SQL
(generate_series: no Python per row), then times ``segment_count`` for representative
definitions (median of 5 after one warm-up) and prints, as its last line, a JSON object.
With --explain, prints each definition's EXPLAIN ANALYZE to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))

from _sql_seed import rows_insert  # noqa: E402  (SQL seeding shared by the benchmarks)

STATES = ["PA", "OH", "MI", "CA", "NY", "TX", "FL", "GA", "NC", "WI", "AZ", "NV", "IL", "MA"]
TAGS = [
    "volunteer",
    "host",
    "precinct captain",
    "issue: Clean water",
    "issue: Housing",
    "help: Knock on doors",
    "student",
    "union member",
    "teacher",
    "nurse",
]
PHILLY = (39.9513, -75.1741)

DEFINITIONS = {
    "tag": {"op": "and", "items": [{"kind": "tag", "tag": "host"}]},
    "state": {"op": "and", "items": [{"kind": "state", "states": ["PA"]}]},
    "subscribed_donors_3_states_not_given_30d": {
        "op": "and",
        "items": [
            {"kind": "state", "states": ["PA", "OH", "MI"]},
            {"kind": "email_status", "statuses": ["subscribed"]},
            {"kind": "gift_count", "min": 1},
            {"kind": "last_gift", "when": "not_within", "days": 30},
        ],
    },
    "distance_25mi_of_19103": {
        "op": "and",
        "items": [{"kind": "distance", "zip": "19103", "miles": 25}],
    },
    "or_not_groups": {
        "op": "and",
        "items": [
            {
                "op": "or",
                "items": [
                    {"kind": "tags_any", "tags": ["host", "volunteer"]},
                    {"kind": "state", "states": ["CA"]},
                ],
            },
            {
                "op": "and",
                "negate": True,
                "items": [
                    {"kind": "email_status", "statuses": ["unsubscribed", "bouncing"]},
                ],
            },
        ],
    },
    "gave_100_or_more": {"op": "and", "items": [{"kind": "gift_total", "min": 100}]},
    "petition_in_30_days": {
        "op": "and",
        "items": [{"kind": "action_kind", "page_kind": "petition", "days": 30}],
    },
    "zip_prefix_191": {"op": "and", "items": [{"kind": "zip", "zips": "191"}]},
}


def generate(people: int) -> None:
    import zipcodes
    from django.db import connection

    zips = [z["zip_code"] for z in zipcodes.filter_by_coordinates(*PHILLY, 60.0)]
    zips += [z["zip_code"] for z in zipcodes.list_all()[::40]]
    with connection.cursor() as c:
        c.execute("CREATE TEMP TABLE bench_zip (i int, zip text)")
        c.execute(
            "INSERT INTO bench_zip SELECT i - 1, z FROM unnest(%s::text[]) "
            "WITH ORDINALITY AS t(z, i)",
            [zips],
        )
        c.execute("CREATE TEMP TABLE bench_state (i int, st text)")
        c.execute(
            "INSERT INTO bench_state SELECT i - 1, s FROM unnest(%s::text[]) "
            "WITH ORDINALITY AS t(s, i)",
            [STATES],
        )
        nz, ns = len(zips), len(STATES)
        rows_insert(
            c,
            "people_person",
            f"generate_series(1, {people}) g JOIN bench_zip z ON z.i = (g::bigint * 7919) % {nz} "
            f"JOIN bench_state s ON s.i = (g * 31) % {ns}",
            {
                "id": "g",
                "created_at": "now() - (g % 1500) * interval '1 day'",
                "modified_at": "now()",
                "given_name": "'Given' || g",
                "family_name": "'Family' || (g % 5000)",
                "given_key": "'given' || g",
                "family_key": "'family' || (g % 5000)",
                "primary_email": "'p' || g || '@example.org'",
                "email_status": "(ARRAY['subscribed','subscribed','subscribed','unsubscribed',"
                "'unknown','bouncing'])[1 + g % 6]",
                "state": "s.st",
                "postal_code": "z.zip",
                "source": "'import'",
            },
        )
        c.execute("SELECT setval(pg_get_serial_sequence('people_person','id'), %s)", [people])
        rows_insert(
            c,
            "people_postaladdress",
            f"generate_series(1, {people}) g JOIN people_person p ON p.id = g",
            {
                "person_id": "g",
                "created_at": "now()",
                "modified_at": "now()",
                "city": "'City' || (g % 300)",
                "state": "p.state",
                "postal_code": "p.postal_code",
                "country": "'US'",
                "is_primary": "true",
                # One in twenty geocoded, scattered around Philadelphia and beyond.
                "latitude": f"CASE WHEN g % 20 = 0 THEN {PHILLY[0]} + ((g % 200) - 100) * 0.02 END",
                "longitude": f"CASE WHEN g % 20 = 0 THEN {PHILLY[1]} + ((g % 170) - 85) * 0.02 END",
            },
        )
        c.execute(
            "INSERT INTO people_tag (name, created_at) SELECT unnest(%s::text[]), now()", [TAGS]
        )
        c.execute(
            "INSERT INTO people_tagging (person_id, tag_id, created_at) "
            "SELECT g, t.id, now() FROM generate_series(1, %s) g "
            "JOIN people_tag t ON t.id = (SELECT min(id) FROM people_tag) + g %% 10 "
            "UNION ALL SELECT g, t.id, now() FROM generate_series(1, %s, 3) g "
            "JOIN people_tag t ON t.id = (SELECT min(id) FROM people_tag) + (g / 3 + 4) %% 10",
            [people, people],
        )
        # Three donors in ten, one to four gifts each over two years.
        rows_insert(
            c,
            "donations_contribution",
            f"generate_series(1, {people}) g, generate_series(1, 1 + g % 4) k WHERE g % 10 < 3",
            {
                "amount_cents": "500 + (g * k * 37) % 25000",
                "currency": "'USD'",
                "received_at": "now() - ((g * k) % 730) * interval '1 day'",
                "processor": "'actblue'",
                "processor_id": "'B' || g || '-' || k",
                "status": "'paid'",
                "person_id": "g",
                "donor_key": "'p:' || g",
                "is_recurring": "g % 50 = 0",
                "created_at": "now()",
                "modified_at": "now()",
            },
        )
        rows_insert(
            c,
            "actions_actionpage",
            "generate_series(1, 2) g",
            {
                "kind": "(ARRAY['petition','signup'])[g]",
                "slug": "'bench-' || g",
                "title": "'Bench ' || g",
                "headline": "'Bench'",
                "created_at": "now()",
                "modified_at": "now()",
                "fields": "'{}'::jsonb",
                "tags": "'[]'::jsonb",
            },
        )
        rows_insert(
            c,
            "actions_submission",
            f"generate_series(1, {people}, 5) g",
            {
                "page_id": "(SELECT min(id) FROM actions_actionpage) + g % 2",
                "token": "'t' || g",
                "email": "'p' || g || '@example.org'",
                "received_at": "now() - (g % 120) * interval '1 day'",
                "status": "'processed'",
                "person_id": "g",
                "data": "'{}'::jsonb",
                "channel": "'page'",
            },
        )
        c.execute(
            "INSERT INTO actions_referral (recruiter_id, recruit_id, created_at) "
            "SELECT (g / 7) + 1, g, now() FROM generate_series(2, %s, 7) g",
            [people],
        )
        c.execute("ANALYZE")


def time_counts(explain: bool) -> dict[str, float]:
    from django.db import connection, transaction

    from groundswell.segments.models import Segment
    from groundswell.segments.selectors import segment_count, segment_people

    figures = {}
    for name, definition in DEFINITIONS.items():
        segment = Segment(name=name, definition=definition)
        count = segment_count(segment=segment)  # warm-up: caches, plans, ZIP table
        timings = []
        for _ in range(5):
            started = time.perf_counter()
            segment_count(segment=segment)
            timings.append((time.perf_counter() - started) * 1000)
        figures[f"{name}_ms"] = round(statistics.median(timings), 1)
        figures[f"{name}_count"] = count
        print(
            f"{name:45} {count:>9,}  median {statistics.median(timings):7.1f} ms"
            f"  max {max(timings):7.1f} ms",
            flush=True,
        )
        if explain:
            people = segment_people(segment=segment).order_by().only("pk")
            sql, params = people.query.sql_with_params()
            # The settings segment_count uses (selectors.count_fast).
            with transaction.atomic(), connection.cursor() as c:
                c.execute("SET LOCAL jit = off")
                c.execute("SET LOCAL work_mem = '64MB'")
                c.execute(f"EXPLAIN ANALYZE SELECT count(*) FROM ({sql}) s", params)
                plan = "\n".join(r[0] for r in c.fetchall())
            print(f"--- {name}\n{plan}", file=sys.stderr)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gs_seg_bench"
        ),
    )
    parser.add_argument("--reuse", action="store_true", help="keep the data of an earlier run")
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    from _serve import database_recreate

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("GROUNDSWELL_DEMO", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "groundswell.config.settings")
    started = time.perf_counter()
    if not args.reuse:
        database_recreate(args.database_url)
    import django

    django.setup()
    from django.core.management import call_command

    if not args.reuse:
        call_command("migrate", verbosity=0)
        generate(args.people)
    generated_s = round(time.perf_counter() - started, 1)
    print(f"database ready in {generated_s} s", flush=True)
    from groundswell.people.models import Person

    figures = time_counts(args.explain)
    slowest = max(v for k, v in figures.items() if k.endswith("_ms"))
    print(
        json.dumps(
            {
                "people": Person.objects.count(),
                "database": "postgresql",
                "setup_s": generated_s,
                **figures,
                "slowest_ms": slowest,
                "cpu": platform.machine(),
                "cores": os.cpu_count(),
                "load_average": [round(x, 2) for x in os.getloadavg()],
            }
        )
    )


if __name__ == "__main__":
    main()
