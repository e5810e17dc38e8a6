from django.urls import path

from groundswell.donations import views

app_name = "donations_webhooks"
urlpatterns = [
    path("actblue/", views.actblue_webhook, name="actblue"),
]
