from django.urls import path

from groundswell.events import views_embed
from groundswell.events import views_public as views
from groundswell.events.host import views as views_host

app_name = "events"
urlpatterns = [
    path("", views.event_list, name="list"),
    path("embed/", views_embed.widget, name="embed"),
    path("embed.js", views_embed.loader, name="embed_script"),
    path("attendance/<str:token>/", views.attendance, name="attendance"),
    path("host/", views_host.host_propose, name="host_propose"),
    path("host/thanks/", views_host.host_thanks, name="host_thanks"),
    path("host/<str:token>/", views_host.host_page, name="host_page"),
    path("<slug:slug>/", views.event_detail, name="detail"),
    path("<slug:slug>/thanks/", views.thanks, name="thanks_plain"),
    path("<slug:slug>/thanks/<str:signed>/", views.thanks, name="thanks"),
]
