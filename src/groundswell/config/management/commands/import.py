"""`groundswell import people|actblue|fec FILE`: import a file, with a progress bar and errors."""

from __future__ import annotations

import os
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from groundswell.core.spreadsheet import csv_line
from groundswell.donations.intake.csv_import import actblue_csv_import
from groundswell.donations.intake.fec_import import fec_import
from groundswell.donations.intake.fec_rows import format_sniff
from groundswell.donations.intake.schedule_a_import import ScheduleAFileError, schedule_a_import
from groundswell.people.imports import IGNORE, ImportFileError, job_create, job_run
from groundswell.people.models import ImportJob
from groundswell.people.selectors import import_error_report_lines
from groundswell.people.tasks import people_import_run


class Command(BaseCommand):
    help = (
        "Import data files. Kinds: people (a CSV of supporters), "
        "actblue (an ActBlue contributions or cancelled-recurring export), "
        "fec (an FEC itcont.txt file or Schedule A CSV download)."
    )

    def add_arguments(self, parser):
        kinds = parser.add_subparsers(dest="kind", required=True, metavar="KIND")
        people = kinds.add_parser(
            "people", help="a CSV file of supporters", called_from_command_line=True
        )
        people.add_argument("file", metavar="FILE")
        people.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="COLUMN=FIELD",
            help="map a column (header name or 1-based number) to a field, "
            "custom:<name> or ignore; repeatable",
        )
        people.add_argument("--tag", action="append", default=[], help="tag every person")
        people.add_argument("--source", default="", help="source for people new to us")
        people.add_argument(
            "--email-status",
            default="",
            choices=["", "subscribed", "unsubscribed"],
            help="subscription status for rows that do not give one",
        )
        people.add_argument(
            "--errors",
            metavar="OUT.csv",
            help="write every rejected row (line, column, value, reason)",
        )
        people.add_argument(
            "--show-mapping", action="store_true", help="print the column mapping and stop"
        )
        people.add_argument(
            "--background",
            action="store_true",
            help="queue the import for the task worker (groundswell serve or db_worker) and "
            "follow its progress; Ctrl-C stops following, not the import",
        )
        actblue = kinds.add_parser(
            "actblue",
            help="an ActBlue CSV export: contributions (paid or refunded) or cancelled recurring",
            called_from_command_line=True,
        )
        actblue.add_argument("file", metavar="FILE")
        actblue.add_argument(
            "--errors",
            metavar="OUT.csv",
            help="write every rejected row (line, column, value, reason)",
        )

        fec = kinds.add_parser(
            "fec",
            help="an FEC bulk individual-contributions file (itcont.txt) or a Schedule A "
            "CSV download",
            called_from_command_line=True,
        )
        fec.add_argument("file", metavar="FILE")
        fec.add_argument("--committee", required=True, metavar="ID", help="the FEC committee id")
        fec.add_argument(
            "--format",
            choices=["auto", "itcont", "schedule-a"],
            default="auto",
            help="itcont (the bulk file) or schedule-a (the Schedule A CSV download from "
            "fec.gov); by default told from the file's first line",
        )
        fec.add_argument(
            "--errors",
            metavar="OUT.csv",
            help="write every rejected row (line, column, value, reason)",
        )

    def handle(self, *args, kind: str, **options):
        if kind == "people":
            return self._people(**options)
        if kind == "actblue":
            return self._actblue(**options)
        if kind == "fec":
            return self._fec(**options)
        raise CommandError(f"unknown kind {kind!r}")

    def _people(
        self,
        *,
        file: str,
        map: list[str],
        tag: list[str],
        source: str,
        email_status: str,
        errors: str | None,
        show_mapping: bool,
        background: bool,
        verbosity: int,
        **_,
    ):

        if not os.path.isfile(file):
            raise CommandError(f"{file}: no such file")
        overrides = {}
        for item in map:
            column, sep, field_name = item.partition("=")
            if not sep or not column or not field_name:
                raise CommandError(f"--map {item!r}: expected COLUMN=FIELD")
            overrides[column] = field_name.strip()
        try:
            job = job_create(
                path=os.path.abspath(file),
                original_name=os.path.basename(file),
                overrides=overrides,
                tags=tag,
                source=source,
                default_email_status=email_status,
            )
        except ImportFileError as exc:
            raise CommandError(f"{file}: {exc}") from None
        if show_mapping or verbosity > 1:
            for index, header in enumerate(job.headers):
                self.stdout.write(f"  {header!r:30} → {job.mapping.get(str(index), IGNORE)}")
            if show_mapping:
                job.delete()
                return
        bar = tqdm(total=job.total_rows, unit="rows", disable=verbosity == 0)

        def progress(done: int, total: int):
            bar.total = max(total, done)
            bar.n = done
            bar.refresh()

        job = self._follow(job, progress) if background else job_run(job, progress=progress)
        bar.close()
        if job.status != job.Status.DONE:
            raise CommandError(f"{file}: {job.error_message}")
        self.stdout.write(
            f"import #{job.pk}: {job.processed_rows} rows — {job.created_count} new, "
            f"{job.updated_count} updated, {job.unchanged_count} unchanged, "
            f"{job.rejected_count} rejected"
        )
        rejected = job.row_errors.all()
        if errors:
            # The web page's report, line for line: each refused row with its own columns.
            with open(errors, "w", newline="", encoding="utf-8") as out:
                out.writelines(import_error_report_lines(job=job))
            self.stdout.write(f"rejected rows written to {errors}")
        elif job.rejected_count:
            self._errors_print(rejected[:20], job.rejected_count)

    def _errors_print(self, rejected, count: int):
        for err in rejected:
            where = f", column {err.column!r}" if err.column else ""
            self.stdout.write(f"  line {err.line}{where}: {err.reason}")
        if count > 20:
            self.stdout.write("  … and more; use --errors FILE to write them all")

    def _actblue(self, *, file: str, errors: str | None, verbosity: int, **_):

        if not os.path.isfile(file):
            raise CommandError(f"{file}: no such file")
        bar = tqdm(unit="rows", disable=verbosity == 0)

        def progress(done: int, total: int):
            bar.total = max(total, done)
            bar.n = done
            bar.refresh()

        report = _ErrorReport(errors)
        try:
            result = actblue_csv_import(
                os.path.abspath(file),
                entity_id=str(getattr(settings, "GROUNDSWELL_COMMITTEE_ENTITY_ID", "") or ""),
                source=f"ActBlue CSV {os.path.basename(file)}",
                progress=progress,
                on_error=report.write if errors else None,
            )
        except ImportFileError as exc:
            raise CommandError(f"{file}: {exc}") from None
        finally:
            bar.close()
            report.close()
        skipped = f", {result.skipped} for another committee" if result.skipped else ""
        # The cancelled-recurring export ends series; the contributions export adds gifts.
        cancelled = f"{result.cancelled} cancellations applied, " if result.cancelled else ""
        self.stdout.write(
            f"actblue import: {result.rows} rows — {result.created} new, "
            f"{result.refunded} refunds applied, {cancelled}{result.unchanged} unchanged, "
            f"{result.rejected} rejected{skipped}"
        )
        if result.linked or result.unlinked:
            # Cancelled-recurring export: whom a series made from it belongs to, or that no one
            # has the row's e-mail (the series waits unlinked; nobody is created for it).
            self.stdout.write(
                f"  {result.linked} series linked to the person with that e-mail, "
                f"{result.unlinked} left without a person (no one has that e-mail)"
            )
        if errors:
            self.stdout.write(f"rejected rows written to {errors}")
        elif result.rejected:
            self._errors_print(result.errors[:20], result.rejected)

    def _fec(
        self, *, file: str, committee: str, errors: str | None, verbosity: int, format: str, **_
    ):

        if not os.path.isfile(file):
            raise CommandError(f"{file}: no such file")
        format = _fec_format(file, format)
        bar = tqdm(unit="B", unit_scale=True, disable=verbosity == 0)

        def progress(done: int, total: int):
            bar.total = max(total, done)
            bar.n = done
            bar.refresh()

        report = _ErrorReport(errors)
        try:
            on_error = report.write if errors else None
            if format == "schedule-a":
                result = schedule_a_import(
                    os.path.abspath(file), committee=committee, progress=progress, on_error=on_error
                )
            else:
                result = fec_import(
                    os.path.abspath(file),
                    committee=committee,
                    source=f"FEC {os.path.basename(file)}",
                    progress=progress,
                    on_error=on_error,
                )
        except ScheduleAFileError as exc:
            raise CommandError(f"{file}: {exc}") from None
        finally:
            bar.close()
            report.close()
        self.stdout.write(
            f"fec import ({format}): {result.rows} rows — {result.created} new, "
            f"{result.refunded} refunds applied, {result.unchanged} unchanged, "
            f"{result.rejected} rejected, {result.skipped} for another committee"
        )
        if getattr(result, "superseded", 0):
            self.stdout.write(f"  {result.superseded} superseded by an amended report (voided)")
        if format != "schedule-a" and result.other_receipts:
            self.stdout.write(
                f"  {result.other_receipts} other receipts (organisations, committees, the "
                "candidate's own money) kept whole, outside donor counts and limits"
            )
        elif result.other_receipts or result.adjusted:
            self.stdout.write(
                f"  {result.other_receipts} other receipts (loans, candidate and committee "
                f"money, transfers, offsets) kept outside donor counts and limits; "
                f"{result.adjusted} reattribution/redesignation memo rows applied, "
                f"{result.released} holds released; {result.conduits} conduits recognised"
            )
        lone = getattr(result, "lone_halves", [])
        if getattr(result, "lone_count", 0):
            # Finance staff must see a move the filing has only half made: the gift still
            # counts where it was until the other half arrives in a later import.
            self.stdout.write(
                f"  {result.lone_count} reattribution/redesignation memo rows wait for their other "
                "half (applied when a later import brings it):"
            )
            for text in lone[:20]:
                self.stdout.write(f"    {text}")
        if errors:
            self.stdout.write(f"rejected rows written to {errors}")
        elif result.rejected:
            self._errors_print(result.errors[:20], result.rejected)

    def _follow(self, job, progress):
        """Queue the job for the worker and show its progress until it finishes."""

        with transaction.atomic():
            ImportJob.objects.filter(pk=job.pk).update(
                status=ImportJob.Status.QUEUED, heartbeat_at=timezone.now()
            )
            transaction.on_commit(lambda: people_import_run.enqueue(job_id=job.pk))
        waited = 0.0
        while True:
            job.refresh_from_db()
            if job.is_finished:
                return job
            if job.status == ImportJob.Status.QUEUED and waited >= 10 and waited % 10 < 0.5:
                self.stderr.write(
                    f"import #{job.pk} is queued; is a worker running? "
                    "(start one with `groundswell db_worker` or `groundswell serve`)"
                )
            progress(job.processed_rows, job.total_rows or 0)
            time.sleep(0.5)
            waited += 0.5


