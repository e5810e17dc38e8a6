from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "groundswell.accounts"
    label = "accounts"
    verbose_name = "Staff accounts and audit"
