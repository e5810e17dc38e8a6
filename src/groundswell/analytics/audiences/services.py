"""Writes of the audiences package: only the audit event of each export (the files themselves
are streamed, never stored)."""

from __future__ import annotations

from groundswell.accounts.models import AuditEvent
from groundswell.accounts.services import audit_record


def audience_export_record(
    *,
    actor,
    platform_label: str,
    platform: str,
    people: int,
    what: str,
    target=None,
    ip_address: str | None = None,
    extra: dict | None = None,
) -> AuditEvent:
    """Audit one hashed-audience export: who, which platform, what and how many people —
    counts only, never an identifier or a hash (a hash of an e-mail is still personal data)."""
    noun = "person" if people == 1 else "people"
    return audit_record(
        actor=actor,
        action=AuditEvent.Action.EXPORT,
        summary=f"exported {what} as a hashed {platform_label} file: {people} {noun}",
        target=target,
        details={"audience": platform, "people": people, **(extra or {})},
        ip_address=ip_address,
    )
