"""The one page the kernel answers itself: /favicon.ico, which browsers ask for on every site."""

from __future__ import annotations

from pathlib import Path

from django.http import HttpResponse
from django.views.decorators.http import require_GET

_FAVICON = Path(__file__).parent / "static" / "core" / "favicon.ico"


@require_GET
def favicon(request):
    # Pages name the static copy in <link rel="icon">; this answers browsers and crawlers that
    # ask at the root anyway, instead of a 404 in every log.
    response = HttpResponse(_FAVICON.read_bytes(), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response
