"""Staff clean-up pages: remove a contact point or choose the primary one, delete or erase a
person, and change every person of a filtered list at once.

Each destructive step is a GET that shows what will happen (and how many people it touches)
and a POST that does it; the POST checks again on the server.
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from groundswell.accounts.permissions import capability_required, client_ip
from groundswell.accounts.roles import FINANCE_VIEW, PEOPLE_DELETE, PEOPLE_EDIT
from groundswell.core.htmx import querystring
from groundswell.people import bulk, cleanup, selectors
from groundswell.people.forms import BulkActionForm, PersonFilterForm, PersonRemoveForm
from groundswell.people.models import Person, Tag

logger = logging.getLogger(__name__)


def _contact_or_404(pk: int, kind: str, contact_id: int):
    model = cleanup.CONTACT_KINDS.get(kind)
    if model is None:
        raise Http404("No such kind of contact point.")
    person = get_object_or_404(Person, pk=pk)
    if person.merged_into_id or person.erased_at:
        raise Http404("This person has been merged or erased; edit the current record.")
    return person, get_object_or_404(model, pk=contact_id, person=person)


@capability_required(PEOPLE_EDIT)
def contact_delete(request, pk: int, kind: str, contact_id: int):
    person, row = _contact_or_404(pk, kind, contact_id)
    if request.method == "POST":
        try:
            done = cleanup.person_contact_delete(
                kind=kind, row=row, actor=request.user, ip_address=client_ip(request)
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, " ".join([f"Deleted {done.label}.", *done.notes]))
        return redirect("people:detail", pk=person.pk)
    return render(
        request,
        "people/contact_delete.html",
        {
            "person": person,
            "kind": kind,
            "contact_id": row.pk,
            "noun": cleanup.CONTACT_NOUNS[kind],
            "label": cleanup.contact_label(kind, row),
            "notes": cleanup.contact_delete_consequences(kind=kind, row=row),
        },
    )


@capability_required(PEOPLE_EDIT)
@require_POST
def contact_primary(request, pk: int, kind: str, contact_id: int):
    person, row = _contact_or_404(pk, kind, contact_id)
    try:
        changed = cleanup.person_contact_primary_set(
            kind=kind, row=row, actor=request.user, ip_address=client_ip(request)
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        if changed:
            messages.success(request, f"{cleanup.contact_label(kind, row)} is now the primary one.")
    return redirect("people:detail", pk=person.pk)


@capability_required(PEOPLE_DELETE)
def person_remove(request, pk: int):
    person = get_object_or_404(Person, pk=pk)
    form = PersonRemoveForm(request.POST or None, initial={"action": "erase"})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            action = form.cleaned_data["action"]
            service = cleanup.person_delete if action == "delete" else cleanup.person_erase
            try:
                result = service(
                    person=person,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                    ip_address=client_ip(request),
                )
            except ValidationError as exc:
                _errors_add(form, exc)
            else:
                return _removed(request, person, action, result)
        else:
            logger.info("person %s removal refused: %s", person.pk, form.errors.as_json()[:500])
    return render(
        request,
        "people/remove.html",
        {
            "person": person,
            "form": form,
            "blockers": {
                action: cleanup.removal_blockers(person=person, action=action)
                for action in ("delete", "erase")
            },
            "show_finance": request.user.can(FINANCE_VIEW),
        },
        status=status,
    )


def _errors_add(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _removed(request, person: Person, action: str, result):
    if action == "delete":
        messages.success(
            request,
            f"Deleted person #{person.pk}"
            + (f" and {result - 1} record(s) merged into them." if result > 1 else "."),
        )
        return redirect("people:list")
    if result.already:
        messages.info(request, f"Person #{person.pk} had already been erased; nothing changed.")
    else:
        messages.success(
            request,
            f"Erased the personal data of person #{person.pk}. The audit log records it "
            "with your reason.",
        )
    return redirect("people:detail", pk=person.pk)


# ---------------------------------------------------------------- bulk changes


def _filtered(request, data):
    """The supporter list's filters (from the list's own query string) and its people."""
    tags = selectors.tag_names()
    filter_form = PersonFilterForm(data, tags=tags)
    filters = filter_form.filters()
    # Erased people are left out: a tag would put something about them back on their record.
    people = selectors.person_list(user=request.user, **filters).filter(erased_at__isnull=True)
    return filters, people, tags


@capability_required(PEOPLE_EDIT)
def people_bulk(request):
    filters, people, tags = _filtered(request, request.GET)
    # Pinned to who matches now (as the export is): people added while staff read the
    # confirmation are not changed without being counted.
    newest = people.values_list("pk", flat=True).first()
    pinned = people.filter(pk__lte=newest) if newest is not None else people.none()
    count = pinned.count()
    form = BulkActionForm(
        request.POST or None,
        initial={"action": request.GET.get("action", "tag"), "expected": count},
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid() and form.cleaned_data["expected"] != count:
            form = BulkActionForm(
                initial={**form.cleaned_data, "expected": count},
            )
            messages.warning(
                request, f"The list has changed since: it now holds {count:,}. Confirm again."
            )
            status = 409
        elif form.is_valid():
            done = _bulk_run(request, form, pinned, filters)
            if done is not None:
                return redirect(f"{reverse('people:list')}?{querystring(request)}")
        else:
            logger.info("bulk change refused: %s", form.errors.as_json()[:500])
    return render(
        request,
        "people/bulk.html",
        {
            "form": form,
            "count": count,
            "filters": {k: v for k, v in filters.items() if v},
            "querystring": querystring(request),
            "tag_names": tags,
        },
        status=status,
    )


def _bulk_run(request, form, people, filters) -> int | None:
    """Run the confirmed change; None (with the form's error) when it cannot be done."""
    action, name = form.cleaned_data["action"], form.cleaned_data["tag_name"]
    context = {"actor": request.user, "filters": filters, "ip_address": client_ip(request)}
    try:
        if action == "tag":
            tag, count = bulk.people_tag(people=people, name=name, **context)
            messages.success(
                request,
                f"Tagged {count:,} {'person' if count == 1 else 'people'} “{tag.name}” "
                "(who did not have it yet).",
            )
            return count
        tag = Tag.objects.filter(name__iexact=name.strip()).order_by("pk").first()
        if tag is None:
            form.add_error("tag_name", f"There is no tag “{name}”.")
            return None
        count = bulk.people_untag(people=people, tag=tag, **context)
    except ValidationError as exc:
        _errors_add(form, exc)
        return None
    messages.success(
        request, f"Removed “{tag.name}” from {count:,} {'person' if count == 1 else 'people'}."
    )
    return count
