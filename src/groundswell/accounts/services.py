"""Writes about staff accounts and the audit log."""

from __future__ import annotations

from django.db import transaction

from groundswell.accounts.models import AuditEvent, User


def audit_record(
    *,
    actor: User | None,
    action: str,
    summary: str,
    target=None,
    details: dict | None = None,
    ip_address: str | None = None,
) -> AuditEvent:
    """Append one event to the audit log."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        action=action,
        summary=summary[:500],
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        details=details or {},
        ip_address=ip_address,
    )


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    email: str,
    role: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
) -> User:
    """Create a staff account and record who created it with which role."""
    user = User(
        username=username, email=email, role=role, first_name=first_name, last_name=last_name
    )
    user.set_password(password)
    user.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.USER_CREATE,
        summary=f"created {username} as {role}",
        target=user,
        details={"role": role},
    )
    return user


@transaction.atomic
def user_set_role(*, actor: User, user: User, role: str, ip_address: str | None = None) -> User:
    """Change a staff member's role; every change of permissions is audited."""
    user = User.objects.select_for_update().get(pk=user.pk)
    old = user.role
    if old == role:
        return user
    user.role = role
    user.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.ROLE_CHANGE,
        summary=f"{user.username}: {old} → {role}",
        target=user,
        details={"from": old, "to": role},
        ip_address=ip_address,
    )
    return user


@transaction.atomic
def user_set_active(
    *, actor: User, user: User, active: bool, ip_address: str | None = None
) -> User:
    """Deactivate or reactivate a staff account (audited as a permission change)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active == active:
        return user
    user.is_active = active
    user.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.USER_DEACTIVATE if not active else AuditEvent.Action.ROLE_CHANGE,
        summary=f"{user.username} {'reactivated' if active else 'deactivated'}",
        target=user,
        details={"active": active},
        ip_address=ip_address,
    )
    return user
