from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "groundswell.identity"
    label = "identity"
    verbose_name = "Identity resolution"

    def ready(self) -> None:
        # Imported here, not at module level: apps.py is loaded before the app registry can
        # load models, and these modules import models.
        from groundswell.accounts.audit import audit_action_register
        from groundswell.accounts.roles import FINANCE_VIEW
        from groundswell.donations.pages.donate import campaign_goal_source_set
        from groundswell.identity.review import decisions_withdraw_for_undo
        from groundswell.identity.thresholds import goal_figures
        from groundswell.people.extensions import merge_hook_register, person_panel_register

        for code, label in (
            ("identity.goal_create", "Donor goal created"),
            ("identity.goal_change", "Donor goal changed"),
            ("identity.goal_activate", "Donor goal chosen"),
            ("identity.goal_delete", "Donor goal deleted"),
            ("identity.run_request", "Identity resolution run requested"),
        ):
            audit_action_register(code, label)
        # Undoing a merge withdraws the review verdict behind it; identity registers the hook
        # with people (people.extensions), so that people never imports identity.
        merge_hook_register("identity", after_undo=decisions_withdraw_for_undo)
        # Donation pages show the active goal's unique donors; identity supplies the figure so
        # that donations never imports identity (which depends on donations).
        campaign_goal_source_set(goal_figures)
        # Why this person's records are linked (match weights, the rule that linked them):
        # the weights include employer and occupation, so finance roles only.
        person_panel_register(
            "identity_links",
            template="identity/_person_links.html",
            context=_person_links_panel,
            column="details",
            order=110,
            capability=FINANCE_VIEW,
        )


def _person_links_panel(*, request, person) -> dict:
    # Imported when called: apps.py is loaded before the app registry can load models.
    from groundswell.identity.evidence import person_link_evidence
    from groundswell.identity.review import FIELD_LABELS

    return person_link_evidence(person_id=person.pk, field_labels=FIELD_LABELS)
