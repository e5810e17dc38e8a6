"""The organizers' volunteer pages: hours, shifts and no-shows per person and per event, the
people who offered to help and have no task yet (with assignment to a shift), and a person's
volunteer profile. Reading needs EVENTS_VIEW; saving and assigning need EVENTS_MANAGE."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from groundswell.accounts.permissions import capability_required, client_ip
from groundswell.accounts.roles import EVENTS_MANAGE, EVENTS_VIEW
from groundswell.core.htmx import querystring
from groundswell.core.pagination import paginate
from groundswell.events.ladder import volunteers
from groundswell.events.ladder.models import VolunteerProfile
from groundswell.events.selectors_staff import shift_range
from groundswell.people.models import Person


class VolunteerProfileForm(forms.ModelForm):
    class Meta:
        model = VolunteerProfile
        fields = list(volunteers.PROFILE_FIELDS)
        widgets = {
            name: forms.Textarea(attrs={"rows": 2})
            for name in ("skills", "availability", "interests", "notes")
        }


class AssignForm(forms.Form):
    shift = forms.ModelChoiceField(queryset=None, label="Shift", empty_label="Choose a shift")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["shift"]
        field.queryset = volunteers.assignable_shifts(user=user)
        field.label_from_instance = lambda s: (
            f"{s.event.title} — {shift_range(s, s.event.tz)}{f' ({s.label})' if s.label else ''}"
        )


@capability_required(EVENTS_VIEW)
def volunteer_overview(request):
    by_event = request.GET.get("by") == "events"
    rows = (
        volunteers.events_totals(user=request.user)
        if by_event
        else (volunteers.people_totals(user=request.user))
    )
    page = paginate(rows, request.GET.get("page"), per_page=50)
    for row in page.items:
        row.totals = volunteers.totals_of(row)
    context = {"by_event": by_event, "page": page, "qs": querystring(request, page=None)}
    return render(request, "events/volunteers/overview.html", context)


@capability_required(EVENTS_VIEW)
def volunteer_asked(request):
    page = paginate(volunteers.asked_no_task(user=request.user), request.GET.get("page"))
    can_manage = request.user.can(EVENTS_MANAGE)
    context = {
        "page": page,
        "qs": querystring(request, page=None),
        "can_manage": can_manage,
        "form": AssignForm(user=request.user) if can_manage else None,
    }
    return render(request, "events/volunteers/asked.html", context)


@capability_required(EVENTS_VIEW)
def volunteer_profile(request, person_id: int):
    person = get_object_or_404(Person.objects.active(), pk=person_id)
    profile = volunteers.volunteer_profile_get(user=request.user, person=person)
    form = VolunteerProfileForm(request.POST or None, instance=profile)
    if request.method == "POST":
        if not request.user.can(EVENTS_MANAGE):
            raise PermissionDenied(f"Your role does not allow {EVENTS_MANAGE}.")
        if form.is_valid():
            volunteers.volunteer_profile_save(
                person=person,
                fields=form.cleaned_data,
                actor=request.user,
                ip_address=client_ip(request),
            )
            messages.success(request, "Volunteer profile saved.")
            return redirect("events_staff:volunteer_profile", person_id=person.pk)
    context = {
        "person": person,
        "form": form,
        "saved": profile.pk is not None,
        "totals": volunteers.person_totals(user=request.user, person=person),
        "can_manage": request.user.can(EVENTS_MANAGE),
    }
    return render(request, "events/volunteers/profile.html", context)


@require_POST
@capability_required(EVENTS_MANAGE)
def volunteer_assign(request, person_id: int):
    person = get_object_or_404(Person.objects.active(), pk=person_id)
    form = AssignForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, "Choose a shift that has not started.")
        return redirect("events_staff:volunteers_asked")
    try:
        attendance = volunteers.volunteer_assign(
            shift=form.cleaned_data["shift"],
            person=person,
            actor=request.user,
            ip_address=client_ip(request),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("events_staff:volunteers_asked")
    where = "on the waitlist" if attendance.status == "waitlisted" else "registered"
    messages.success(request, f"{person.given_name or 'The person'} is {where}.")
    return redirect(reverse("events_staff:volunteers_asked"))


def person_volunteer_panel(*, request, person) -> dict:
    """The person page's volunteer card (``people.extensions``; registered in apps.py)."""
    return {
        "profile": volunteers.volunteer_profile_get(user=request.user, person=person),
        "totals": volunteers.person_totals(user=request.user, person=person),
    }
