"""Writes about staff accounts and the audit log."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from groundswell.accounts.models import AuditEvent, User
from groundswell.accounts.roles import Role


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


def login_lockout_record(*, username: str, ip_address: str | None, failures: int) -> AuditEvent:
    """Audit that log-ins from an address or to a username are paused after failed attempts."""
    from django.conf import settings

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    target = User.objects.filter(username=username).first() if username else None
    return audit_record(
        actor=None,
        action=AuditEvent.Action.LOGIN_LOCKOUT,
        summary=f"log-ins paused for {minutes} minutes after {failures} failed attempts "
        f"(username {username[:150]!r} from {ip_address or 'an unknown address'})",
        target=target,
        details={"username": username[:150], "failures": failures, "minutes": minutes},
        ip_address=ip_address,
    )


def _check_an_admin_remains(user: User, *, role: str, active: bool) -> None:
    """Refuse a change that would leave the campaign without any active admin.

    Runs inside the caller's transaction after locking the active admins, so two admins
    demoting each other at the same moment cannot both pass.
    """
    admins = list(
        User.objects.select_for_update()
        .filter(role=Role.ADMIN, is_active=True)
        .values_list("pk", flat=True)
    )
    if user.pk in admins and not (role == Role.ADMIN and active) and len(admins) == 1:
        raise ValidationError(
            f"{user.username} is the last active admin; make someone else an admin first."
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
    _check_an_admin_remains(user, role=role, active=user.is_active)
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
    _check_an_admin_remains(user, role=user.role, active=active)
    user.is_active = active
    user.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.USER_DEACTIVATE
        if not active
        else AuditEvent.Action.USER_REACTIVATE,
        summary=f"{user.username} {'reactivated' if active else 'deactivated'}",
        target=user,
        details={"active": active},
        ip_address=ip_address,
    )
    return user
