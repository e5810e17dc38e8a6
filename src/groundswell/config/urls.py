from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="people:list", permanent=False)),
    path("admin/", admin.site.urls),
    path("accounts/", include("groundswell.accounts.urls")),
    path("people/", include("groundswell.people.urls")),
]
