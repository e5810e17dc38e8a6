"""Writing parsed FEC rows (itcont or Schedule A) as contributions, in batches.

Why not ``contribution_record`` per row: FEC rows carry no e-mail or phone, so they never link a
person or write a timeline entry, and one INSERT per row through the ORM managed ~1,000 rows a
second. A batch is one prepared INSERT … ON CONFLICT DO NOTHING (the ``core.bulk`` approach);
on PostgreSQL a COPY into a scratch table first. The processor id is SUB_ID, so importing the
same file again adds nothing.

After the pass (``finish``): amendment repeats are settled (``fec_amendments``), then refunds
are applied to their originals (``fec_refunds``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import date, datetime

from django.db import connection, models, transaction

from groundswell.core.spreadsheet import formula_strip
from groundswell.donations.compliance.rules import cycle_for, election_for, rule_for
from groundswell.donations.intake.csv_import import ImportResult, RowError
from groundswell.donations.intake.fec_amendments import amendments_settle, other_receipts_settle
from groundswell.donations.intake.fec_refunds import refunds_apply
from groundswell.donations.intake.fec_rows import FEC_TZ, REFUND_TYPE, ParsedRow
from groundswell.donations.intake.models import OtherReceipt
from groundswell.donations.keys import name_key
from groundswell.donations.models import Contribution, ContributionStatus, Processor

INSERT_BATCH = 5000
STAGE_TABLE = "groundswell_fec_stage"


@dataclass
class FecImportResult(ImportResult):
    """An import's counts, with the filed rows an amendment superseded (voided, kept)."""

    superseded: int = 0
    other_receipts: int = 0  # new rows stored as OtherReceipt (not individuals' gifts)
    by_kind: dict[str, int] = dc_field(default_factory=dict)  # cents per kind read (no memo rows)
    conduits: int = 0  # Schedule A: gifts whose conduit was recognised from its memo row
    adjusted: int = 0  # Schedule A: reattribution / redesignation memo rows applied
    released: int = 0  # Schedule A: holds released because the excess moved
    # Schedule A: memo halves waiting for their partner (how many, and the first 100 named).
    lone_count: int = 0
    lone_halves: list[str] = dc_field(default_factory=list)


class OtherReceiptWriter:
    """Stores receipts that are not individuals' gifts (``OtherReceipt``), in batches.

    Shared by the itcont and Schedule A imports. Deduped on SUB_ID, so importing a file again
    adds nothing; ``finish`` marks the rows an amended report repeats ``superseded``.
    """

    def __init__(self, *, result: FecImportResult):
        self.result = result
        self.pending: list[dict] = []
        self.reports: set[str] = set()  # where other receipts may repeat by amendment

    def add(self, receipts: list[dict]) -> None:
        for receipt in receipts:
            if not receipt["is_memo"]:
                kind = receipt["kind"]
                self.result.by_kind[kind] = (
                    self.result.by_kind.get(kind, 0) + receipt["amount_cents"]
                )
            self.pending.append(receipt)
        if len(self.pending) >= INSERT_BATCH:
            self.flush()

    def flush(self) -> None:
        rows, self.pending = self.pending, []
        if not rows:
            return
        ids = [r["sub_id"] for r in rows]
        known = set(OtherReceipt.objects.filter(sub_id__in=ids).values_list("sub_id", flat=True))
        fresh = {}
        for receipt in rows:
            receipt = {k: v for k, v in receipt.items() if k != "line"}
            if receipt["sub_id"] in known or receipt["sub_id"] in fresh:
                self.result.unchanged += 1
                continue
            receipt["note"] = formula_strip(receipt["note"])
            receipt["name"] = formula_strip(receipt["name"])
            fresh[receipt["sub_id"]] = OtherReceipt(**receipt)
            if receipt["fec_report"] and receipt["transaction_id"]:
                self.reports.add(receipt["fec_report"])
        OtherReceipt.objects.bulk_create(list(fresh.values()), ignore_conflicts=True)
        self.result.other_receipts += len(fresh)

    def finish(self) -> None:
        """Write what is left, then settle the amendment repeats among them."""
        self.flush()
        self.result.superseded += other_receipts_settle(reports=sorted(self.reports))


