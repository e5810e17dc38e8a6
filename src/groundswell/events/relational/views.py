"""Relational organizing pages: a volunteer's own contacts, the recruiters' figures, and the
rally-table kiosk. Views are thin: the writes are in ``events.relational``."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache

from groundswell.accounts.permissions import capability_required, client_ip
from groundswell.accounts.roles import CONTACTS_OWN, EVENTS_MANAGE, RECRUITERS_VIEW
from groundswell.core.htmx import querystring
from groundswell.core.pagination import paginate
from groundswell.events.models import Event
from groundswell.events.relational import selectors
from groundswell.events.relational import services as relational
from groundswell.events.relational.forms import ContactForm, KioskForm


def _errors_onto(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error.messages)
    else:
        form.add_error(None, exc.messages)


@capability_required(CONTACTS_OWN)
def contact_list(request):
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            relational.relational_contact_add(
                actor=request.user,
                raw=data,
                relationship=data["relationship"],
                notes=data["notes"],
                ip_address=client_ip(request),
            )
        except ValidationError as exc:
            _errors_onto(form, exc)
        else:
            messages.success(request, f"Added {data['given_name']} to your contacts.")
            return redirect("events_staff:contacts")
    page = paginate(selectors.contacts_of(user=request.user), request.GET.get("page"), 50)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "events/staff/contacts.html",
        {"form": form, "page": page, "qs": querystring(request, page=None)},
        status=status,
    )


@capability_required(RECRUITERS_VIEW)
def recruiters(request):
    context = {
        "page": selectors.recruiters_page(user=request.user, page=request.GET.get("page")),
        "depth": selectors.tree_depth(user=request.user),
        "shares": [selectors.relational_share(user=request.user, days=days) for days in (30, 90)],
        "qs": querystring(request, page=None),
    }
    return render(request, "events/staff/recruiters.html", context)


@never_cache
@capability_required(EVENTS_MANAGE)
def kiosk(request, pk: int):
    event = get_object_or_404(Event, pk=pk)
    shift = relational.kiosk_shift(event)
    if shift is None:
        raise Http404("This event has no shifts to sign in to.")
    form = KioskForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            relational.kiosk_sign_in(
                shift=shift,
                raw=data,
                email_consent=data["email_consent"],
                actor=request.user,
                ip_address=client_ip(request),
            )
        except ValidationError as exc:
            _errors_onto(form, exc)
        else:
            # A fresh, empty form for the next person; the thank-you names no one.
            return redirect(f"{request.path}?thanks=1")
    status = 400 if request.method == "POST" else 200
    context = {
        "event": event,
        "form": form,
        "thanks": request.method == "GET" and request.GET.get("thanks") == "1",
    }
    return render(request, "events/staff/kiosk.html", context, status=status)
