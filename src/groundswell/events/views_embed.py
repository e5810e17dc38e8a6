"""The events widget another website embeds: ``/events/embed/`` (an iframe page) and
``/events/embed.js`` (a one-line loader that puts that iframe on the page and sizes it).

Only the iframe page may be framed, and only by the origins the staff allowed for the pop-up
(``CampaignSite.embed_origins``): it answers ``frame-ancestors`` with exactly those, and every
other page keeps ``X-Frame-Options: DENY``. It shows what the public list shows (published,
public, upcoming events; never unlisted or private ones) in the campaign's colours, and its links
open in the top window: the visitor signs up on our own page, with our CSRF and cookies, never
inside someone else's frame. It sets no cookie and reads no session.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlencode

from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_http_methods

from groundswell.actions.services import site_get
from groundswell.actions.site import page_render, params_clean
from groundswell.core.views import embedded_script_response
from groundswell.events import selectors
from groundswell.events.choices import EventType

logger = logging.getLogger(__name__)

LOADER_PATH = Path(__file__).resolve().parent / "static" / "events" / "embed.js"
# How many events the widget lists; the last link opens the whole list with the same search.
WIDGET_EVENTS = 10


def frame_ancestors() -> str:
    """The CSP source list of who may frame the widget: this site and the allowed origins.

    The origins were validated as scheme://host[:port] when staff saved them; anything else
    (a space, a quote, a semicolon) is dropped here too, so it cannot add a directive.
    """
    allowed = sorted(
        o for o in site_get().allowed_origins if o.isascii() and not set(o) & set(" ;,'\"\\")
    )
    return " ".join(["'self'", *allowed])


@xframe_options_exempt
@require_http_methods(["GET", "HEAD"])
def widget(request):
    params = params_clean(request.GET)
    search = selectors.search_clean(params)
    events = list(selectors.events_public(user=request.user, search=search)[: WIDGET_EVENTS + 1])
    more = len(events) > WIDGET_EVENTS
    events = events[:WIDGET_EVENTS]
    selectors.rows_with_shifts(events=events)
    query = {
        "zip": search.zip_code,
        "miles": str(search.miles) if search.zip_code else "",
        "type": search.event_type,
    }
    context = {
        "events": events,
        "more": more,
        "search": search,
        "type_label": dict(EventType.choices).get(search.event_type, ""),
        "query": urlencode({k: v for k, v in query.items() if v}),
    }
    response = page_render(request, "events/public/embed.html", context)
    response["Content-Security-Policy"] = f"frame-ancestors {frame_ancestors()}"
    # A few minutes' caching spares the database when a busy site shows the widget; a staff
    # change (a new event, an origin) shows within that time.
    response["Cache-Control"] = "public, max-age=120"
    return response


@require_http_methods(["GET", "HEAD"])
def loader(request):
    """The loader script: public, cacheable, readable from any origin (like the pop-up's)."""
    return embedded_script_response(request, LOADER_PATH)


def snippets(request) -> dict[str, str]:
    """What staff paste into another site: the script tag, or a plain iframe without script."""
    origin = request.build_absolute_uri("/").rstrip("/")
    return {
        "script": f'<script src="{origin}/events/embed.js" data-type="" data-zip="" '
        'data-miles="" async></script>',
        "iframe": f'<iframe src="{origin}/events/embed/" title="Upcoming events" '
        'style="width:100%;height:600px;border:0" loading="lazy"></iframe>',
    }
