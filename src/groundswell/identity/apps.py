from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "groundswell.identity"
    label = "identity"
    verbose_name = "Identity resolution"

    def ready(self) -> None:
        # Undoing a merge withdraws the review verdict behind it; people sends, identity
        # listens, so that people never imports identity.
        from groundswell.donations.pages.donate import campaign_goal_source_set
        from groundswell.identity.review import _on_merge_undone
        from groundswell.identity.thresholds import goal_figures
        from groundswell.people.merge import person_merge_undone

        person_merge_undone.connect(_on_merge_undone, dispatch_uid="identity.merge_undone")
        # Donation pages show the active goal's unique donors; identity supplies the figure so
        # that donations never imports identity (which depends on donations).
        campaign_goal_source_set(goal_figures)
