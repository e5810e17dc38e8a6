"""Message planning, at /analytics/planning/ (namespace "analytics:planning")."""

from django.urls import path

from groundswell.analytics.planning import views

app_name = "planning"

urlpatterns = [
    path("", views.planning, name="planning"),
]
