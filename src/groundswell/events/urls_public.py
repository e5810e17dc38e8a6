from django.urls import path

from groundswell.events import views_public as views

app_name = "events"
urlpatterns = [
    path("", views.event_list, name="list"),
    path("attendance/<str:token>/", views.attendance, name="attendance"),
    path("<slug:slug>/", views.event_detail, name="detail"),
    path("<slug:slug>/thanks/", views.thanks, name="thanks_plain"),
    path("<slug:slug>/thanks/<str:signed>/", views.thanks, name="thanks"),
]