class ContributionWriter:
    """Writes parsed FEC rows as contributions in batches; refunds wait until ``finish``.

    Shared by the itcont and the Schedule A imports: the same dedupe (processor id = SUB_ID),
    memo flag, 15E, 22Y and election/donor key rules.
    """

    def __init__(self, *, result: ImportResult, on_error: Callable[[RowError], None] | None):
        self.result = result
        self.on_error = on_error
        self.refunds: list[ParsedRow] = []
        self.pending: list[ParsedRow] = []
        self._received: dict[date, tuple[datetime, object, str]] = {}
        self._rules: dict = {}
        ops = connection.ops
        self._adapt_dt = ops.adapt_datetimefield_value
        # One row template with every column's default, converted once; rows fill in theirs.
        fields = [f for f in Contribution._meta.concrete_fields if not f.primary_key]
        template = Contribution(processor=Processor.FEC, status=ContributionStatus.PAID)
        now = self._adapt_dt(template.created_at)
        self.template = []
        for field in fields:
            value = field.get_db_prep_save(getattr(template, field.attname), connection)
            if field.attname in ("created_at", "modified_at"):
                value = now
            elif isinstance(field, models.JSONField):
                # As text: COPY and sqlite3 both take it, and it is not re-encoded per row.
                value = json.dumps(getattr(template, field.attname))
            self.template.append(value)
        self.index = {f.attname: i for i, f in enumerate(fields)}
        qn = ops.quote_name
        self.table = qn(Contribution._meta.db_table)
        self.columns = ", ".join(qn(f.column) for f in fields)
        self.sql = (
            f"INSERT INTO {self.table} ({self.columns}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(fields))}) ON CONFLICT DO NOTHING"
        )
        self._stage_ready = False
        # The reports this import wrote rows of: where amendment repeats are looked for.
        self.reports: set[str] = set()

    def reject(self, line: int, column: str, value: str, reason: str) -> None:
        error = RowError(line, column, value, reason)
        self.result.rejected += 1
        if len(self.result.errors) < ImportResult.MAX_KEPT_ERRORS:
            self.result.errors.append(error)
        if self.on_error:
            self.on_error(error)

    def add(self, rows: list[ParsedRow]) -> None:
        """Queue rows; full batches are written at once, refunds kept for ``finish``.

        A negative counted row that is not a 22Y (a returned check filed as a negative receipt)
        takes money back as a refund does: stored as a gift of its absolute amount it would add
        what the filing subtracts.
        """
        for row in rows:
            if row.transaction_type == REFUND_TYPE or (row.cents < 0 and not row.is_memo):
                self.refunds.append(row)
            else:
                self.pending.append(row)
        if len(self.pending) >= INSERT_BATCH:
            self.flush()

    def flush(self) -> None:
        rows, self.pending = self.pending, []
        if rows:
            self._insert(rows, refunded=False)

    def election_on(self, day: date) -> str:
        """The election a gift received on ``day`` counts toward (for a row that does not say)."""
        return self._when(day)[1]

    def _when(self, day: date) -> tuple[object, str]:
        """The database value of noon Eastern on ``day``, and the election it falls in."""
        cached = self._received.get(day)
        if cached is None:
            received_at = datetime(day.year, day.month, day.day, 12, tzinfo=FEC_TZ)
            cycle = cycle_for(day)
            if cycle not in self._rules:
                self._rules[cycle] = rule_for(received_at=received_at)
            election = election_for(received_at=received_at, rule=self._rules[cycle])
            cached = (received_at, self._adapt_dt(received_at), election)
            self._received[day] = cached
        return cached[1], cached[2]

    def _insert(self, rows: list[ParsedRow], *, refunded: bool) -> None:
        ix = self.index
        i_amount, i_received, i_pid = ix["amount_cents"], ix["received_at"], ix["processor_id"]
        i_order, i_election, i_memo = ix["order_number"], ix["election"], ix["is_memo"]
        i_type, i_note, i_key = ix["transaction_type"], ix["note"], ix["donor_key"]
        snapshot = [
            ix[name]
            for name in (
                "donor_given_name", "donor_family_name", "donor_city", "donor_state",
                "donor_postal_code", "donor_employer", "donor_occupation",
            )
        ]  # fmt: skip
        i_country, i_street = ix["donor_country"], ix["donor_address_line1"]
        i_report, i_file, i_amended = ix["fec_report"], ix["fec_file_number"], ix["fec_amended"]
        values = []
        for row in rows:
            value = self.template.copy()
            cents = abs(row.cents)
            received, election = self._when(row.day)
            value[i_amount] = cents
            value[i_received] = received
            value[i_pid] = row.sub_id
            value[i_order] = row.order_number
            value[i_election] = row.election or election
            value[i_memo] = row.is_memo
            value[i_type] = row.transaction_type
            value[i_note] = formula_strip(row.note)
            value[i_key] = row.donor_key or name_key(row.given, row.family, row.postal_code)
            for index, text in zip(
                snapshot,
                (row.given, row.family, row.city, row.state, row.postal_code, row.employer,
                 row.occupation),
                strict=True,
            ):  # fmt: skip
                # Carried unaltered into the Schedule A export: no formula starts (see
                # core.spreadsheet), as every intake path cleans them.
                value[index] = formula_strip(text)
            value[i_country] = "US"
            value[i_street] = formula_strip(row.street)
            value[i_report], value[i_file] = row.report, row.file_number
            value[i_amended] = row.amended
            if row.report and row.order_number:
                self.reports.add(row.report)
            if refunded:
                value[ix["status"]] = ContributionStatus.REFUNDED.value
                value[ix["refunded_cents"]] = cents
                value[ix["refunded_at"]] = received
                amount = f"{'-' if row.cents < 0 else ''}{cents / 100:.2f}"
                kind = "22Y refund" if row.transaction_type == REFUND_TYPE else "negative receipt"
                note = f"FEC {kind} of {amount}; no original contribution linked"
                value[i_note] = note + (f"; {row.note}" if row.note else "")
            values.append(value)
        # One transaction per batch: SQLite would otherwise commit every row on its own.
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                created = self._copy_insert(cursor.cursor, values)
            else:
                cursor.executemany(self.sql, values)
                # sqlite3 counts the rows executemany inserted; the rest were already there
                # (the same SUB_ID from an earlier run or earlier in the file).
                created = max(cursor.rowcount, 0)
        self.result.created += created
        self.result.unchanged += len(rows) - created

    def _copy_insert(self, cursor, values: list[list]) -> int:
        """PostgreSQL: COPY the batch into a scratch table, then INSERT … ON CONFLICT once.

        psycopg's executemany quotes every parameter in Python (Django binds on the client),
        which made PostgreSQL three times slower than SQLite here; COPY adapts rows in C.
        """
        if not self._stage_ready:
            # Temporary: private to this connection, gone when it closes.
            cursor.execute(
                f"CREATE TEMPORARY TABLE IF NOT EXISTS {STAGE_TABLE} AS "  # noqa: S608
                f"SELECT {self.columns} FROM {self.table} WITH NO DATA"
            )
            self._stage_ready = True
        cursor.execute(f"TRUNCATE {STAGE_TABLE}")
        with cursor.copy(f"COPY {STAGE_TABLE} ({self.columns}) FROM STDIN") as copy:
            for value in values:
                copy.write_row(value)
        cursor.execute(
            f"INSERT INTO {self.table} ({self.columns}) "  # noqa: S608
            f"SELECT {self.columns} FROM {STAGE_TABLE} ON CONFLICT DO NOTHING"
        )
        return cursor.rowcount

    def finish(self) -> None:
        """Write what is left, settle amendments, then apply the refunds to their originals."""
        self.flush()
        superseded = amendments_settle(reports=sorted(self.reports))
        if isinstance(self.result, FecImportResult):
            self.result.superseded += superseded
        refunds, self.refunds = self.refunds, []
        for start in range(0, len(refunds), 1000):
            lone = refunds_apply(refunds[start : start + 1000], result=self.result)
            if lone:
                self._insert(lone, refunded=True)
