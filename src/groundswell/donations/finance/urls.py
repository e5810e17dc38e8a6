"""Finance overview, contributions, donors and exports; included by urls_staff."""

from django.urls import path

from groundswell.donations.finance import views as views_finance

urlpatterns = [
    path("", views_finance.finance_home, name="finance_home"),
    path("contributions/", views_finance.contribution_list, name="contribution_list"),
    path("other-receipts/", views_finance.other_receipts, name="other_receipts"),
    path("contributions/<int:pk>/", views_finance.contribution_detail, name="contribution_detail"),
    path(
        "contributions/<int:pk>/refund/",
        views_finance.contribution_refund,
        name="contribution_refund",
    ),
    # path: a donor key is free text from the intake paths and may hold a slash.
    path("donors/<path:donor>/", views_finance.donor_detail, name="donor_detail"),
    path(
        "exports/contributions.csv",
        views_finance.export_contributions,
        name="export_contributions",
    ),
    path("exports/schedule-a/", views_finance.export_schedule_a, name="export_schedule_a"),
]
