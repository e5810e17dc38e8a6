from django.urls import include, path

from groundswell.mailings import views, views_preview
from groundswell.mailings.abtests import urls as abtest_urls

app_name = "mailings"

urlpatterns = [
    path("", views.mailing_list, name="list"),
    path("new/", views.mailing_edit, name="create"),
    path("senders/", views.sender_list, name="senders"),
    path("senders/<int:pk>/", views.sender_list, name="sender_edit"),
    path("<int:pk>/", views.mailing_detail, name="detail"),
    path("<int:pk>/edit/", views.mailing_edit, name="edit"),
    path("<int:pk>/progress/", views.mailing_progress, name="progress"),
    path("<int:pk>/test/", views.mailing_test, name="test"),
    path("<int:pk>/preview/", views_preview.mailing_preview_page, name="preview"),
    path("welcome/", include("groundswell.mailings.welcome.urls")),
    path("<int:pk>/send/", views.mailing_send, name="send"),
    *abtest_urls.urlpatterns,
    path("<int:pk>/<str:action>/", views.mailing_control, name="control"),
]
