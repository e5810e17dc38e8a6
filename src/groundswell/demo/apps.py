from django.apps import AppConfig


class DemoConfig(AppConfig):
    # No models: an app only so that `groundswell demo` and `groundswell generate` are found.
    name = "groundswell.demo"
    label = "demo"
    verbose_name = "Demo data (development only)"
