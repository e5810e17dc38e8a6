"""Events through the API (osdi:events): each event with its shifts, who is coming, and
signing someone up for a shift as the public event page would."""

from __future__ import annotations

from django.db.models import Count, Max, Min, Q
from django.urls import reverse

from groundswell.accounts.roles import EVENTS_MANAGE, EVENTS_VIEW, PEOPLE_EXPORT
from groundswell.api import hal
from groundswell.api.auth import api_view, body_read
from groundswell.api.persons import signup_read
from groundswell.api.services import api_people_read_record
from groundswell.api.views import page_of
from groundswell.core.untrusted import Refused
from groundswell.events.choices import AttendanceStatus, EventStatus
from groundswell.events.models import Attendance, Event, Shift
from groundswell.events.services import (
    PERSON_FIELDS,
    RegistrationInvalid,
    RegistrationRefused,
    attendance_register,
)

# OSDI's event status words for ours.
_STATUS = {
    EventStatus.PUBLISHED: "confirmed",
    EventStatus.CANCELLED: "cancelled",
    EventStatus.DRAFT: "tentative",
    EventStatus.PROPOSED: "tentative",
    EventStatus.DECLINED: "cancelled",
}
_COMING = Q(shifts__attendances__status=AttendanceStatus.REGISTERED)


def _events():
    return Event.objects.annotate(
        first_start=Min("shifts__starts_at"),
        last_end=Max("shifts__ends_at"),
        accepted=Count("shifts__attendances", filter=_COMING),
    ).prefetch_related("shifts")


def _event_doc(request, event: Event) -> dict:
    location = {
        "venue": event.venue,
        "address_lines": [event.address_line1] if event.address_line1 else [],
        "locality": event.city,
        "region": event.state,
        "postal_code": event.zip_code,
        "country": "US",
    }
    if event.latitude is not None and event.longitude is not None:
        location["location"] = {"latitude": event.latitude, "longitude": event.longitude}
    return {
        "identifiers": [hal.identifier(event.pk)],
        "created_date": hal.date(event.created_at),
        "modified_date": hal.date(event.modified_at),
        "title": event.title,
        "description": event.description,
        "status": _STATUS.get(event.status, "tentative"),
        "visibility": event.visibility,
        "type": event.event_type,
        "start_date": hal.date(event.first_start),
        "end_date": hal.date(event.last_end),
        "timezone": event.timezone,
        "browser_url": request.build_absolute_uri(reverse("events:detail", args=[event.slug])),
        "location": {"virtual": True, "join_url": event.join_url} if event.is_virtual else location,
        "total_accepted": event.accepted,
        "shifts": [
            {
                "identifiers": [hal.identifier(shift.pk)],
                "label": shift.label,
                "start_date": hal.date(shift.starts_at),
                "end_date": hal.date(shift.ends_at),
                "capacity": shift.capacity,
            }
            for shift in sorted(event.shifts.all(), key=lambda s: (s.starts_at, s.pk))
        ],
        "_links": {
            "self": hal.href(request, "event", event.pk),
            "osdi:attendances": hal.href(request, "event_attendances", event.pk),
        },
    }


def _attendance_doc(request, attendance: Attendance) -> dict:
    event_id = attendance.shift.event_id
    return {
        "identifiers": [hal.identifier(attendance.pk)],
        "created_date": hal.date(attendance.created_at),
        "modified_date": hal.date(attendance.modified_at),
        "status": {"registered": "accepted", "waitlisted": "tentative"}.get(
            attendance.status, "declined"
        ),
        "shift": hal.identifier(attendance.shift_id),
        "attended": attendance.attended,
        "_links": {
            "self": hal.href(request, "event_attendance", event_id, attendance.pk),
            "osdi:event": hal.href(request, "event", event_id),
            "osdi:person": hal.href(request, "person", attendance.person_id),
        },
    }


@api_view(GET=EVENTS_VIEW)
def events(request):
    """Every event, with its shifts, oldest first."""
    return hal.respond(
        page_of(request, _events(), name="events", doc=lambda e: _event_doc(request, e))
    )


def _event_or_error(request, pk: int):
    event = _events().filter(pk=pk).first()
    return event, (hal.error(request, 404, "There is no such event.") if event is None else None)


@api_view(GET=EVENTS_VIEW)
def event(request, pk: int):
    found, response = _event_or_error(request, pk)
    return response or hal.respond(_event_doc(request, found))


@api_view(GET=PEOPLE_EXPORT, POST=EVENTS_MANAGE)
def event_attendances(request, pk: int):
    """GET: who signed up, paged. POST ``{"person": {...}, "shift": "groundswell:<id>"}``:
    sign a person up (the shift may be left out when the event has one), registered or
    waitlisted as the public page would; signing up twice changes nothing."""
    found, response = _event_or_error(request, pk)
    if response is not None:
        return response
    if request.method == "POST":
        return _register(request, found)
    api_people_read_record(key=request.api_key, ip_address=request.api_ip)
    taken = Attendance.objects.filter(shift__event=found, person__erased_at__isnull=True)
    return hal.respond(
        page_of(
            request,
            taken.select_related("shift"),
            name="attendances",
            doc=lambda a: _attendance_doc(request, a),
        )
    )


def _shift_read(body: dict, event: Event) -> Shift:
    shifts = list(event.shifts.all())
    named = body.get("shift")
    if named is None:
        if len(shifts) != 1:
            raise Refused("shift", f"is required: this event has {len(shifts)} shifts")
        return shifts[0]
    prefix = f"{hal.SYSTEM}:"
    if not isinstance(named, str) or not named.startswith(prefix):
        raise Refused("shift", f"must be a shift's identifier, such as “{prefix}12”")
    digits = named.removeprefix(prefix)
    chosen = [s for s in shifts if digits.isascii() and digits.isdigit() and str(s.pk) == digits]
    if not chosen:
        raise Refused("shift", "is not one of this event's shifts")
    return chosen[0]


def _register(request, event: Event):
    body = body_read(request)
    signup = signup_read(body, user=request.user)
    shift = _shift_read(body, event)
    person_data = {k: v for k, v in signup.raw.items() if k in PERSON_FIELDS and v}
    key = request.api_key
    # Signing up twice returns the first attendance: an id at most the newest before this
    # call's is one that existed already.
    newest = Attendance.objects.filter(shift=shift).aggregate(newest=Max("pk"))["newest"] or 0
    try:
        attendance = attendance_register(
            shift=shift,
            person_data=person_data,
            source=f"API key {key.name}",
            ip_address=request.api_ip,
            via=f"API key {key.name}",
        )
    except RegistrationInvalid as exc:
        field, reason = next(iter(exc.errors.items()))
        return hal.error(request, 400, f"{field}: {reason}", field=field, errors=exc.errors)
    except RegistrationRefused as exc:
        return hal.error(request, 400, exc.reason, field="shift")
    attendance = Attendance.objects.select_related("shift").get(pk=attendance.pk)
    return hal.respond(
        _attendance_doc(request, attendance), 200 if attendance.pk <= newest else 201
    )


@api_view(GET=PEOPLE_EXPORT)
def event_attendance(request, pk: int, attendance_pk: int):
    found = (
        Attendance.objects.filter(pk=attendance_pk, shift__event_id=pk)
        .exclude(person__erased_at__isnull=False)
        .select_related("shift")
        .first()
    )
    if found is None:
        return hal.error(request, 404, "There is no such attendance.")
    return hal.respond(_attendance_doc(request, found))
