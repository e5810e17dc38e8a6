"""Staff pages for money, under /finance/ (finance and admin roles), one module per area."""

from django.urls import include, path

app_name = "donations"
urlpatterns = [
    path("", include("groundswell.donations.finance.urls")),
    path("", include("groundswell.donations.compliance.urls")),
    path("pages/", include("groundswell.donations.pages.urls_staff")),
    path("recurring/", include("groundswell.donations.recurring.urls")),
    path("webhooks/", include("groundswell.donations.intake.urls_settings")),
]
