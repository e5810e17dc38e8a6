from django.urls import path

from groundswell.mailings import views_public

app_name = "mailings_public"

urlpatterns = [
    path("u/<str:token>", views_public.unsubscribe, name="unsubscribe"),
]
