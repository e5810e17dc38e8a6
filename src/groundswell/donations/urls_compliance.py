"""Staff URLs (compliance); included by urls_staff under the "donations" namespace."""

urlpatterns = []
