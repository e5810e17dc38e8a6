"""Provider webhooks for bounces and complaints, mounted by config/urls.py:

    path("webhooks/mail/", include("groundswell.mailings.bounces.urls")),

giving e.g. /webhooks/mail/postmark/tracking/, /webhooks/mail/sendgrid/tracking/,
/webhooks/mail/amazon_ses/tracking/, /webhooks/mail/mailgun/tracking/ (anymail's paths; only
its tracking webhooks: we read no inbound mail through providers).
"""

from __future__ import annotations

from anymail.urls import urlpatterns as anymail_patterns
from django.urls import URLPattern, path

from groundswell.mailings.bounces.views import webhook_guarded

app_name = "mail_webhooks"

# Providers whose webhook needs nothing beyond the Basic credentials (Mailgun: and its signing
# key). Others (MailerSend, Resend, Postal, Mandrill, …) need their own secret settings first.
PROVIDERS = {"amazon_ses", "brevo", "mailgun", "mailjet", "postmark", "sendgrid", "sparkpost"}


def _tracking_patterns() -> list[URLPattern]:
    patterns = []
    for pattern in anymail_patterns:
        route = str(pattern.pattern)
        if not isinstance(pattern, URLPattern) or not route.endswith("/tracking/"):
            continue
        provider = route.split("/", 1)[0]
        if provider not in PROVIDERS:
            continue
        patterns.append(
            path(route, webhook_guarded(pattern.callback, provider=provider), name=pattern.name)
        )
    return patterns


urlpatterns = _tracking_patterns()
