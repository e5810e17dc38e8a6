from django.urls import path

from groundswell.actions import views_public as views

app_name = "public"
urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("platform/", views.platform, name="platform"),
    path("site/logo", views.logo, name="logo"),
    path("a/<slug:slug>/", views.action_page, name="page"),
    path("a/<slug:slug>/thanks/", views.thanks, name="thanks_plain"),
    path("a/<slug:slug>/thanks/<str:signed>/", views.thanks, name="thanks"),
]
