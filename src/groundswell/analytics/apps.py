from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "groundswell.analytics"
    label = "analytics"
    verbose_name = "Analytics"
