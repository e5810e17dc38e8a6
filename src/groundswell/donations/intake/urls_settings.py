"""Webhook set-up: credentials and the delivery log (at /finance/webhooks/)."""

from django.urls import path

from groundswell.donations.intake import views_settings

urlpatterns = [
    path("", views_settings.webhook_settings, name="webhook_settings"),
    path("credentials/", views_settings.credential_create, name="webhook_credential_create"),
    path(
        "credentials/<int:pk>/revoke/",
        views_settings.credential_revoke,
        name="webhook_credential_revoke",
    ),
    path("deliveries/<int:pk>/", views_settings.delivery_detail, name="webhook_delivery"),
]
