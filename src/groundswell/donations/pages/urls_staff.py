"""Staff URLs (pages); included by urls_staff under the "donations" namespace."""

from django.urls import path

from groundswell.donations.pages import views_staff as views_pages

urlpatterns = [
    path("", views_pages.page_list, name="donation_page_list"),
    path("new/", views_pages.page_create, name="donation_page_create"),
    path("<int:pk>/", views_pages.page_detail, name="donation_page_detail"),
    path("<int:pk>/edit/", views_pages.page_edit, name="donation_page_edit"),
    path("<int:pk>/publish/", views_pages.page_publish, name="donation_page_publish"),
]
