"""Benchmark: events on PostgreSQL.

    python bench/events.py --shifts 100000 --per-shift 5 [--database-url postgres://…/gs_ev_bench]

Part 1 (here): the time to compute the reminders due (``events.notices.reminders_compute``,
what the every-minute job does before it sends anything) over 100,000 shifts' attendees.
Recreates a scratch database (its name must start gs_), fills it straight in SQL
(generate_series: no Python per row) with events of 10 shifts each starting over the next
``--days`` days, their attendees (a fifth cancelled or waitlisted, a tenth bouncing), and the
24-hour reminders of the shifts already inside their last day recorded as sent; then times
``reminders_compute`` now, a week on, and now with the ledger emptied (every attendee of a
shift within a day owed). ``--days 1`` puts every shift within the day: the worst case.
Median of 5 after one warm-up; prints, as its last line, a JSON object.

Part 2 (TO DO, needs the public registration pages): RSVP throughput against
``groundswell serve`` (target ≥ 300 RSVPs/s, p99 < 100 ms, none lost or doubled), driving the
public shift sign-up form with ``_serve.server_running`` as bench/signups.py does.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from datetime import timedelta

sys.path.insert(0, os.path.dirname(__file__))

from _sql_seed import rows_insert  # noqa: E402  (SQL seeding shared by the benchmarks)

SHIFTS_PER_EVENT = 10


def generate(*, shifts: int, per_shift: int, days: int) -> None:
    """Events, shifts over the next ``days`` days from now, attendees, people, the ledger."""
    from django.db import connection

    events = shifts // SHIFTS_PER_EVENT
    people = shifts * per_shift // 2  # each person on two shifts on average
    with connection.cursor() as c:
        rows_insert(
            c,
            "people_person",
            f"generate_series(1, {people}) g",
            {
                "id": "g",
                "created_at": "now() - interval '90 days'",
                "modified_at": "now()",
                "given_name": "'Given' || g",
                "given_key": "'given' || g",
                "primary_email": "'p' || g || '@example.org'",
                "email_status": "(ARRAY['subscribed','subscribed','unknown','unsubscribed',"
                "'subscribed','subscribed','subscribed','subscribed','subscribed','bouncing'])"
                "[1 + g % 10]",
            },
        )
        c.execute("SELECT setval(pg_get_serial_sequence('people_person','id'), %s)", [people])
        rows_insert(
            c,
            "events_event",
            f"generate_series(1, {events}) g",
            {
                "id": "g",
                "created_at": "now() - interval '60 days'",
                "modified_at": "now()",
                "title": "'Canvass ' || g",
                "slug": "'canvass-' || g",
                "event_type": "'canvass'",
                # One in 50 called off; the rest published.
                "status": "CASE WHEN g % 50 = 0 THEN 'cancelled' ELSE 'published' END",
                "visibility": "'public'",
                "timezone": "(ARRAY['America/New_York','America/Chicago','America/Denver',"
                "'America/Los_Angeles'])[1 + g % 4]",
                # Most events keep the defaults; some add a one-hour reminder.
                "reminder_minutes": "CASE WHEN g % 7 = 0 THEN '[1440, 120, 60]'::jsonb"
                " ELSE '[1440, 120]'::jsonb END",
            },
        )
        c.execute("SELECT setval(pg_get_serial_sequence('events_event','id'), %s)", [events])
        # Starts spread evenly over the window, on the minute.
        rows_insert(
            c,
            "events_shift",
            f"generate_series(1, {shifts}) g",
            {
                "id": "g",
                "created_at": "now() - interval '60 days'",
                "modified_at": "now()",
                "event_id": f"1 + (g - 1) / {SHIFTS_PER_EVENT}",
                "starts_at": f"date_trunc('minute', now()) + (g::bigint * {days * 24 * 60}"
                f" / {shifts} + 1) * interval '1 minute'",
                "ends_at": f"date_trunc('minute', now()) + (g::bigint * {days * 24 * 60}"
                f" / {shifts} + 121) * interval '1 minute'",
            },
        )
        c.execute("SELECT setval(pg_get_serial_sequence('events_shift','id'), %s)", [shifts])
        attendances = shifts * per_shift
        rows_insert(
            c,
            "events_attendance",
            f"generate_series(1, {attendances}) g",
            {
                "id": "g",
                "created_at": "now() - interval '30 days'",
                "modified_at": "now()",
                "shift_id": f"1 + (g - 1) / {per_shift}",
                "person_id": f"1 + ((g::bigint - 1) * 7919) % {people}",
                "status": "CASE WHEN g % 10 = 3 THEN 'cancelled' WHEN g % 10 = 7 THEN "
                "'waitlisted' ELSE 'registered' END",
                "token": "'t' || g",
                "is_walk_in": "false",
            },
        )
        c.execute(
            "SELECT setval(pg_get_serial_sequence('events_attendance','id'), %s)", [attendances]
        )
        # The day-before reminders of shifts already inside their last day went out.
        c.execute(
            "INSERT INTO events_remindersent (attendance_id, minutes_before, channel, state, "
            "sent_at, provider_id, detail, attempts) "
            "SELECT a.id, 1440, 'email', 'sent', now(), '', '', 1 "
            "FROM events_attendance a JOIN events_shift s "
            "ON s.id = a.shift_id WHERE s.starts_at <= now() + interval '1 day' "
            "AND a.status = 'registered'"
        )
        c.execute("ANALYZE")


def time_compute(label: str, now) -> dict:
    from groundswell.events.notices.reminders import reminders_compute

    due = reminders_compute(now=now)  # warm-up
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        reminders_compute(now=now)
        timings.append(time.perf_counter() - started)
    median = statistics.median(timings)
    print(f"{label:40} {len(due):>9,} due  median {median:6.2f} s  max {max(timings):6.2f} s")
    return {f"{label}_s": round(median, 3), f"{label}_due": len(due)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shifts", type=int, default=100_000)
    parser.add_argument("--per-shift", type=int, default=5)
    parser.add_argument("--days", type=int, default=30, help="the window the shifts spread over")
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gs_ev_bench"
        ),
    )
    parser.add_argument("--reuse", action="store_true", help="keep the data of an earlier run")
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
    from django.db import connection
    from django.utils import timezone

    if not args.reuse:
        call_command("migrate", verbosity=0)
        generate(shifts=args.shifts, per_shift=args.per_shift, days=args.days)
    setup_s = round(time.perf_counter() - started, 1)
    print(f"database ready in {setup_s} s", flush=True)
    with connection.cursor() as c:
        c.execute("SELECT count(*) FROM events_shift")
        (shifts,) = c.fetchone()
        c.execute("SELECT count(*) FROM events_attendance")
        (attendances,) = c.fetchone()
    now = timezone.now()
    figures = time_compute("now", now)
    figures |= time_compute("in_a_week", now + timedelta(days=7))
    # The worst case for the same moment: no reminder recorded yet, every attendee whose
    # shift starts within a day owed one (with --days 1, every attendee).
    with connection.cursor() as c:
        c.execute("CREATE TEMP TABLE kept AS SELECT * FROM events_remindersent")
        c.execute("DELETE FROM events_remindersent")
        c.execute("ANALYZE events_remindersent")
    try:
        figures |= time_compute("now_nothing_sent", now)
    finally:
        with connection.cursor() as c:
            c.execute("INSERT INTO events_remindersent SELECT * FROM kept")
            c.execute("DROP TABLE kept")
            c.execute("ANALYZE events_remindersent")
    print(
        json.dumps(
            {
                "shifts": shifts,
                "attendances": attendances,
                "days": args.days,
                "database": "postgresql",
                "setup_s": setup_s,
                **figures,
                "target_s": 5,
                "cpu": platform.machine(),
                "cores": os.cpu_count(),
                "load_average": [round(x, 2) for x in os.getloadavg()],
            }
        )
    )


if __name__ == "__main__":
    main()
