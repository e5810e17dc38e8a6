"""Staff URLs (settings); included by urls_staff under the "donations" namespace."""

urlpatterns = []
