"""What the kernel answers itself: /favicon.ico, and the response every embeddable script shares."""

from __future__ import annotations

import hashlib
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


# A script other sites load (the pop-up's, the events widget's): read once per process.
_scripts: dict[Path, tuple[bytes, str]] = {}


def embedded_script_response(request, path: Path) -> HttpResponse:
    """A public script for other sites: cacheable, revalidated by ETag, readable from any origin."""
    if path not in _scripts:
        body = path.read_bytes()
        _scripts[path] = (body, f'"{hashlib.sha256(body).hexdigest()[:32]}"')
    body, etag = _scripts[path]
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["ETag"] = etag
    # Short: the URL is not versioned, and a fix must reach every campaign site soon.
    response["Cache-Control"] = "public, max-age=600"
    response["Access-Control-Allow-Origin"] = "*"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response
