"""The staff home, at /home/ (namespace "home"): where staff land after logging in."""

from django.urls import path

from groundswell.home import views

app_name = "home"

urlpatterns = [
    path("", views.home, name="index"),
]
