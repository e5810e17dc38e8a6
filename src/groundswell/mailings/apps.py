from django.apps import AppConfig


class MailingsConfig(AppConfig):
    name = "groundswell.mailings"
    label = "mailings"
    verbose_name = "Mailings"

    def ready(self):
        # Imported here: apps.py is loaded before the app registry can load models.
        from anymail.signals import tracking

        from groundswell.accounts.audit import audit_action_register
        from groundswell.mailings.bounces.services import delivery_lookup_register
        from groundswell.mailings.bounces.webhooks import tracking_event_receive
        from groundswell.mailings.services import (
            AUDIT_CONTROL,
            AUDIT_SEND,
            AUDIT_TEST,
            delivery_address_for,
        )

        for code, label in (
            (AUDIT_SEND, "Mailing sent or scheduled"),
            (AUDIT_CONTROL, "Mailing paused, resumed or cancelled"),
            (AUDIT_TEST, "Mailing test sent"),
        ):
            audit_action_register(code, label)
        from groundswell.mailings.abtests.services import AUDIT_ACTIONS as ABTEST_AUDIT_ACTIONS

        for code, label in ABTEST_AUDIT_ACTIONS:
            audit_action_register(code, label)
        from groundswell.mailings.welcome.services import AUDIT_WELCOME

        audit_action_register(AUDIT_WELCOME, "Welcome series changed, activated or paused")
        # anymail delivers tracking events only through its signal (a library's API, not
        # ours): one receiver turns providers' bounces and complaints into consent changes.
        tracking.connect(tracking_event_receive, dispatch_uid="groundswell.mailings.bounces")
        # A bounce or complaint that carries our delivery token is tied to the address that
        # delivery went to (the send ledger), not to whatever address the report names.
        delivery_lookup_register(delivery_address_for)
        # E-mail engagement for segments: mailings owns the data, segments never imports it.
        from groundswell.mailings.conditions import register as conditions_register

        conditions_register()
        # The person page lists the mailings a person was sent and what they did with them.
        from groundswell.mailings.views import person_mailings_panel
        from groundswell.people.extensions import person_panel_register

        person_panel_register(
            "mailings",
            template="mailings/_person_mailings.html",
            context=person_mailings_panel,
            column="activity",
            order=90,
        )
        # Where mail went and what a person opened goes when they ask to be erased.
        from groundswell.mailings.erasure import person_erase
        from groundswell.people.extensions import person_removal_register

        person_removal_register("mailings", erase=person_erase)
