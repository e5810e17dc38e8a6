"""Analytics dashboards, at /analytics/ (namespace "analytics")."""

from django.urls import include, path

from groundswell.analytics import views

app_name = "analytics"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("lapsed/<slug:kind>/", views.lapsed, name="lapsed"),
    path("amplify/", include("groundswell.analytics.amplify.urls")),
]
