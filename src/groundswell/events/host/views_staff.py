"""The organizers' view of a hosted event's host link and the host's messages: who hosts it,
whether their link is live, what they sent the attendees in the campaign's name; revoke the
link, or send the host a new one. Reading needs EVENTS_VIEW; changes need EVENTS_MANAGE."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from groundswell.accounts.permissions import capability_required, client_ip
from groundswell.accounts.roles import EVENTS_MANAGE, EVENTS_VIEW, PEOPLE_VIEW
from groundswell.events.host import services as host
from groundswell.events.models import Event


@capability_required(EVENTS_VIEW)
def host_detail(request, pk: int):
    event = get_object_or_404(Event.objects.select_related("host"), pk=pk)
    context = {
        "event": event,
        "keys": event.host_keys.all()[:20],
        "sent": event.host_messages.all()[:50],
        "can_manage": request.user.can(EVENTS_MANAGE),
        "can_view_people": request.user.can(PEOPLE_VIEW),
    }
    return render(request, "events/staff/host.html", context)


@capability_required(EVENTS_MANAGE)
@require_POST
def host_revoke(request, pk: int):
    event = get_object_or_404(Event, pk=pk)
    closed = host.host_link_revoke(event=event, actor=request.user, ip_address=client_ip(request))
    messages.success(request, f"Closed {closed} host link{'s' if closed != 1 else ''}.")
    return redirect("events_staff:host", pk=event.pk)


@capability_required(EVENTS_MANAGE)
@require_POST
def host_resend(request, pk: int):
    event = get_object_or_404(Event, pk=pk)
    if host.host_link_resend(event=event, actor=request.user, ip_address=client_ip(request)):
        messages.success(request, "The old link is closed; the host has been sent a new one.")
    else:
        messages.error(
            request,
            "No new link was sent: the event needs to be published and its host to have an "
            "e-mail address that takes mail. Any old link is closed.",
        )
    return redirect("events_staff:host", pk=event.pk)
