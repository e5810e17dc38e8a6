from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "groundswell.events"
    label = "events"
    verbose_name = "Events and volunteers"
