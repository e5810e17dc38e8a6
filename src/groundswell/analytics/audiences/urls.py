"""Hashed ad audiences, at /analytics/audiences/ (namespace "analytics:audiences")."""

from django.urls import path

from groundswell.analytics.audiences import views

app_name = "audiences"

urlpatterns = [
    path("segment/<int:pk>/", views.segment_audience, name="segment"),
    path("segment/<int:pk>/<slug:platform>.csv", views.segment_audience_file, name="segment_file"),
    path("donors/", views.donor_seed, name="donors"),
    path("donors/<slug:platform>.csv", views.donor_seed_file, name="donors_file"),
]
