from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "groundswell.api"
    label = "api"
    verbose_name = "API (Action Network v2 / OSDI compatible)"

    def ready(self) -> None:
        # Imported here: apps.py is loaded before the app registry can load models.
        from groundswell.accounts.audit import audit_action_register
        from groundswell.api.models import API_AUDIT_ACTIONS

        for code, label in API_AUDIT_ACTIONS.items():
            audit_action_register(code, label)
