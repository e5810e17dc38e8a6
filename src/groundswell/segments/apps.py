from django.apps import AppConfig


class SegmentsConfig(AppConfig):
    name = "groundswell.segments"
    label = "segments"
    verbose_name = "Segments"

    def ready(self) -> None:
        # Imported here, not at module level: apps.py is loaded before the app registry can
        # load models, and the built-in conditions import people's models.
        from groundswell.accounts.audit import audit_action_register
        from groundswell.segments import conditions_builtin

        conditions_builtin.register_all()
        for code, label in (
            ("segments.create", "Segment saved"),
            ("segments.change", "Segment changed"),
            ("segments.delete", "Segment deleted"),
            ("segments.snapshot", "Segment snapshot taken"),
            ("segments.dynamic", "Segment made dynamic again"),
        ):
            audit_action_register(code, label)
