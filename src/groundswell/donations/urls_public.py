"""Public donation pages, at /donate/<slug>/."""

app_name = "donate"
urlpatterns = []
