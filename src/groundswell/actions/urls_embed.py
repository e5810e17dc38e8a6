from django.urls import path

from groundswell.actions import views_embed

app_name = "embed"
urlpatterns: list = [
    path("embed.js", views_embed.embed_script, name="script"),
    path("embed/<slug:slug>/config", views_embed.embed_config, name="config"),
    path("embed/<slug:slug>/submit", views_embed.embed_submit, name="submit"),
]
