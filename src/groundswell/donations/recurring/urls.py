"""Staff URLs (recurring); included by urls_staff under the "donations" namespace."""

from django.urls import path

from groundswell.donations.recurring import views as views_recurring

urlpatterns = [
    path("", views_recurring.recurring_list, name="recurring_list"),
    path("<int:pk>/", views_recurring.recurring_detail, name="recurring_detail"),
    path("<int:pk>/cancel/", views_recurring.recurring_cancel, name="recurring_cancel"),
]
