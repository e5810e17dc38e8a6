from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "groundswell.people"
    label = "people"
    verbose_name = "People"
