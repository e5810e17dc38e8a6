from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "groundswell.actions"
    label = "actions"
    verbose_name = "Public action pages"
