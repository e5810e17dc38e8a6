"""Staff URLs (recurring); included by urls_staff under the "donations" namespace."""

urlpatterns = []
