"""htmx on staff pages: whether a request wants a fragment, and links that change one filter."""

from __future__ import annotations


def fragment_requested(request) -> bool:
    """An htmx request that wants part of a page (a history restore wants the whole page)."""
    return bool(
        request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request")
    )


def querystring(request, **changes) -> str:
    """The request's query string with ``changes`` applied (a None value removes the name)."""
    params = request.GET.copy()
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return params.urlencode()