def _fec_format(file: str, asked: str) -> str:
    """The format asked for, or told from the first line; a clear error when it cannot be."""
    found = format_sniff(file)
    if asked == "auto":
        if not found:
            raise CommandError(
                f"{file}: neither an FEC itcont file (21 |-separated columns, no header) nor a "
                "Schedule A CSV download (a header with sub_id and "
                "contribution_receipt_amount); say which with --format itcont or "
                "--format schedule-a"
            )
        return found
    if found and found != asked:
        raise CommandError(
            f"{file}: this looks like a {found} file, not {asked}: use --format {found} "
            "(or leave --format out)"
        )
    return asked


class _ErrorReport:
    """The --errors OUT.csv file: rejected rows for a spreadsheet, escaped like the web one's.

    The rejected values are hostile input by definition, so every cell goes through
    ``core.spreadsheet.csv_line``, the function the web page's error report uses.
    """

    def __init__(self, path: str | None):
        self.out = open(path, "w", newline="", encoding="utf-8") if path else None  # noqa: SIM115
        if self.out:
            self.out.write(csv_line(["line", "column", "value", "reason"]))

    def write(self, error) -> None:
        if self.out:
            self.out.write(csv_line([error.line, error.column, error.value, error.reason]))

    def close(self) -> None:
        if self.out:
            self.out.close()
