"""`groundswell generate`: synthetic supporters for benchmarks, in the database or as a CSV."""

import csv
import random

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from groundswell.demo.people_seed import people_seed
from groundswell.demo.people_synthetic import (
    CSV_COLUMNS,
    malformed_csv_row,
    people_generate,
    person_csv_row,
)


class Command(BaseCommand):
    help = "Generate synthetic supporters (deterministic with --seed)."

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, required=True, help="how many people")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--csv", metavar="FILE", help="write a CSV file instead of writing to the database"
        )
        parser.add_argument(
            "--malformed",
            type=float,
            default=0.0,
            help="with --csv: the fraction of rows to make invalid (0-1)",
        )

    def handle(self, *args, people, seed, csv: str | None, malformed, **options):
        if people < 1:
            raise CommandError("--people must be at least 1")
        if not 0 <= malformed < 1:
            raise CommandError("--malformed must be between 0 and 1")
        bar = tqdm(total=people, unit="people", disable=options["verbosity"] == 0)
        if csv:
            bad = _write_csv(csv, people, seed, malformed, bar.update)
            bar.close()
            self.stdout.write(f"wrote {people} rows ({bad} malformed) to {csv}")
            return
        written = people_seed(count=people, seed=seed, progress=bar.update)
        bar.close()
        self.stdout.write(f"generated {written} people (seed {seed})")


def _write_csv(path: str, count: int, seed: int, malformed: float, progress) -> int:
    rng = random.Random(seed + 1)
    bad_every = int(1 / malformed) if malformed else 0
    bad = 0
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(CSV_COLUMNS)
        for index, person in enumerate(people_generate(count, seed=seed)):
            if bad_every and index % bad_every == bad_every - 1:
                row, _ = malformed_csv_row(rng, bad)
                bad += 1
            else:
                row = person_csv_row(person)
            writer.writerow(row)
            if index % 1000 == 999:
                progress(1000)
        progress(count % 1000)
    return bad
