"""HAL+JSON as Action Network's API v2 (OSDI) writes it: links, curies, paged collections.

A tool written for Action Network reads a collection's items from ``_embedded["osdi:<name>"]``,
follows ``_links.next`` until it is absent, and takes an item's id from its ``identifiers``
("groundswell:<id>" here, as "action_network:<uuid>" there).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from django.http import HttpResponse
from django.urls import reverse

logger = logging.getLogger("groundswell.api")

CONTENT_TYPE = "application/hal+json"
SYSTEM = "groundswell"
DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 100


def identifier(pk: int) -> str:
    return f"{SYSTEM}:{pk}"


def href(request, name: str, *args) -> dict:
    return {"href": request.build_absolute_uri(reverse(f"api:{name}", args=args))}


def curies(request) -> list[dict]:
    docs = request.build_absolute_uri(reverse("api:docs")) + "#{rel}"
    return [{"name": "osdi", "href": docs, "templated": True}]


def date(moment: datetime | None) -> str | None:
    """OSDI's dates: UTC, to the second, with a Z."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def respond(data: dict, status: int = 200) -> HttpResponse:
    return HttpResponse(
        json.dumps(data, ensure_ascii=False, default=str),
        status=status,
        content_type=CONTENT_TYPE,
    )


def error(request, status: int, message: str, **extra) -> HttpResponse:
    """An error as Action Network answers one (``{"error": ...}``), logged with who asked."""
    key = getattr(request, "api_key", None)
    logger.warning(
        "API %s %s refused %s: %s (key %s)",
        request.method,
        request.path,
        status,
        message,
        key.prefix if key is not None else "-",
    )
    return respond({"error": message, **extra}, status)


def total_pages(total: int, per_page: int) -> int:
    """How many pages ``total`` records fill (one, however few)."""
    return max(1, -(-total // per_page))


def collection(
    request, *, name: str, page: int, per_page: int, total: int, items: list[dict]
) -> dict:
    """Page ``page`` (already within the pages there are) of a collection, with next and
    previous links that keep the request's query."""
    pages = total_pages(total, per_page)
    links: dict = {
        "self": _page_href(request, page),
        "osdi:" + name: [item["_links"]["self"] for item in items],
        "curies": curies(request),
    }
    if page < pages:
        links["next"] = _page_href(request, page + 1)
    if page > 1:
        links["previous"] = _page_href(request, page - 1)
    return {
        "total_pages": pages,
        "per_page": per_page,
        "page": page,
        "total_records": total,
        "_links": links,
        "_embedded": {"osdi:" + name: items},
    }


def _page_href(request, page: int) -> dict:
    query = request.GET.copy()
    query["page"] = str(page)
    return {"href": request.build_absolute_uri(request.path) + "?" + query.urlencode()}
