"""The public host-your-own pages: the proposal form, its thank-you, and the host page a host
link opens (one event's roster, check-in, a message to the attendees).

The host page is reached only by its token: an unknown, revoked or malformed token answers the
public 404, and every attendance it acts on is looked up through the key's event, so an id from
another event is not found either. It sends no Referer (the token is in the address) and is
never cached.
"""

from __future__ import annotations

import logging

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from groundswell.accounts.permissions import client_ip
from groundswell.actions.ratelimit import RateLimited, submission_rate_check
from groundswell.actions.site import honeypot_filled, page_not_found, page_render, params_clean
from groundswell.core.untrusted import whole_number
from groundswell.events.choices import AttendanceStatus, EventType
from groundswell.events.host import services as host
from groundswell.events.host.forms import PERSON_FIELDS, TIMEZONES, person_read, proposal_read
from groundswell.events.notices.messages import span_text
from groundswell.events.selectors_staff import received_pending
from groundswell.events.staff import MARKS, attendance_mark
from groundswell.events.views_public import form_fields

logger = logging.getLogger(__name__)

HOST_NOT_FOUND = "This host link does not work: it may have been mistyped or withdrawn."


def _posted(request):
    try:
        return params_clean(request.POST)
    except (TooManyFieldsSent, RequestDataTooBig) as exc:
        logger.info("host page refused a post from %s: %s", client_ip(request), exc)
        return None


# ---------------------------------------------------------------- proposing


def _propose_page(request, values, errors=None, status: int = 200):
    errors = errors or {}
    fields = form_fields(PERSON_FIELDS, values, errors)
    context = {
        "fields": fields,
        "values": values,
        "errors": errors,
        "error_list": [(f"f-{k}" if k != "form" else "", v) for k, v in errors.items()],
        "types": EventType.choices,
        "timezones": TIMEZONES,
        "online": values.get("where", "") == "online",
    }
    return page_render(request, "events/host/propose.html", context, status=status)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def host_propose(request):
    if request.method != "POST":
        return _propose_page(request, params_clean({}))
    data = _posted(request)
    if data is None:
        errors = {"form": "The form was too large to send; fill it in again."}
        return _propose_page(request, params_clean({}), errors, status=400)
    if honeypot_filled(data):
        logger.info("host proposal: honeypot filled from %s", client_ip(request))
        return redirect("events:host_thanks")
    person, errors = person_read(data)
    proposal, more = proposal_read(data)
    errors.update(more)
    if not errors:
        ip_address = client_ip(request)
        try:
            submission_rate_check(ip_address=ip_address, email=person["email"].lower())
            host.event_propose(person_data=person, proposal=proposal, ip_address=ip_address)
            return redirect("events:host_thanks")
        except host.ProposalRefused as exc:
            errors = exc.errors
        except RateLimited as exc:
            logger.info("host proposal: rate limited %s", ip_address)
            response = page_render(
                request,
                "events/host/rate_limited.html",
                {"what": exc.what, "retry_after": exc.retry_after},
                status=429,
            )
            response["Retry-After"] = str(exc.retry_after)
            return response
    logger.info("host proposal refused (%s)", ", ".join(sorted(errors)))
    return _propose_page(request, data, errors, status=400)


@require_http_methods(["GET", "HEAD"])
def host_thanks(request):
    return page_render(request, "events/host/thanks.html")


# ---------------------------------------------------------------- the host page


def _rows(key, attendances) -> list[dict]:
    zone = key.event.tz
    rows = []
    for a in attendances:
        active = a.status != AttendanceStatus.CANCELLED
        rows.append(
            {
                "a": a,
                "name": a.person.full_name or f"Attendee {a.pk}",
                "when": span_text(a.shift.starts_at, a.shift.ends_at, zone),
                # Contact details only while they are coming: someone who cancelled withdrew.
                "email": a.person.primary_email if active else "",
                "phone": a.person.primary_phone if active else "",
                "active": active,
            }
        )
    return rows


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def host_page(request, token: str):
    key = host.host_key_get(token=token)
    if key is None:
        response = page_not_found(request, HOST_NOT_FOUND)
        response["Referrer-Policy"] = "same-origin"
        return response
    notice, errors, status, values = "", {}, 200, {}
    if request.method == "POST":
        data = _posted(request)
        if data is None:
            errors, status = {"form": "The form was too large to send."}, 400
        else:
            outcome = _host_action(request, key, data)
            if outcome is None:
                return page_not_found(request, "That person is not on this event's roster.")
            notice, errors, status = outcome
            values = data if errors else {}
            if status == 303:
                return redirect("events:host_page", token=key.token)
    context = {
        "key": key,
        "event": key.event,
        "rows": _rows(key, host.host_roster(key=key)),
        # RSVPs received that the task worker has still to place (seconds, outside a surge).
        "pending": sum(received_pending(event=key.event).values()),
        "notice": notice,
        "errors": errors,
        "values": values,
        "sent": key.messages.order_by("-created_at")[:5],
        "messages_per_day": host.MESSAGES_PER_DAY,
    }
    response = page_render(request, "events/host/page.html", context, status=status)
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


def _host_action(request, key, data):
    """Check in / mark, or send a message: (notice, errors, status); None: not on this event."""
    action = data.get("action", "")
    if action == "mark":
        attendance = host.host_attendance_get(
            key=key, attendance_id=whole_number(data.get("attendance", ""))
        )
        mark = data.get("mark", "")
        if attendance is None:
            logger.info("host key %s: mark refused for an attendance not its own", key.pk)
            return None
        if mark not in MARKS:
            return "", {"form": "That is not a mark this page knows."}, 400
        attendance_mark(attendance=attendance, mark=mark, actor=None, ip_address=client_ip(request))
        return "", {}, 303
    if action == "message":
        try:
            host.host_message_send(
                key=key, subject=data.get("subject", ""), body=data.get("body", "")
            )
        except host.HostMessageRefused as exc:
            return "", {"message": exc.reason}, 400
        return "Your message is on its way to everyone registered.", {}, 200
    return "", {"form": "That is not something this page can do."}, 400
