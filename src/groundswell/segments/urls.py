from django.urls import path

from groundswell.segments import views

app_name = "segments"

urlpatterns = [
    path("", views.segment_list, name="list"),
    path("new/", views.segment_new, name="new"),
    path("preview/", views.segment_preview, name="preview"),
    path("<int:pk>/", views.segment_detail, name="detail"),
    path("<int:pk>/count/", views.segment_count_fragment, name="count"),
    path("<int:pk>/duplicate/", views.segment_duplicate, name="duplicate"),
    path("<int:pk>/delete/", views.segment_delete, name="delete"),
    path("<int:pk>/snapshot/", views.segment_snapshot, name="snapshot"),
    path("<int:pk>/export.csv", views.segment_export, name="export"),
]
