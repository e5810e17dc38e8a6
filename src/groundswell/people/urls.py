from django.urls import path

from groundswell.people import views

app_name = "people"
urlpatterns = [
    path("", views.person_list, name="list"),
]
