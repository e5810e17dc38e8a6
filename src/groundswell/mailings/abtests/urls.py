"""A/B test pages of a mailing, spliced into mailings/urls.py (so their names are in the
``mailings`` namespace, ``mailings:abtest``, and each route carries its own ``pk``)."""

from django.urls import path

from groundswell.mailings.abtests import views

urlpatterns = [
    path("<int:pk>/abtest/", views.abtest_page, name="abtest"),
    path("<int:pk>/abtest/start/", views.abtest_start, name="abtest_start"),
    path("<int:pk>/abtest/cancel/", views.abtest_cancel, name="abtest_cancel"),
]
