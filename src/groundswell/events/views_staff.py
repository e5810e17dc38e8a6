"""The organizers' events pages: the list, create and edit with shifts, an event's page with
its rosters, and the phone-friendly check-in roster of one shift. Reading needs EVENTS_VIEW;
every change needs EVENTS_MANAGE."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from groundswell.accounts.permissions import capability_required, client_ip
from groundswell.accounts.roles import EVENTS_MANAGE, EVENTS_VIEW, PEOPLE_VIEW
from groundswell.core.htmx import fragment_requested, querystring
from groundswell.core.pagination import paginate
from groundswell.events import selectors_staff as selectors
from groundswell.events import staff, views_embed
from groundswell.events.forms import (
    EventFilterForm,
    EventForm,
    ShiftFormSet,
    WalkInForm,
    shift_initial,
)
from groundswell.events.models import Attendance, Event, EventStatus, Shift

# ---------------------------------------------------------------- the list


@capability_required(EVENTS_VIEW)
def event_list(request):
    form = EventFilterForm(request.GET or None)
    filters = form.filters()
    page = paginate(
        selectors.event_list(user=request.user, **filters), request.GET.get("page"), per_page=50
    )
    for event in page.items:
        event.when = selectors.event_when(event)
    context = {
        "form": form,
        "page": page,
        "filtered": any(filters.values()),
        "qs": querystring(request, page=None),
        "can_manage": request.user.can(EVENTS_MANAGE),
        "proposed": selectors.proposed_count(user=request.user),
        "embed": views_embed.snippets(request),
    }
    fragment = fragment_requested(request)
    template = "events/staff/_results.html" if fragment else "events/staff/list.html"
    return render(request, template, context)


# ---------------------------------------------------------------- create and edit


def _event_form_page(request, event: Event | None):
    form = EventForm(request.POST or None, instance=event)
    initial = shift_initial(event) if event is not None else None
    formset = ShiftFormSet(request.POST or None, initial=initial, prefix="shifts")
    if request.method == "POST":
        zone = form.cleaned_data.get("timezone") if form.is_valid() else None
        tz = Event(timezone=zone).tz if zone else (event.tz if event else Event().tz)
        # The shift times were typed in the event's zone: read them there.
        with timezone.override(tz):
            shifts_valid = formset.is_valid()
        if form.is_valid() and shifts_valid:
            try:
                saved = staff.event_save(
                    actor=request.user,
                    event=event,
                    fields=form.fields_data(),
                    shifts=formset.shift_inputs(),
                    ip_address=client_ip(request),
                )
            except ValidationError as exc:
                _errors_onto(form, exc)
            else:
                messages.success(request, f"Saved “{saved.title}”.")
                return redirect("events_staff:detail", pk=saved.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "events/staff/form.html",
        {"form": form, "formset": formset, "event": event},
        status=status,
    )


def _errors_onto(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error.messages)
    else:
        form.add_error(None, exc.messages)


@capability_required(EVENTS_MANAGE)
def event_create(request):
    return _event_form_page(request, None)


@capability_required(EVENTS_MANAGE)
def event_edit(request, pk: int):
    return _event_form_page(request, get_object_or_404(Event, pk=pk))


# ---------------------------------------------------------------- the event's page


def public_url(request, event: Event) -> str:
    """The event's public page, as a supporter would open it."""
    return request.build_absolute_uri(reverse("events:detail", args=[event.slug]))


@capability_required(EVENTS_VIEW)
def event_detail(request, pk: int):
    event = get_object_or_404(Event.objects.select_related("host"), pk=pk)
    shifts = selectors.event_shifts(user=request.user, event=event)
    reminders = selectors.shift_reminder_counts(user=request.user, event=event)
    for shift in shifts:
        shift.roster = selectors.shift_roster(user=request.user, shift=shift)
        shift.reminders = reminders.get(shift.pk) or selectors.ReminderCounts()
    context = {
        "event": event,
        "shifts": shifts,
        "totals": selectors.event_totals(user=request.user, event=event, shifts=shifts),
        "public_url": public_url(request, event),
        "can_manage": request.user.can(EVENTS_MANAGE),
        "can_view_people": request.user.can(PEOPLE_VIEW),
        "statuses": EventStatus,
        "reminder_channels": selectors.reminder_channels(),
        "reminder_offsets": selectors.reminder_offsets(event),
    }
    return render(request, "events/staff/detail.html", context)


