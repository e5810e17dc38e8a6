from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "groundswell.accounts"
    label = "accounts"
    verbose_name = "Staff accounts and audit"

    def ready(self) -> None:
        # Imported here: apps.py is loaded before the app registry can load models.
        from groundswell.accounts.audit import audit_action_register
        from groundswell.accounts.models import AuditEvent

        for action in AuditEvent.Action:
            audit_action_register(action.value, str(action.label))
