from django.contrib import admin
from django.urls import include, path

from groundswell.core.views import favicon

urlpatterns = [
    path("favicon.ico", favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("accounts/", include("groundswell.accounts.urls")),
    path("home/", include("groundswell.home.urls")),
    path("people/", include("groundswell.people.urls")),
    path("pages/", include("groundswell.actions.urls_staff")),
    path("finance/", include("groundswell.donations.urls_staff")),
    path("donate/", include("groundswell.donations.pages.urls_public")),
    path("webhooks/", include("groundswell.donations.intake.urls_webhooks")),
    path("webhooks/mail/", include("groundswell.mailings.bounces.urls")),
    path("donor-info/", include("groundswell.donations.compliance.urls_answer")),
    path("identity/", include("groundswell.identity.urls")),
    path("segments/", include("groundswell.segments.urls")),
    path("mailings/", include("groundswell.mailings.urls")),
    path("organize/", include("groundswell.events.urls_staff")),
    path("analytics/", include("groundswell.analytics.urls")),
    # The Action Network v2 / OSDI compatible API (/api/v2/) and its keys (/api/keys/).
    path("api/", include("groundswell.api.urls")),
    path("events/", include("groundswell.events.urls_public")),
    # A volunteer's tracked share link (/s/<code>/): public, no login.
    path("s/", include("groundswell.analytics.amplify.urls_public")),
    # A mailing's one-click unsubscribe (/u/<token>): public, no login (RFC 8058).
    path("", include("groundswell.mailings.urls_public")),
    # The embeddable pop-up: /embed.js and its cross-origin endpoints.
    path("", include("groundswell.actions.urls_embed")),
    # The public campaign site: /, /about/, /platform/, /a/<slug>/ ...
    path("", include("groundswell.actions.urls_public")),
]