_MOVES = {
    "publish": (staff.event_publish, "“{}” is published: supporters can sign up."),
    "cancel": (staff.event_cancel, "“{}” is cancelled."),
    "approve": (staff.event_approve, "“{}” is approved and published."),
    "decline": (staff.event_decline, "“{}” is declined."),
}


def _event_move(request, pk: int, verb: str):
    event = get_object_or_404(Event, pk=pk)
    service, words = _MOVES[verb]
    try:
        service(event=event, actor=request.user, ip_address=client_ip(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, words.format(event.title))
    return redirect("events_staff:detail", pk=event.pk)


@capability_required(EVENTS_MANAGE)
@require_POST
def event_publish(request, pk: int):
    return _event_move(request, pk, "publish")


@capability_required(EVENTS_MANAGE)
@require_POST
def event_cancel(request, pk: int):
    return _event_move(request, pk, "cancel")


@capability_required(EVENTS_MANAGE)
@require_POST
def event_approve(request, pk: int):
    return _event_move(request, pk, "approve")


@capability_required(EVENTS_MANAGE)
@require_POST
def event_decline(request, pk: int):
    return _event_move(request, pk, "decline")


# ---------------------------------------------------------------- the check-in roster


def _shift_or_404(pk: int, shift_id: int) -> Shift:
    return get_object_or_404(Shift.objects.select_related("event"), pk=shift_id, event_id=pk)


def _roster_page(request, shift: Shift, walk_in: WalkInForm | None = None, status: int = 200):
    q = (request.GET.get("q") or "")[:200].strip()
    shift.when = selectors.shift_range(shift, shift.event.tz)
    context = {
        "event": shift.event,
        "shift": shift,
        "rows": selectors.shift_roster(user=request.user, shift=shift, q=q),
        "pending": selectors.received_pending(event=shift.event, shift=shift).get(shift.pk, 0),
        "q": q,
        "walk_in": walk_in or WalkInForm(),
        "can_manage": request.user.can(EVENTS_MANAGE),
        "limit": selectors.ROSTER_LIMIT,
    }
    if fragment_requested(request) and request.method == "GET":
        return render(request, "events/staff/_roster_rows.html", context, status=status)
    return render(request, "events/staff/roster.html", context, status=status)


@capability_required(EVENTS_VIEW)
def shift_roster(request, pk: int, shift_id: int):
    return _roster_page(request, _shift_or_404(pk, shift_id))


@capability_required(EVENTS_MANAGE)
@require_POST
def attendance_mark(request, pk: int, shift_id: int, attendance_id: int):
    shift = _shift_or_404(pk, shift_id)
    attendance = get_object_or_404(Attendance, pk=attendance_id, shift=shift)
    mark = request.POST.get("mark", "")
    try:
        attendance = staff.attendance_mark(
            attendance=attendance, mark=mark, actor=request.user, ip_address=client_ip(request)
        )
    except ValidationError as exc:
        if fragment_requested(request):
            return render(
                request,
                "events/staff/_roster_row.html",
                {"row": attendance, "shift": shift, "event": shift.event, "can_manage": True},
                status=400,
            )
        messages.error(request, " ".join(exc.messages))
    if fragment_requested(request):
        return render(
            request,
            "events/staff/_roster_row.html",
            {"row": attendance, "shift": shift, "event": shift.event, "can_manage": True},
        )
    return redirect("events_staff:roster", pk=pk, shift_id=shift.pk)


@capability_required(EVENTS_MANAGE)
@require_POST
def walk_in_add(request, pk: int, shift_id: int):
    shift = _shift_or_404(pk, shift_id)
    form = WalkInForm(request.POST)
    if form.is_valid():
        try:
            attendance = staff.walk_in_add(
                shift=shift,
                raw={k: v for k, v in form.cleaned_data.items() if v},
                actor=request.user,
                ip_address=client_ip(request),
            )
        except ValidationError as exc:
            _errors_onto(form, exc)
        else:
            messages.success(
                request, f"{attendance.person.full_name or 'The walk-in'} is checked in."
            )
            return redirect("events_staff:roster", pk=pk, shift_id=shift.pk)
    return _roster_page(request, shift, walk_in=form, status=400)


# ---------------------------------------------------------------- the person page's card


def person_events_panel(*, request, person) -> dict:
    """The person page's events card (``people.extensions``; registered in apps.py)."""
    return {"summary": selectors.person_events(user=request.user, person=person)}
