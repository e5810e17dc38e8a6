"""Writes of the sources page: ad spend entered and removed by finance staff, each audited."""

from __future__ import annotations

from django.db import transaction

from groundswell.accounts.services import audit_record
from groundswell.analytics.sources.models import AdSpend

AUDIT_ACTIONS = (
    ("analytics.spend_add", "Ad spend entered"),
    ("analytics.spend_delete", "Ad spend removed"),
)


def _details(spend: AdSpend) -> dict:
    return {
        "refcode": spend.refcode,
        "match": spend.match,
        "start": spend.start.isoformat(),
        "end": spend.end.isoformat(),
        "amount_cents": spend.amount_cents,
    }


def _dollars(cents: int) -> str:
    return f"${cents // 100:,}.{cents % 100:02d}"


@transaction.atomic
def adspend_add(*, data: dict, actor, ip_address: str | None = None) -> AdSpend:
    """Record spend from the form's cleaned data (amount in cents)."""
    spend = AdSpend.objects.create(
        refcode=data["refcode"],
        match=data["match"],
        start=data["start"],
        end=data["end"],
        amount_cents=data["amount_cents"],
        note=data.get("note", ""),
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="analytics.spend_add",
        summary=f"Entered ad spend of {_dollars(spend.amount_cents)} on {spend.target_label} "
        f"({spend.start} – {spend.end})",
        target=spend,
        details=_details(spend),
        ip_address=ip_address,
    )
    return spend


@transaction.atomic
def adspend_delete(*, spend: AdSpend, actor, ip_address: str | None = None) -> None:
    """Remove an entry (a mistake); the audit log keeps what it said."""
    audit_record(
        actor=actor,
        action="analytics.spend_delete",
        summary=f"Removed ad spend of {_dollars(spend.amount_cents)} on {spend.target_label} "
        f"({spend.start} – {spend.end})",
        target=spend,
        details=_details(spend),
        ip_address=ip_address,
    )
    spend.delete()
