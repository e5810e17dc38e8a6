"""Public donation pages, at /donate/<slug>/."""

from django.urls import path

from groundswell.donations.pages import views_public as views_donate

app_name = "donate"
urlpatterns = [
    path("", views_donate.donate_index, name="index"),
    path(
        "recurring/<str:signed>/cancel/",
        views_donate.donor_recurring_cancel,
        name="recurring_cancel",
    ),
    path("<slug:slug>/", views_donate.donate_page, name="page"),
    path("<slug:slug>/finish/<str:key>/", views_donate.donate_finish, name="finish"),
    path("<slug:slug>/thanks/", views_donate.donate_thanks, name="thanks_plain"),
    path("<slug:slug>/thanks/<str:signed>/", views_donate.donate_thanks, name="thanks"),
]
