"""Staff page for admins: issue API keys (the secret shown once) and revoke them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from groundswell.accounts.permissions import capability_required, client_ip
from groundswell.accounts.roles import USERS_MANAGE
from groundswell.api.forms import ApiKeyForm
from groundswell.api.models import ApiKey
from groundswell.api.services import api_key_create, api_key_revoke
from groundswell.core.pagination import paginate


def _render(request, form: ApiKeyForm, status: int = 200, **extra):
    keys = ApiKey.objects.select_related("user", "created_by").order_by(
        "revoked_at", "-created_at", "-id"
    )
    return render(
        request,
        "api/keys.html",
        {
            "form": form,
            "page": paginate(keys, request.GET.get("page"), per_page=50),
            "entry": request.build_absolute_uri(reverse("api:entry")),
            "docs": reverse("api:docs"),
            **extra,
        },
        status=status,
    )


@capability_required(USERS_MANAGE)
def key_list(request):
    return _render(request, ApiKeyForm(initial={"user": request.user.pk}))


@never_cache
@capability_required(USERS_MANAGE)
@require_POST
def key_create(request):
    """Issue a key; its secret is in this one response and nowhere else."""
    form = ApiKeyForm(request.POST)
    if form.is_valid():
        try:
            key, secret = api_key_create(
                name=form.cleaned_data["name"],
                user=form.cleaned_data["user"],
                actor=request.user,
                ip_address=client_ip(request),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _render(
                request,
                ApiKeyForm(initial={"user": request.user.pk}),
                new_key=key,
                new_secret=secret,
            )
    return _render(request, form, status=400)


@capability_required(USERS_MANAGE)
@require_POST
def key_revoke(request, pk: int):
    key = get_object_or_404(ApiKey, pk=pk)
    api_key_revoke(key=key, actor=request.user, ip_address=client_ip(request))
    messages.success(
        request, f"Revoked “{key.name}”. Requests that present it are now refused with 401."
    )
    return redirect("api:keys")
