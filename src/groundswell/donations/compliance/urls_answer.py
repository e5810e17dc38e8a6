"""The public page where a donor answers a best-efforts request, at /donor-info/<token>/."""

from django.urls import path

from groundswell.donations.compliance import views as views_compliance

app_name = "donor_info"
urlpatterns = [
    path("<str:token>/", views_compliance.donor_info_answer, name="answer"),
]
