"""`groundswell fec unique-donors FILE`: count the real people in an FEC itcont.txt file."""

from __future__ import annotations

import json
import os

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm


class Command(BaseCommand):
    help = "Public FEC data. Actions: unique-donors (count real people in an itcont.txt file)."
    # Reads a file and writes nothing to the database: no need to check the project first.
    requires_system_checks: list = []

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        unique = actions.add_parser(
            "unique-donors",
            help="unique donors (identity-resolved) in an FEC bulk itcont.txt file, "
            "overall and per state, beside the naive first+last+ZIP5 count",
            called_from_command_line=True,
        )
        unique.add_argument("file", metavar="FILE")
        unique.add_argument("--committee", metavar="ID", help="only this committee's rows")
        unique.add_argument(
            "--json", action="store_true", help="print the figures as one JSON object, last"
        )
        unique.add_argument(
            "--out", metavar="clusters.parquet", help="write each contribution's cluster"
        )

    def handle(self, *args, action: str, **options):
        if action == "unique-donors":
            return self._unique_donors(**options)
        raise CommandError(f"unknown action {action!r}")

    def _unique_donors(
        self, *, file: str, committee: str | None, json: bool, out: str | None, verbosity: int, **_
    ):
        from groundswell.identity.fec import FecFileError, fec_unique_donors

        if not os.path.isfile(file):
            raise CommandError(f"{file}: no such file")
        if out and not out.endswith(".parquet"):
            raise CommandError(f"--out {out}: expected a .parquet file name")
        bar = tqdm(total=100, unit="%", desc="reading", disable=verbosity == 0)

        def progress(percent: float) -> None:
            bar.n = min(100.0, round(percent, 1))
            bar.refresh()

        def stage(name: str) -> None:
            if verbosity > 0:
                self.stderr.write(f"  {name} done")

        try:
            result = fec_unique_donors(
                file, committee=committee, out=out, progress=progress, stage=stage
            )
        except FecFileError as exc:
            raise CommandError(str(exc)) from None
        finally:
            bar.close()
        scope = f"committee {committee.upper()}" if committee else "all committees"
        self.stdout.write(
            f"{os.path.basename(file)} ({scope}): {result.rows} rows, "
            f"{result.contributions} contributions counted"
        )
        if result.skipped:
            left_out = ", ".join(f"{count} {why}" for why, count in result.skipped.items())
            self.stdout.write(f"  left out: {left_out}")
        self.stdout.write(f"unique donors: {result.unique_donors}")
        self.stdout.write(
            f"naive first+last+ZIP5 count: {result.naive_unique_donors}"
            + (
                f" ({_percent(result.naive_unique_donors, result.unique_donors)} more)"
                if result.unique_donors
                else ""
            )
        )
        self.stdout.write("by state:")
        for state, count in sorted(result.by_state.items(), key=lambda kv: (-kv[1], kv[0])):
            self.stdout.write(f"  {state:8} {count}")
        if out:
            self.stdout.write(f"clusters written to {out}")
        if json:
            self.stdout.write(_dumps(result.as_json()))


def _percent(naive: int, real: int) -> str:
    return f"{(naive - real) / real:+.1%}".lstrip("+")


def _dumps(value) -> str:
    return json.dumps(value, sort_keys=True)
