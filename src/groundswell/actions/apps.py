from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "groundswell.actions"
    label = "actions"
    verbose_name = "Public action pages"

    def ready(self) -> None:
        # Imported here, not at the top: apps.py loads before the app registry is ready, and
        # these modules import models.
        # The person page shows who recruited whom; this app owns referrals, so it contributes
        # the card (people never imports actions).
        from groundswell.actions.views_staff import person_referrals_panel
        from groundswell.people.extensions import person_panel_register

        person_panel_register(
            "referrals",
            template="actions/_person_referrals.html",
            context=person_referrals_panel,
            column="activity",
        )
        # What supporters typed into our forms goes when they ask to be erased.
        from groundswell.actions.erasure import person_erase
        from groundswell.people.extensions import person_removal_register

        person_removal_register("actions", erase=person_erase)
