"""Analytics dashboards, at /analytics/ (namespace "analytics")."""

from django.urls import include, path

from groundswell.analytics import views, views_people
from groundswell.analytics.places.views import donor_places
from groundswell.analytics.sources import views as sources_views

app_name = "analytics"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("donors/", views.donors, name="donors"),
    # Before donors/<kind>/, which would otherwise take "places" for a kind.
    path("donors/places/", donor_places, name="donor_places"),
    path("donors/<slug:kind>/", views.donor_changes, name="donor_changes"),
    path("csv/<slug:chart>/", views.chart_csv, name="chart_csv"),
    path("people/", views_people.people, name="people"),
    path("lapsed/<slug:kind>/", views.lapsed, name="lapsed"),
    path("lapsed/<slug:kind>/segment/", views.lapsed_segment, name="lapsed_segment"),
    path("sources/", sources_views.sources_page, name="sources"),
    path("sources/spend/", sources_views.spend_list, name="spend_list"),
    path("sources/spend/<int:pk>/delete/", sources_views.spend_delete, name="spend_delete"),
    path("audiences/", include("groundswell.analytics.audiences.urls")),
    path("amplify/", include("groundswell.analytics.amplify.urls")),
    path("planning/", include("groundswell.analytics.planning.urls")),
]
