"""The Content-Security-Policy of the staff pages (django-csp), and only of those.

Staff pages load nothing but the application's own scripts and styles, so an injected
`<script>`, `onerror=` or script from another site does not run where supporters' data is
shown. The public pages are left out on purpose: the campaign's site has inline scripts and
styles, loads Stripe.js on donation pages and is embedded elsewhere (the pop-up).
"""

from __future__ import annotations

from csp.middleware import CSPMiddleware
from django.conf import settings


class StaffCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, applied to the paths under GROUNDSWELL_STAFF_PATHS."""

    def process_response(self, request, response):
        if not request.path_info.startswith(tuple(settings.GROUNDSWELL_STAFF_PATHS)):
            return response
        return super().process_response(request, response)
