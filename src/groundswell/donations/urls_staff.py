"""Staff pages for money, under /finance/ (finance and admin roles), one module per area."""

from django.urls import include, path

app_name = "donations"
urlpatterns = [
    path("", include("groundswell.donations.urls_finance")),
    path("", include("groundswell.donations.urls_compliance")),
    path("pages/", include("groundswell.donations.urls_pages")),
    path("recurring/", include("groundswell.donations.urls_recurring")),
    path("webhooks/", include("groundswell.donations.urls_settings")),
]
