"""Amplify's staff pages, at /analytics/amplify/ (namespace "analytics:amplify")."""

from django.urls import path

from groundswell.analytics.amplify import views

app_name = "amplify"

urlpatterns = [
    path("", views.share_page, name="share_page"),
    path("share/<int:pk>/", views.share, name="share"),
    path("leaderboard/", views.leaderboard, name="leaderboard"),
    path("posts/", views.post_list, name="post_list"),
    path("posts/new/", views.post_create, name="post_create"),
    path("posts/<int:pk>/", views.post_edit, name="post_edit"),
    path("posts/<int:pk>/archive/", views.post_archive, name="post_archive"),
]
