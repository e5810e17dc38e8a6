from django.apps import AppConfig


class SegmentsConfig(AppConfig):
    name = "groundswell.segments"
    label = "segments"
    verbose_name = "Segments"

    def ready(self) -> None:
        # Imported here, not at module level: apps.py is loaded before the app registry can
        # load models, and the built-in conditions import people's models.
        from groundswell.segments import conditions_builtin

        conditions_builtin.register_all()
