"""Webhook set-up for finance staff: generate and revoke credentials, read the delivery log."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from groundswell.accounts.permissions import capability_required, client_ip
from groundswell.accounts.roles import FINANCE_VIEW
from groundswell.core.pagination import paginate
from groundswell.donations.intake.webhook_auth import (
    webhook_credential_create,
    webhook_credential_revoke,
)
from groundswell.donations.models import Processor, WebhookCredential, WebhookDelivery

# The sources whose webhooks authenticate with credentials we issue (Stripe signs instead).
BASIC_AUTH_SOURCES = [Processor.ACTBLUE]


def _context(request, **extra):
    status = request.GET.get("status", "")
    deliveries = WebhookDelivery.objects.order_by("-received_at", "-id")
    if status in WebhookDelivery.Status.values:
        deliveries = deliveries.filter(status=status)
    page = paginate(deliveries.defer("body"), request.GET.get("page"), per_page=50)
    params = request.GET.copy()
    params.pop("page", None)
    return {
        "credentials": WebhookCredential.objects.select_related("created_by").filter(
            source__in=BASIC_AUTH_SOURCES
        ),
        "endpoint": request.build_absolute_uri(reverse("donations_webhooks:actblue")),
        "env_username": settings.ACTBLUE_WEBHOOK_USERNAME,
        "entity_id": settings.GROUNDSWELL_COMMITTEE_ENTITY_ID,
        "page": page,
        "status": status,
        "statuses": WebhookDelivery.Status.choices,
        "querystring": params.urlencode(),
        **extra,
    }


@capability_required(FINANCE_VIEW)
def webhook_settings(request):
    """Credentials for ActBlue's webhook, and every delivery with what was refused and why."""
    return render(request, "donations/settings/webhooks.html", _context(request))


@never_cache
@capability_required(FINANCE_VIEW)
@require_POST
def credential_create(request):
    """Generate credentials; the secret is in this one response and nowhere else."""
    credential, secret = webhook_credential_create(
        source=Processor.ACTBLUE, user=request.user, ip_address=client_ip(request)
    )
    return render(
        request,
        "donations/settings/webhooks.html",
        _context(request, new_credential=credential, new_secret=secret),
    )


@capability_required(FINANCE_VIEW)
@require_POST
def credential_revoke(request, pk: int):
    credential = get_object_or_404(WebhookCredential, pk=pk)
    webhook_credential_revoke(
        credential=credential, user=request.user, ip_address=client_ip(request)
    )
    messages.success(
        request,
        f"Revoked {credential.username}. Deliveries that use it are now refused with 401.",
    )
    return redirect("donations:webhook_settings")


@capability_required(FINANCE_VIEW)
def delivery_detail(request, pk: int):
    delivery = get_object_or_404(WebhookDelivery, pk=pk)
    return render(
        request,
        "donations/settings/delivery.html",
        {"delivery": delivery, "contributions": delivery.contributions.all()[:100]},
    )
