"""The welcome series' pages, included by mailings/urls.py under welcome/ (names welcome_*)."""

from django.urls import path

from groundswell.mailings.views_preview import step_preview_page
from groundswell.mailings.welcome import views

urlpatterns = [
    path("", views.series_list, name="welcome_list"),
    path("new/", views.series_edit, name="welcome_create"),
    path("<int:pk>/", views.series_detail, name="welcome_detail"),
    path("<int:pk>/edit/", views.series_edit, name="welcome_edit"),
    path("<int:pk>/steps/new/", views.step_edit, name="welcome_step_create"),
    path("<int:pk>/steps/<int:step_pk>/", views.step_edit, name="welcome_step_edit"),
    path("<int:pk>/steps/<int:step_pk>/delete/", views.step_delete, name="welcome_step_delete"),
    path("<int:pk>/<str:action>/", views.series_control, name="welcome_control"),
    path("steps/<int:pk>/preview/", step_preview_page, name="welcome_step_preview"),
    path("steps/<int:pk>/test/", views.step_test, name="welcome_step_test"),
]
