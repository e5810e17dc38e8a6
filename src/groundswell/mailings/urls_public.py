from django.urls import path

from groundswell.mailings import views_public, views_tracking

app_name = "mailings_public"

urlpatterns = [
    path("u/<str:token>", views_public.unsubscribe, name="unsubscribe"),
    path("m/o/<str:token>/<str:sig>.gif", views_tracking.open_pixel, name="open"),
    path("m/c/<str:token>/<str:link_id>/<str:sig>/", views_tracking.click, name="click"),
]
