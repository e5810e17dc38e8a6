"""Server-side permission checks for views."""

from __future__ import annotations

import ipaddress
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied


def capability_required(capability: str):
    """Require a logged-in user whose role grants ``capability`` (403 otherwise)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.can(capability):
                raise PermissionDenied(f"Your role does not allow {capability}.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def client_ip(request) -> str | None:
    """The visitor's address: behind N trusted proxies, the Nth address from the right of
    X-Forwarded-For (what the nearest trusted proxy saw); otherwise the socket's peer.

    Rate limits and consent records depend on it, so a client-supplied header is only
    believed as far as GROUNDSWELL_PROXY_HOPS says proxies of ours added to it.
    """
    from django.conf import settings

    hops = settings.GROUNDSWELL_PROXY_HOPS
    if hops:
        forwarded = [
            a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()
        ]
        if len(forwarded) >= hops:
            candidate = forwarded[-hops]
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                pass
    return request.META.get("REMOTE_ADDR") or None
