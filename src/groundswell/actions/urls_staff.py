from django.urls import path

from groundswell.actions import views_staff as views

app_name = "staff"
urlpatterns = [
    path("", views.page_list, name="page_list"),
    path("new/", views.page_create, name="page_create"),
    path("<int:pk>/", views.page_detail, name="page_detail"),
    path("<int:pk>/edit/", views.page_edit, name="page_edit"),
    path("<int:pk>/publish/", views.page_publish, name="page_publish"),
    path("<int:pk>/submissions/", views.page_submissions, name="page_submissions"),
    path("<int:pk>/questions/new/", views.question_create, name="question_create"),
    path("<int:pk>/questions/<int:question_id>/", views.question_edit, name="question_edit"),
    path(
        "<int:pk>/questions/<int:question_id>/delete/",
        views.question_delete,
        name="question_delete",
    ),
    path("<int:pk>/questions/<int:question_id>/move/", views.question_move, name="question_move"),
    path("<int:pk>/variants/new/", views.variant_create, name="variant_create"),
    path("<int:pk>/variants/<int:variant_id>/", views.variant_edit, name="variant_edit"),
    path("<int:pk>/variants/<int:variant_id>/toggle/", views.variant_toggle, name="variant_toggle"),
    path("<int:pk>/variants/<int:variant_id>/keep/", views.variant_keep, name="variant_keep"),
    path("site/", views.site_edit, name="site"),
    path("platform/", views.platform, name="platform"),
    path("platform/new/", views.position_create, name="position_create"),
    path("platform/<int:position_id>/", views.position_edit, name="position_edit"),
    path("platform/<int:position_id>/delete/", views.position_delete, name="position_delete"),
    path("platform/<int:position_id>/move/", views.position_move, name="position_move"),
    path(
        "people/<int:pk>/share-link/",
        views.person_share_link_make,
        name="person_share_link_make",
    ),
]
