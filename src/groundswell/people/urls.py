from django.urls import path

from groundswell.people import views, views_cleanup, views_import

app_name = "people"
urlpatterns = [
    path("", views.person_list, name="list"),
    path("export.csv", views.person_export, name="export"),
    path("<int:pk>/", views.person_detail, name="detail"),
    path("<int:pk>/edit/", views.person_edit, name="edit"),
    path("<int:pk>/emails/add/", views.person_email_add, name="email_add"),
    path("<int:pk>/phones/add/", views.person_phone_add, name="phone_add"),
    path("<int:pk>/addresses/add/", views.person_address_add, name="address_add"),
    path("emails/<int:email_id>/status/", views.email_status_change, name="email_status"),
    path("phones/<int:phone_id>/sms/", views.phone_sms_change, name="phone_sms"),
    path("<int:pk>/tags/add/", views.person_tag_add, name="tag_add"),
    path("<int:pk>/tags/<int:tag_id>/remove/", views.person_tag_remove, name="tag_remove"),
    path("<int:pk>/merge/", views.person_merge_pick, name="merge_pick"),
    path("<int:pk>/merge/<int:other_pk>/", views.person_merge_compare, name="merge_compare"),
    path("merges/<int:merge_id>/undo/", views.person_merge_undo, name="merge_undo"),
    path(
        "<int:pk>/<str:kind>/<int:contact_id>/delete/",
        views_cleanup.contact_delete,
        name="contact_delete",
    ),
    path(
        "<int:pk>/<str:kind>/<int:contact_id>/primary/",
        views_cleanup.contact_primary,
        name="contact_primary",
    ),
    path("<int:pk>/remove/", views_cleanup.person_remove, name="remove"),
    path("bulk/", views_cleanup.people_bulk, name="bulk"),
    path("imports/", views_import.import_list, name="import_list"),
    path("imports/new/", views_import.import_upload, name="import_upload"),
    path("imports/<int:job_id>/", views_import.import_job, name="import_job"),
    path("imports/<int:job_id>/mapping/", views_import.import_mapping, name="import_mapping"),
    path("imports/<int:job_id>/progress/", views_import.import_progress, name="import_progress"),
    path("imports/<int:job_id>/resume/", views_import.import_resume, name="import_resume"),
    path(
        "imports/<int:job_id>/errors.csv", views_import.import_errors_csv, name="import_errors_csv"
    ),
]
