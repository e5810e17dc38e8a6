from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "groundswell.analytics"
    label = "analytics"
    verbose_name = "Analytics"

    def ready(self) -> None:
        # Imported here: apps.py loads before models can; segments lists the condition.
        from groundswell.analytics.conditions import register

        register()
