"""The public events pages: the searchable list, an event with its RSVP form, the thank-you
page, and the attendance page the cancel/change links open.

They face the whole internet: input is read through ``actions.site`` (bounded parameters, the
honeypot), refusals answer 4xx with the reason and a log line, and nothing here answers 500 for
anything a visitor can send.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from groundswell.accounts.permissions import client_ip
from groundswell.actions.ratelimit import RateLimited, submission_rate_check
from groundswell.actions.services import referral_code_for, share_links, site_get
from groundswell.actions.site import (
    honeypot_filled,
    page_not_found,
    page_render,
    param_clean,
    params_clean,
    ref_of,
    ref_remember,
    thanks_id_sign,
    thanks_row,
)
from groundswell.core.pagination import paginate
from groundswell.core.untrusted import whole_number
from groundswell.events import maps, recurrence, selectors
from groundswell.events.choices import AttendanceStatus, EventType
from groundswell.events.models import Attendance, Event, RsvpReceived
from groundswell.events.received import rsvp_receive
from groundswell.events.services import (
    RegistrationInvalid,
    RegistrationRefused,
    attendance_cancel,
    attendance_move,
    when_text,
)

logger = logging.getLogger(__name__)

# Signs the received RSVP's id in its thank-you (status) link; a new salt, as the link once
# named an attendance.
THANKS_SALT = "groundswell.events.received"
# While an RSVP waits for the worker, its thank-you page reloads itself every few seconds.
REFRESH_SECONDS = 3
PER_PAGE = 20
# The RSVP form's person fields: (name, label, input type, autocomplete, inputmode, required).
FIELDS = (
    ("given_name", "First name", "text", "given-name", "", True),
    ("family_name", "Last name", "text", "family-name", "", False),
    ("email", "E-mail", "email", "email", "email", True),
    ("mobile_phone", "Mobile phone", "tel", "tel", "tel", False),
    ("postal_code", "ZIP code", "text", "postal-code", "numeric", False),
)
# ``ref`` is a supporter's share code (as on the action pages): a newcomer's RSVP credits them.
TRACKING = ("refcode", "source", "ref")
NOT_OPEN = "This event does not exist, or is no longer open."


def _tracking(params, request=None) -> dict[str, str]:
    """Where the visitor came from; with ``request``, a share code kept in its cookie too."""
    values = {name: " ".join(params.get(name, "").split())[:100] for name in TRACKING}
    values["ref"] = ref_of(request, values["ref"]) if request is not None else ""
    return values


# ---------------------------------------------------------------- the list


@require_http_methods(["GET", "HEAD"])
def event_list(request):
    params = params_clean(request.GET)
    search = selectors.search_clean(params)
    events = selectors.events_public(user=request.user, search=search)
    page = paginate(events, whole_number(params.get("page", "")) or 1, per_page=PER_PAGE)
    selectors.rows_with_shifts(events=page.items)
    query = {k: params.get(k, "")[:20] for k in ("zip", "miles", "type", "from", "to")}
    tracking = urlencode({k: v for k, v in _tracking(params, request).items() if v})
    context = {
        "search": search,
        "page": page,
        "events": page.items,
        "types": EventType.choices,
        "miles_choices": selectors.MILES_CHOICES,
        "filtered": any(query.values()),
        "query": urlencode({k: v for k, v in query.items() if v}),
        "tracking": tracking,
        # The same search as the list, so the map never shows what the list would not.
        "map": maps.events_map(events=events, search=search, query=query, tracking=tracking)
        if page.items
        else None,
    }
    return ref_remember(request, page_render(request, "events/public/list.html", context))


# ---------------------------------------------------------------- an event and its form


def _place_text(event: Event, *, exact: bool) -> str:
    """Where, as the viewer may see it: the street only when public or they are registered."""
    if event.is_virtual:
        return "Online"
    town = ", ".join(p for p in (event.city, event.state) if p)
    if event.address_private and not exact:
        return town
    parts = [event.venue, event.address_line1, " ".join(p for p in (town, event.zip_code) if p)]
    return ", ".join(p for p in parts if p)


def _anchor(name: str) -> str:
    return "f-shift" if name == "shift" else "" if name == "form" else f"f-{name}"


def form_fields(spec, values, errors: dict[str, str]) -> list[dict]:
    """The person fields of a public events form, as its template draws them: ``spec`` rows
    of (name, label, type, autocomplete, inputmode, required), with the value and error."""
    return [
        {
            "name": name,
            "id": f"f-{name}",
            "label": label,
            "type": kind,
            "autocomplete": autocomplete,
            "inputmode": inputmode,
            "required": required,
            "value": values.get(name, "")[:300],
            "error": errors.get(name, ""),
        }
        for name, label, kind, autocomplete, inputmode, required in spec
    ]


def _form_page(request, event: Event, *, values, hidden, errors=None, status: int = 200):
    errors = errors or {}
    shifts = selectors.upcoming_shifts(event=event)
    chosen = set(values.getlist("shift")) if hasattr(values, "getlist") else set()
    if not chosen and len(shifts) == 1:
        chosen = {str(shifts[0].pk)}
    fields = form_fields(FIELDS, values, errors)
    context = {
        "event": event,
        "place": _place_text(event, exact=False),
        "shifts": shifts,
        "repeat_text": recurrence.rule_text(event),
        "chosen": chosen,
        "fields": fields,
        "subscribe": bool(values.get("subscribe")),
        "sms": bool(values.get("sms")),
        "hidden": hidden,
        "errors": errors,
        "error_list": [
            (f"f-{k}" if k not in ("form", "shift") else "", v) for k, v in errors.items()
        ],
    }
    return page_render(request, "events/public/detail.html", context, status=status)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def event_detail(request, slug: str):
    if request.method == "POST":
        return _rsvp(request, slug[:120])
    event = selectors.event_public_get(user=request.user, slug=slug[:120])
    if event is None:
        return page_not_found(request, NOT_OPEN)
    hidden = _tracking(params_clean(request.GET), request)
    page = _form_page(request, event, values=params_clean(request.GET), hidden=hidden)
    return ref_remember(request, page)


def _rsvp_clean(data, shifts: list) -> tuple[dict, list, dict[str, str]]:
    """(person data, chosen shifts, errors) from the posted form and the bookable shifts of
    those it asked for."""
    asked = list(dict.fromkeys(data.getlist("shift")))
    errors: dict[str, str] = {}
    person: dict[str, str] = {}
    for name, label, _, _, _, required in FIELDS:
        value = " ".join(data.get(name, "").split())
        if len(value) > 300:
            errors[name] = f"{label} is too long (300 characters at most)."
        elif required and not value:
            errors[name] = f"{label} is required."
        elif value:
            person[name] = value
    if data.get("subscribe"):
        person["email_status"] = "subscribed"
    # SMS consent needs a number to consent for; ticked without one, it is simply not asked.
    if data.get("sms") and person.get("mobile_phone"):
        person["sms_status"] = "subscribed"
    open_shifts = {str(s.pk): s for s in shifts}
    chosen = [open_shifts[pk] for pk in asked if pk in open_shifts]
    if not chosen:
        errors["shift"] = "Choose at least one shift that is still open."
    return person, chosen, errors


def _rsvp(request, slug: str):
    try:
        posted = request.POST
    except (TooManyFieldsSent, RequestDataTooBig) as exc:
        event = selectors.event_public_get(user=request.user, slug=slug)
        if event is None:
            return page_not_found(request, NOT_OPEN)
        logger.info("event %s refused an RSVP from %s: %s", event.slug, client_ip(request), exc)
        errors = {"form": "The form was too large to send; fill it in again."}
        return _form_page(
            request, event, values=params_clean({}), hidden={}, errors=errors, status=400
        )
    data = params_clean(posted)
    # The chosen shifts come with their event in one query; the event alone is read only when
    # none of them can be booked (the form comes back with the reason).
    shifts = selectors.shifts_bookable(
        user=request.user, slug=slug, ids=list(dict.fromkeys(data.getlist("shift")))
    )
    event = shifts[0].event if shifts else selectors.event_public_get(user=request.user, slug=slug)
    if event is None:
        return page_not_found(request, NOT_OPEN)
    hidden = _tracking(data, request)
    if honeypot_filled(data):
        # A bot filled the field people cannot see: it is sent on with nothing kept.
        logger.info("event %s: honeypot filled from %s", event.slug, client_ip(request))
        return redirect("events:thanks_plain", slug=event.slug)
    person, shifts, errors = _rsvp_clean(data, shifts)
    if not errors:
        try:
            return _rsvp_save(request, event, person, shifts, hidden)
        except RegistrationInvalid as exc:
            errors = {
                k if k in dict.fromkeys(f[0] for f in FIELDS) else "form": v
                for k, v in exc.errors.items()
            }
        except RateLimited as exc:
            logger.info("event %s: rate limited %s", event.slug, client_ip(request))
            response = page_render(
                request,
                "events/public/rate_limited.html",
                {"event": event, "what": exc.what, "retry_after": exc.retry_after},
                status=429,
            )
            response["Retry-After"] = str(exc.retry_after)
            return response
    logger.info("event %s: RSVP refused (%s)", event.slug, ", ".join(sorted(errors)))
    return _form_page(request, event, values=data, hidden=hidden, errors=errors, status=400)


def _rsvp_save(request, event: Event, person: dict, shifts: list, hidden: dict):
    ip_address = client_ip(request)
    submission_rate_check(ip_address=ip_address, email=person.get("email", "").lower())
    # Stored in one insert and acknowledged; the task worker places it (``events.received``).
    received = rsvp_receive(
        event=event,
        shifts=shifts,
        person_data=person,
        source=hidden["source"],
        refcode=hidden["refcode"],
        ref=hidden["ref"],
        referrer=request.headers.get("Referer", "")[:500],
        ip_address=ip_address,
    )
    signed = thanks_id_sign(received.pk, salt=THANKS_SALT)
    return redirect("events:thanks", slug=event.slug, signed=signed)


# ---------------------------------------------------------------- thank-you and attendance


def _registration_rows(attendances: list[Attendance], event: Event) -> list[dict]:
    return [
        {
            "attendance": a,
            "when": when_text(a.shift.starts_at, event),
            "ends": when_text(a.shift.ends_at, event).rsplit(", ", 1)[-1],
            "label": a.shift.label,
            "waitlisted": a.status == AttendanceStatus.WAITLISTED,
        }
        for a in attendances
    ]


@never_cache
@require_http_methods(["GET", "HEAD"])
def thanks(request, slug: str, signed: str | None = None):
    """The thank-you page, which is also the RSVP's status: "being confirmed" (reloading
    itself) until the worker places it, then registered or waitlisted for each shift."""
    event = selectors.event_public_get(user=request.user, slug=slug[:120])
    if event is None:
        return page_not_found(request, NOT_OPEN)
    context = {"event": event, "rows": [], "registered": False, "pending": False}
    if signed is not None:
        received = thanks_row(
            RsvpReceived.objects.filter(event=event), param_clean(signed)[:200], salt=THANKS_SALT
        )
        if received is None:
            # Forged, more than a day old, or another event's: nobody's RSVP is shown by guessing.
            logger.info("event %s: a thank-you link that names no RSVP", event.slug)
            return page_not_found(request, "This link does not name a sign-up, or it has expired.")
        context.update(_received_status(request, event, received))
    context["place"] = _place_text(event, exact=context["registered"])
    return page_render(request, "events/public/thanks.html", context)


def _received_status(request, event: Event, received: RsvpReceived) -> dict:
    """What the thank-you page says of a received RSVP: waiting, refused, or its places."""
    status = RsvpReceived.Status
    if received.status == status.RECEIVED:
        return {"pending": True, "refresh": REFRESH_SECONDS}
    if received.status != status.PLACED or received.person_id is None:
        return {"refused": received.reason or "We could not take this sign-up."}
    mine = (
        Attendance.objects.filter(
            shift__event=event, person_id=received.person_id, shift_id__in=received.shift_ids
        )
        .exclude(status=AttendanceStatus.CANCELLED)
        .select_related("shift", "person")
        .order_by("shift__starts_at")
    )
    rows = _registration_rows(list(mine), event)
    context = {"rows": rows, "registered": any(not r["waitlisted"] for r in rows)}
    if rows:
        context.update(_share(request, event, rows[0]["attendance"].person))
    return context


def _share(request, event: Event, person) -> dict:
    """The attendee's own link to this event: a friend who RSVPs through it is credited to
    them (the same share code as the action pages' links)."""
    if person.merged_into_id:
        return {}
    url = request.build_absolute_uri(
        reverse("events:detail", args=[event.slug])
        + "?"
        + urlencode({"ref": referral_code_for(person)})
    )
    text = f"{event.title} · {site_get().name}"
    return {"share_url": url, "share_links": share_links(url=url, text=text)}


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def attendance(request, token: str):
    found = selectors.attendance_by_token(token=token)
    if found is None:
        return page_not_found(request, "This link does not name a registration.")
    event = found.shift.event
    notice, status = "", 200
    if request.method == "POST":
        notice, status, found = _attendance_change(request, found)
    if status == 303:
        return redirect("events:attendance", token=found.token)
    registered = found.status == AttendanceStatus.REGISTERED
    others = [
        s for s in selectors.upcoming_shifts(event=event) if s.pk != found.shift_id and s.bookable
    ]
    context = {
        "event": event,
        "row": _registration_rows([found], event)[0],
        "found": found,
        "cancelled": found.status == AttendanceStatus.CANCELLED,
        "registered": registered,
        "place": _place_text(event, exact=registered),
        "others": others,
        "notice": notice,
        "changeable": selectors.shift_open(shift=found.shift),
    }
    return page_render(request, "events/public/attendance.html", context, status=status)


def _attendance_change(request, found: Attendance) -> tuple[str, int, Attendance]:
    """Cancel or switch shift from the attendance page: (message, status, attendance)."""
    try:
        data = params_clean(request.POST)
    except (TooManyFieldsSent, RequestDataTooBig) as exc:
        logger.info("attendance %s: refused a post: %s", found.pk, exc)
        return "The form was too large to send.", 400, found
    action = data.get("action", "")
    if not selectors.shift_open(shift=found.shift):
        logger.info("attendance %s: change refused, the shift has started", found.pk)
        return "This shift has started or is over; it can no longer be changed.", 400, found
    if action == "cancel":
        attendance_cancel(attendance=found)
        return "", 303, found
    if action == "move":
        target = whole_number(data.get("shift", ""))
        shift = found.shift.event.shifts.filter(pk=target).first() if target else None
        if shift is None:
            logger.info("attendance %s: move to an unknown shift refused", found.pk)
            return "Choose one of the other shifts of this event.", 400, found
        try:
            moved, _ = attendance_move(attendance=found, shift=shift)
        except RegistrationRefused as exc:
            logger.info("attendance %s: move refused: %s", found.pk, exc.reason)
            return exc.reason, 400, found
        return "", 303, moved
    logger.info("attendance %s: unknown action refused", found.pk)
    return "That is not something this page can do.", 400, found
