from django.urls import path

from groundswell.donations.intake import views
from groundswell.donations.pages import views_stripe

app_name = "donations_webhooks"
urlpatterns = [
    path("actblue/", views.actblue_webhook, name="actblue"),
    path("stripe/", views_stripe.stripe_webhook, name="stripe"),
]
