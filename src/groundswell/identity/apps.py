from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "groundswell.identity"
    label = "identity"
    verbose_name = "Identity resolution"

    def ready(self) -> None:
        # Undoing a merge withdraws the review verdict behind it; identity registers the hook
        # with people (people.extensions), so that people never imports identity.
        from groundswell.donations.pages.donate import campaign_goal_source_set
        from groundswell.identity.review import decisions_withdraw_for_undo
        from groundswell.identity.thresholds import goal_figures
        from groundswell.people.extensions import merge_hook_register

        merge_hook_register("identity", after_undo=decisions_withdraw_for_undo)
        # Donation pages show the active goal's unique donors; identity supplies the figure so
        # that donations never imports identity (which depends on donations).
        campaign_goal_source_set(goal_figures)
