"""How an API request is let in: a key in the OSDI-API-Token header, its account's role, and
the bounds every body and parameter is read within."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.views.decorators.csrf import csrf_exempt

from groundswell.accounts.permissions import client_ip
from groundswell.actions.ratelimit import rate_hit
from groundswell.api import hal
from groundswell.api.services import api_key_authenticate
from groundswell.core.untrusted import JsonLimits, Refused, json_load

BODY_LIMITS = JsonLimits(max_bytes=64 * 1024, max_depth=8, max_string=10_000)


def _secret(request) -> str:
    # Action Network's header; a bearer token as well, for tools that only know that form.
    token = request.headers.get("OSDI-API-Token", "")
    if not token:
        scheme, _, value = request.headers.get("Authorization", "").partition(" ")
        token = value if scheme.lower() == "bearer" else ""
    return token.strip()


def api_view(**capabilities: str):
    """An API endpoint answering the methods named, each needing its capability:
    ``@api_view(GET=PEOPLE_EXPORT, POST=PEOPLE_EDIT)``.

    No cookie is read: a key, not a browser session, is the credential, so there is no
    cross-site request to forge and the view is exempt from CSRF."""

    def decorator(view):
        @csrf_exempt
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            secret = _secret(request)
            key = api_key_authenticate(secret) if secret else None
            if key is None:
                response = hal.error(
                    request,
                    401,
                    "Send a valid API key in the OSDI-API-Token header."
                    if not secret
                    else "This API key is not valid: it may have been revoked.",
                )
                response["WWW-Authenticate"] = 'Bearer realm="groundswell"'
                return response
            request.api_key = key
            request.user = key.user
            request.api_ip = client_ip(request)
            wait = rate_hit(
                f"api-key:{key.pk}", limit=settings.GROUNDSWELL_API_RATE_PER_MINUTE, window=60
            )
            if wait is not None:
                response = hal.error(
                    request, 429, f"Too many requests with this key; try again in {wait} seconds."
                )
                response["Retry-After"] = str(wait)
                return response
            capability = capabilities.get(request.method)
            if capability is None:
                response = hal.error(request, 405, f"{request.method} is not allowed here.")
                response["Allow"] = ", ".join(capabilities)
                return response
            if not key.user.can(capability):
                return hal.error(
                    request,
                    403,
                    f"This key's role ({key.user.get_role_display()}) may not do this.",
                )
            try:
                return view(request, *args, **kwargs)
            except Refused as exc:
                return hal.error(
                    request, 400, exc.reason, **({"field": exc.field} if exc.field else {})
                )

        # The OpenAPI document reads what each method needs from here (one definition).
        wrapper.api_capabilities = dict(capabilities)
        return wrapper

    return decorator


def body_read(request) -> object:
    """The request's JSON body, bounded; Refused (a 400) when it cannot be used."""
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isascii() or not length.isdigit():
        raise Refused("", "the Content-Length header is not a number")
    if int(length) > BODY_LIMITS.max_bytes:
        raise Refused("", f"the body is larger than {BODY_LIMITS.max_bytes:,} bytes")
    return json_load(request.body, limits=BODY_LIMITS)


def page_read(request) -> tuple[int, int]:
    """The page number and page size asked for (OSDI's ``page`` and ``per_page``)."""
    values = []
    for name, default, top in (
        ("page", 1, None),
        ("per_page", hal.DEFAULT_PER_PAGE, hal.MAX_PER_PAGE),
    ):
        text = request.GET.get(name, "")
        if not text:
            values.append(default)
            continue
        if not text.isascii() or not text.isdigit() or len(text) > 9 or int(text) < 1:
            raise Refused(name, "must be a whole number of 1 or more")
        values.append(min(int(text), top) if top else int(text))
    return values[0], values[1]
