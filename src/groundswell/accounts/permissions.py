"""Server-side permission checks for views."""

from __future__ import annotations

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
    return request.META.get("REMOTE_ADDR") or None
