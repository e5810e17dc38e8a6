"""Finance overview, contributions and exports; included by urls_staff."""

from django.urls import path

from groundswell.donations import views_finance

urlpatterns = [
    path("", views_finance.finance_home, name="finance_home"),
]
