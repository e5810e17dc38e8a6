"""Staff pages of the identity app, at /identity/ (namespace "identity")."""

from django.urls import path

from groundswell.identity import views_counts, views_goals, views_review

app_name = "identity"

urlpatterns = [
    path("", views_goals.progress_active, name="home"),
    path("donors/", views_counts.donor_counts, name="counts"),
    path("runs/start/", views_counts.run_start, name="run_start"),
    path("runs/status/", views_counts.run_status, name="run_status"),
    path("review/", views_review.review_queue, name="review"),
    path("review/<int:pk>/decide/", views_review.review_decide_view, name="review_decide"),
    path("goals/", views_goals.goal_list, name="goals"),
    path("goals/new/", views_goals.goal_edit, name="goal_create"),
    path("goals/<slug:slug>/", views_goals.goal_progress, name="progress"),
    path("goals/<slug:slug>/edit/", views_goals.goal_edit, name="goal_edit"),
    path("goals/<slug:slug>/delete/", views_goals.goal_delete, name="goal_delete"),
    path("goals/<slug:slug>/activate/", views_goals.goal_activate, name="goal_activate"),
]
