"""`groundswell analytics_refresh [--full]`: bring the analytics extract up to date now."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from groundswell.analytics.engine import extract_update
from groundswell.analytics.extract import extract_open, extract_path


class Command(BaseCommand):
    help = "Refresh the DuckDB extract the dashboards read (incrementally; --full rebuilds it)."

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="copy every row again")

    def handle(self, *args, full: bool = False, **options):
        with extract_open() as con:
            at = extract_update(con, full=full)
            ((rows,),) = con.execute("SELECT count(*) FROM contributions").fetchall()
        self.stdout.write(f"{extract_path()}: {rows} contributions as of {at.isoformat()}")
