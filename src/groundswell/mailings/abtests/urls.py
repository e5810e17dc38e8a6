"""A/B test pages, mounted by mailings/urls.py under ``<mailing pk>/abtest/`` (names join the
``mailings`` namespace: ``mailings:abtest``)."""

from django.urls import path

from groundswell.mailings.abtests import views

urlpatterns = [
    path("", views.abtest_page, name="abtest"),
    path("start/", views.abtest_start, name="abtest_start"),
    path("cancel/", views.abtest_cancel, name="abtest_cancel"),
]
