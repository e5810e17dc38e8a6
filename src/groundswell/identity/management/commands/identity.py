"""`groundswell identity resolve`: resolve people and contribution donors into real people."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Identity resolution. Actions: resolve (people and contribution donors into clusters)."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        resolve = actions.add_parser(
            "resolve",
            help="resolve people and contribution donors into clusters of real people",
            called_from_command_line=True,
        )
        resolve.add_argument(
            "--backend",
            choices=["duckdb", "spark"],
            help="the engine (default: GROUNDSWELL_IDENTITY_BACKEND)",
        )
        resolve.add_argument(
            "--retrain",
            action="store_true",
            help="train a new model instead of reusing the saved one",
        )
        resolve.add_argument("--json", action="store_true", help="print the run as JSON last")

    def handle(self, *args, action: str, **options):
        if action == "resolve":
            return self._resolve(**options)
        raise CommandError(f"unknown action {action!r}")

    def _resolve(self, *, backend: str | None, retrain: bool, json: bool, verbosity: int, **_):
        from groundswell.identity.services import identity_resolve

        def progress(stage: str) -> None:
            if verbosity > 0 and not json:
                self.stderr.write(f"  {stage} done")

        from groundswell.identity.spark import SparkUnavailable

        try:
            run = identity_resolve(backend=backend, incremental=not retrain, progress=progress)
        except (ImportError, SparkUnavailable) as exc:
            raise CommandError(f"the {backend} backend cannot run here: {exc}") from None
        summary = {
            "run": run.pk,
            "backend": run.backend,
            "records": run.records,
            "people": run.person_records,
            "contributions": run.contribution_records,
            "clusters": run.clusters,
            "suggestions": run.suggestions,
            "trained": run.trained,
            "seconds": round(run.seconds or 0, 2),
        }
        if json:
            self.stdout.write(_dumps(summary))
            return
        model = "trained a new model" if run.trained else f"reused model #{run.model_id}"
        self.stdout.write(
            f"resolution run #{run.pk} ({run.backend}, {model}): {run.records} records "
            f"({run.person_records} people, {run.contribution_records} contribution donors) → "
            f"{run.clusters} people; {run.suggestions} pairs to review; "
            f"{summary['seconds']} s"
        )


def _dumps(value) -> str:
    return json.dumps(value)
