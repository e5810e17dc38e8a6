from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "groundswell.home"
    label = "home"
    verbose_name = "Staff home"
