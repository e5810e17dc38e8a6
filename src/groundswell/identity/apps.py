from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "groundswell.identity"
    label = "identity"
    verbose_name = "Identity resolution"
