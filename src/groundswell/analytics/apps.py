from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "groundswell.analytics"
    label = "analytics"
    verbose_name = "Analytics"

    def ready(self) -> None:
        # Imported here: apps.py loads before models can; segments lists the condition.
        from groundswell.accounts.audit import audit_action_register
        from groundswell.analytics.conditions import register
        from groundswell.analytics.sources.services import AUDIT_ACTIONS

        register()
        for code, label in AUDIT_ACTIONS:
            audit_action_register(code, label)
