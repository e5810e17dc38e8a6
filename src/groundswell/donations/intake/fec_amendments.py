"""Amendment repeats: one report's transaction filed again by an amended report.

An amended report (AMNDT_IND "A", a later FILE_NUM) files the transactions of the report it
amends again, each under a new SUB_ID. Within one report (committee, report type, year) a
TRAN_ID names one transaction, so among the rows of one report sharing a TRAN_ID, when one of
them comes from an amendment, the latest filing stands for the transaction and the others are
repeats. A TRAN_ID alone, or one committee's TRAN_ID, identifies nothing: the same TRAN_ID in two
reports (January and year-end) is two gifts, and without an amendment two rows are two gifts.

A repeated gift is kept, voided, with a note naming the filing that superseded it: voided gifts
count nowhere (totals, limits, donors), and keeping the row means importing the same file again
finds its SUB_ID and adds nothing. A repeated other receipt (a loan filed again) is kept and
marked ``superseded``. Whichever order the filings arrive in, the same row stands.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import models, transaction
from django.utils import timezone

from groundswell.core.bulk import bulk_update_fields
from groundswell.donations.intake.fec_rows import REFUND_TYPE
from groundswell.donations.models import Contribution, ContributionStatus, OtherReceipt, Processor

_CHUNK = 500


def _standing_order(sub_id: str, row) -> tuple:
    """The latest filing first: file number, amended, then SUB_ID (later ids are later lines)."""
    return (
        row.fec_file_number or 0,
        row.fec_amended,
        int(sub_id) if sub_id.isascii() and sub_id.isdigit() else -1,
        sub_id,
    )


def _groups(rows: models.QuerySet, reports: list[str], tran: str) -> dict[tuple, list]:
    """The rows of the reports that share a TRAN_ID (field ``tran``) with an amendment's row."""
    keys: set[tuple[str, str]] = set()
    for start in range(0, len(reports), _CHUNK):
        amended = rows.filter(
            fec_report__in=reports[start : start + _CHUNK], fec_amended=True
        ).exclude(**{tran: ""})
        keys.update(amended.values_list("fec_report", tran))
    groups: dict[tuple, list] = defaultdict(list)
    ordered = sorted(keys)
    # In chunks: an amended national file repeats hundreds of thousands of TRAN_IDs, more
    # than one statement may bind.
    for start in range(0, len(ordered), _CHUNK):
        chunk = ordered[start : start + _CHUNK]
        found = rows.filter(
            fec_report__in={r for r, _ in chunk}, **{f"{tran}__in": {t for _, t in chunk}}
        )
        wanted = set(chunk)
        for row in found:
            key = (row.fec_report, getattr(row, tran))
            if key in wanted:
                groups[key].append(row)
    return groups


def amendments_settle(*, reports: list[str]) -> int:
    """Void the gifts of ``reports`` that a later amended filing repeats; returns how many."""
    if not reports:
        return 0
    superseded: list[Contribution] = []
    now = timezone.now()
    gifts = Contribution.objects.filter(processor=Processor.FEC).exclude(
        transaction_type=REFUND_TYPE
    )
    with transaction.atomic():
        for (_, tran_id), rows in _groups(gifts, reports, "order_number").items():
            stands = max(rows, key=lambda r: _standing_order(r.processor_id, r))
            for row in rows:
                if row.pk == stands.pk or row.status == ContributionStatus.VOIDED:
                    continue
                row.status = ContributionStatus.VOIDED
                filing = f"file {stands.fec_file_number}" if stands.fec_file_number else "a filing"
                note = (
                    f"Superseded by the amendment in {filing} "
                    f"(SUB_ID {stands.processor_id}, TRAN_ID {tran_id})"
                )
                row.note = f"{note}; {row.note}" if row.note else note
                row.modified_at = now
                superseded.append(row)
        bulk_update_fields(Contribution, superseded, ["status", "note", "modified_at"])
    return len(superseded)


def other_receipts_settle(*, reports: list[str]) -> int:
    """Mark the other receipts an amended filing repeats ``superseded``; returns how many."""
    if not reports:
        return 0
    changed: list[OtherReceipt] = []
    with transaction.atomic():
        groups = _groups(OtherReceipt.objects.all(), reports, "transaction_id")
        for rows in groups.values():
            stands = max(rows, key=lambda r: _standing_order(r.sub_id, r))
            for row in rows:
                if row.superseded != (row.pk != stands.pk):
                    row.superseded = row.pk != stands.pk
                    row.modified_at = timezone.now()
                    changed.append(row)
        bulk_update_fields(OtherReceipt, changed, ["superseded", "modified_at"])
    return sum(1 for row in changed if row.superseded)
