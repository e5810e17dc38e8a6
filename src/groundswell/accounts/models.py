"""Staff accounts with one role each, and the audit log."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models

from groundswell.accounts.roles import ADMIN_SITE, Role, role_can


class User(AbstractUser):
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.VOLUNTEER)

    def can(self, capability: str) -> bool:
        return self.is_active and role_can(self.role, capability)

    def save(self, *args, **kwargs):
        # Django's admin site is for the admin role only; keep is_staff in step with the role
        # so a demoted admin loses the admin site at once.
        self.is_staff = role_can(self.role, ADMIN_SITE)
        self.is_superuser = self.is_staff
        super().save(*args, **kwargs)


class AuditEvent(models.Model):
    """Who did what that must be accountable: exports of PII, merges, permission changes."""

    class Action(models.TextChoices):
        EXPORT = "export", "Export"
        MERGE = "merge", "Merge"
        MERGE_UNDO = "merge_undo", "Merge undone"
        ROLE_CHANGE = "role_change", "Role change"
        USER_CREATE = "user_create", "User created"
        USER_DEACTIVATE = "user_deactivate", "User deactivated"
        USER_REACTIVATE = "user_reactivate", "User reactivated"
        LOGIN_LOCKOUT = "login_lockout", "Log-ins locked out after failed attempts"
        IMPORT = "import", "Import"
        # Money and compliance (the donations app).
        REFUND = "refund", "Refund"
        HOLD_RESOLVE = "hold_resolve", "Held contribution resolved"
        CONTRIBUTION_CREATE = "contribution_create", "Contribution recorded by staff"
        RECURRING_CANCEL = "recurring_cancel", "Recurring gift cancelled"
        CREDENTIAL_CREATE = "credential_create", "Webhook credentials generated"
        CREDENTIAL_REVOKE = "credential_revoke", "Webhook credentials revoked"
        RULES_CHANGE = "rules_change", "Compliance rules changed"
        PAGE_CHANGE = "page_change", "Donation page changed"
        BEST_EFFORTS = "best_efforts", "Best-efforts follow-up"
        # Identity resolution: staff verdicts on a pair of records (the identity app).
        IDENTITY_REVIEW = "identity_review", "Identity review decision"
        IDENTITY_WITHDRAW = "identity_withdraw", "Identity review decision withdrawn"
        # A/B tests: staff act on a statistical decision (the actions app's page variants).
        VARIANT_KEEP = "variant_keep", "Winning variant kept"

    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_events",
    )
    # No database choices: each app registers its actions' labels in accounts.audit, so a new
    # action needs no migration here (Action above names accounts' own and the older ones).
    action = models.CharField(max_length=40, db_index=True)
    summary = models.CharField(max_length=500)
    target_type = models.CharField(max_length=50, blank=True)
    target_id = models.CharField(max_length=50, blank=True)
    details = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action}: {self.summary}"

    @property
    def action_label(self) -> str:
        from groundswell.accounts.audit import audit_action_label

        return audit_action_label(self.action)

    @property
    def details_words(self) -> list[str]:
        from groundswell.accounts.audit import audit_details_words

        return audit_details_words(self.action, self.details)
