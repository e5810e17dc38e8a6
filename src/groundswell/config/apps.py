from django.apps import AppConfig


class ConfigConfig(AppConfig):
    # No models: an app only for the commands that compose several apps (`groundswell import`),
    # which sit here, above the apps, so that no app imports another against the layering.
    name = "groundswell.config"
    label = "gs_config"
    verbose_name = "Configuration and command line"
