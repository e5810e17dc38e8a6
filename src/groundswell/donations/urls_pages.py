"""Staff URLs (pages); included by urls_staff under the "donations" namespace."""

urlpatterns = []
