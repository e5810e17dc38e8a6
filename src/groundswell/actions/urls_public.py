from django.urls import path
from django.views.generic import RedirectView

app_name = "public"
# Until the public home page exists, the root leads staff to the supporter list.
urlpatterns: list = [
    path("", RedirectView.as_view(pattern_name="people:list", permanent=False), name="home"),
]
