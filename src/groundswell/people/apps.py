from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "groundswell.people"
    label = "people"
    verbose_name = "People"

    def ready(self) -> None:
        # Imported here: apps.py is loaded before the app registry can load models.
        from groundswell.accounts.audit import audit_action_register
        from groundswell.people.cleanup import cleanup_audit_words
        from groundswell.people.merge import merge_audit_words

        for code, label in (("merge", "Merge"), ("merge_undo", "Merge undone")):
            audit_action_register(code, label, describe=merge_audit_words)
        for code, label in (
            ("contact_delete", "Contact point deleted"),
            ("contact_primary", "Primary contact point chosen"),
            ("person_delete", "Person deleted"),
            ("person_erase", "Personal data erased"),
            ("people_tag", "People tagged in bulk"),
            ("people_untag", "Tag removed from people in bulk"),
        ):
            audit_action_register(code, label, describe=cleanup_audit_words)
