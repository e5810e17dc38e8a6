"""Issuing, revoking and checking API keys."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from groundswell.accounts.models import User
from groundswell.accounts.roles import PEOPLE_VIEW
from groundswell.accounts.services import audit_record
from groundswell.api.models import API_KEY_CREATE, API_KEY_REVOKE, API_PEOPLE_READ, ApiKey

KEY_PREFIX = "gs_"
# last_used_at is a hint for staff, not a log: refresh it at most this often, so a busy
# integration does not write its key's row on every request.
LAST_USED_GRANULARITY = timedelta(minutes=1)


def _sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_key_create(
    *, name: str, user: User, actor: User, ip_address: str | None = None
) -> tuple[ApiKey, str]:
    """Issue a key acting as ``user``; returns it and its secret, which is shown only once."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError("Give the key a name that says what will use it.")
    if not user.is_active or not user.can(PEOPLE_VIEW):
        raise ValidationError(f"{user.username} is not an active staff account.")
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey.objects.create(
        name=name[:100],
        user=user,
        prefix=secret[: len(KEY_PREFIX) + 6],
        secret_sha256=_sha256(secret),
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action=API_KEY_CREATE,
        summary=f"Issued API key “{key.name}” ({key.prefix}…) acting as {user.username} "
        f"({user.get_role_display()})",
        target=key,
        details={"acts_as": user.username, "role": user.role},
        ip_address=ip_address,
    )
    return key, secret


@transaction.atomic
def api_key_revoke(*, key: ApiKey, actor: User, ip_address: str | None = None) -> ApiKey:
    """Revoke a key: requests that present it are refused from now on."""
    key = ApiKey.objects.select_for_update().get(pk=key.pk)
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at", "modified_at"])
        audit_record(
            actor=actor,
            action=API_KEY_REVOKE,
            summary=f"Revoked API key “{key.name}” ({key.prefix}…)",
            target=key,
            ip_address=ip_address,
        )
    return key


def api_key_authenticate(secret: str) -> ApiKey | None:
    """The live key this secret belongs to, with its active account; None otherwise."""
    if not secret.startswith(KEY_PREFIX) or len(secret) > 100:
        return None
    key = (
        ApiKey.objects.select_related("user")
        .filter(secret_sha256=_sha256(secret), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if key is None:
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_GRANULARITY:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key


def api_people_read_record(*, key: ApiKey, ip_address: str | None) -> None:
    """Audit that a key read people's personal data: once per key and day, so the log shows
    every integration that exports people without a line per page it fetched."""
    today = timezone.localdate()
    if key.people_read_audited_on == today:
        return
    # The conditional update lets one of several concurrent requests win the day's entry.
    won = (
        ApiKey.objects.filter(pk=key.pk)
        .exclude(people_read_audited_on=today)
        .update(people_read_audited_on=today)
    )
    key.people_read_audited_on = today
    if won:
        audit_record(
            actor=key.user,
            action=API_PEOPLE_READ,
            summary=f"API key “{key.name}” ({key.prefix}…) read people's records",
            target=key,
            details={"key": key.name},
            ip_address=ip_address,
        )
