"""Receipts that are not gifts from individuals: kept for finance, outside every donor count.

An FEC Schedule A download lists everything a committee received: individuals' contributions
(line 11AI), but also the candidate's loans and own money, other committees' contributions,
transfers from affiliated committees, offsets and other receipts. Only the first are gifts
(``Contribution``): donor counts, per-election limits, holds, itemization and identity
resolution all read contributions. The rest are stored here, as filed, so finance staff see
them (the finance overview totals them by kind) but no rule about individual donors can ever
count a candidate's loan or hold a committee's money.

Registered with the donations app (``donations.models`` imports this module).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from groundswell.core.models import TimeStampedModel


class ReceiptKind(models.TextChoices):
    CANDIDATE_LOAN = "candidate_loan", "Loan from the candidate"
    LOAN = "loan", "Other loan"
    CANDIDATE = "candidate", "The candidate's own contribution"
    COMMITTEE = "committee", "Party or political committee"
    ORGANISATION = "organisation", "Organisation (not an individual)"
    TRANSFER = "transfer", "Transfer from an authorized or affiliated committee"
    OFFSET = "offset", "Offset to expenditures (refund, rebate)"
    CONDUIT = "conduit", "Earmark conduit (memo)"
    OTHER = "other", "Other receipt"


class OtherReceipt(TimeStampedModel):
    """One Schedule A row that is not an individual's gift, as filed."""

    committee_id = models.CharField(max_length=9)
    kind = models.CharField(max_length=15, choices=ReceiptKind.choices)
    # The FEC's own id of the filed row: importing the same file again adds nothing.
    sub_id = models.CharField(max_length=100, unique=True)
    transaction_id = models.CharField(max_length=100, blank=True)
    back_reference = models.CharField(max_length=100, blank=True)
    line_number = models.CharField(max_length=10, blank=True)
    receipt_type = models.CharField(max_length=3, blank=True)
    entity_type = models.CharField(max_length=3, blank=True)
    # Signed as filed: an offset or a correction may be negative.
    amount_cents = models.BigIntegerField()
    received_at = models.DateTimeField()
    election = models.CharField(max_length=5, blank=True)
    is_memo = models.BooleanField(default=False)
    # The contributor's name whole: an organisation's name is never split into a person's.
    name = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=50, blank=True)
    postal_code = models.CharField(max_length=12, blank=True)
    note = models.TextField(blank=True)
    fec_report = models.CharField(max_length=40, blank=True)
    fec_file_number = models.BigIntegerField(null=True, blank=True)
    fec_amended = models.BooleanField(default=False)
    # Filed again by an amended report (intake.fec_amendments): kept, counted nowhere.
    superseded = models.BooleanField(default=False)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["received_at"], name="other_receipt_received_idx"),
            models.Index(
                fields=["committee_id", "kind"],
                name="other_receipt_kind_idx",
                condition=Q(is_memo=False, superseded=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name} ({self.sub_id})"
