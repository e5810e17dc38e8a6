from django.apps import AppConfig


class MailingsConfig(AppConfig):
    name = "groundswell.mailings"
    label = "mailings"
    verbose_name = "Mailings"

    # ---- bounces and complaints from provider webhooks (mailings.bounces) ----
    # anymail delivers tracking events only through its signal (a library's API, not ours):
    # one receiver turns bounces and complaints into consent changes.
    def ready(self):
        from anymail.signals import tracking

        from groundswell.mailings.bounces.webhooks import tracking_event_receive

        tracking.connect(tracking_event_receive, dispatch_uid="groundswell.mailings.bounces")
