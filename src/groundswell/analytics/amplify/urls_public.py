"""The public tracked link, at /s/<code>/ (namespace "amplify_public"): no login."""

from django.urls import path

from groundswell.analytics.amplify import views

app_name = "amplify_public"

urlpatterns = [path("<str:code>/", views.follow, name="follow")]
