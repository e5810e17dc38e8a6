from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "groundswell.events"
    label = "events"
    verbose_name = "Events and volunteers"

    def ready(self) -> None:
        # Imported here: apps.py is loaded before the app registry can load models.
        from groundswell.accounts.audit import audit_action_register
        from groundswell.events.staff import AUDIT_ACTIONS as STAFF_AUDIT_ACTIONS

        for code, label in STAFF_AUDIT_ACTIONS:
            audit_action_register(code, label)
        from groundswell.events.relational.services import AUDIT_ACTIONS as RELATIONAL_AUDIT_ACTIONS

        for code, label in RELATIONAL_AUDIT_ACTIONS:
            audit_action_register(code, label)
        from groundswell.events.relational.services import relational_person_erase
        from groundswell.people.extensions import person_removal_register

        person_removal_register("events_relational", erase=relational_person_erase)
        from groundswell.events.received import received_person_erase

        person_removal_register("events_received", erase=received_person_erase)
        from groundswell.events.host.services import AUDIT_ACTIONS as HOST_AUDIT_ACTIONS

        for code, label in HOST_AUDIT_ACTIONS:
            audit_action_register(code, label)
        # The person page shows a person's events, shifts and volunteer hours; events owns
        # them, so it contributes the card (people never imports events).
        from groundswell.accounts.roles import EVENTS_VIEW
        from groundswell.events.views_staff import person_events_panel
        from groundswell.people.extensions import person_panel_register

        person_panel_register(
            "events",
            template="events/staff/_person_events.html",
            context=person_events_panel,
            column="activity",
            order=60,
            capability=EVENTS_VIEW,
        )
        # A save or delete of an event or a shift forgets this process's kept RSVP reads.
        from django.db.models.signals import post_delete, post_save

        from groundswell.events.models import Event, Shift
        from groundswell.events.selectors import bookable_forget

        for model in (Event, Shift):
            for signal in (post_save, post_delete):
                signal.connect(bookable_forget, sender=model, dispatch_uid=f"bookable-{model}")
        # The public nav cannot import events (layers): events lends it an "Events" link.
        from groundswell.actions.site import nav_links_source_set
        from groundswell.events.host.nav import events_nav_links

        nav_links_source_set(events_nav_links)
        from groundswell.events.ladder.views import person_ladder_panel
        from groundswell.events.ladder.views_volunteers import person_volunteer_panel
        from groundswell.events.ladder.volunteers import AUDIT_ACTIONS as VOLUNTEER_AUDIT_ACTIONS

        for code, label in VOLUNTEER_AUDIT_ACTIONS:
            audit_action_register(code, label)
        person_panel_register(
            "ladder",
            template="events/ladder/_person_rung.html",
            context=person_ladder_panel,
            column="activity",
            order=55,
            capability=EVENTS_VIEW,
        )
        person_panel_register(
            "volunteer",
            template="events/volunteers/_person_volunteer.html",
            context=person_volunteer_panel,
            column="activity",
            order=61,
            capability=EVENTS_VIEW,
        )
