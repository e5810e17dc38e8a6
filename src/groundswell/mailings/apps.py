from django.apps import AppConfig


class MailingsConfig(AppConfig):
    name = "groundswell.mailings"
    label = "mailings"
    verbose_name = "Mailings"
