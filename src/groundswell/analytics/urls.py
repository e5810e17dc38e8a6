"""Analytics dashboards, at /analytics/ (namespace "analytics")."""

from django.urls import include, path

from groundswell.analytics import views, views_people

app_name = "analytics"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("people/", views_people.people, name="people"),
    path("lapsed/<slug:kind>/", views.lapsed, name="lapsed"),
    path("lapsed/<slug:kind>/segment/", views.lapsed_segment, name="lapsed_segment"),
    path("audiences/", include("groundswell.analytics.audiences.urls")),
    path("amplify/", include("groundswell.analytics.amplify.urls")),
]
