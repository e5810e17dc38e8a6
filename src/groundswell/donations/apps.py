from django.apps import AppConfig


class DonationsConfig(AppConfig):
    name = "groundswell.donations"
    label = "donations"
    verbose_name = "Donations"
