"""Staff pages of the supporter CRM: list and search, person page, edits, merge, export, import.

Views parse input, call one selector or service, and render. Every view checks its capability
on the server; templates only hide what a role cannot use. htmx requests get a fragment of the
page; the same URLs serve whole pages without JavaScript.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from groundswell.accounts.models import AuditEvent
from groundswell.accounts.permissions import capability_required, client_ip
from groundswell.accounts.roles import (
    FINANCE_VIEW,
    PEOPLE_EDIT,
    PEOPLE_EXPORT,
    PEOPLE_IMPORT,
    PEOPLE_MERGE,
    PEOPLE_VIEW,
)
from groundswell.accounts.services import audit_record
from groundswell.core.htmx import fragment_requested, querystring
from groundswell.core.pagination import paginate
from groundswell.core.spreadsheet import csv_line
from groundswell.people import editing, merge, selectors
from groundswell.people.extensions import person_panels
from groundswell.people.forms import (
    AddressAddForm,
    EmailAddForm,
    EmailStatusForm,
    MergeForm,
    PersonEditForm,
    PersonFilterForm,
    PhoneAddForm,
    SmsStatusForm,
    TagAddForm,
)
from groundswell.people.models import (
    EmailAddress,
    EmailStatus,
    MergeRecord,
    Person,
    Phone,
    SmsStatus,
    Tag,
)
from groundswell.people.sensitivity import source_shown

PER_PAGE = 50


# ---------------------------------------------------------------- list, search, export


@capability_required(PEOPLE_VIEW)
@vary_on_headers("HX-Request")
def person_list(request):
    tags = selectors.tag_names()
    form = PersonFilterForm(request.GET or None, tags=tags)
    filters = form.filters()
    search = selectors.search_parse(filters["query"])
    people = selectors.person_list(user=request.user, **filters)
    page = paginate(people, request.GET.get("page"), per_page=PER_PAGE)
    total = selectors.person_list_total(people, capped=page.count_is_capped)
    for person in page.items:
        person.phone_display = selectors.phone_display(person.primary_phone)
        person.source_shown = source_shown(person.source, user=request.user)
    context = {
        "form": form,
        "page": page,
        "total": total,
        "search": search,
        "filtered": any(filters.values()),
        "querystring": querystring(request, page=None),
        "show_finance": request.user.can(FINANCE_VIEW),
        "imported_job": selectors.import_job_get(job_id=filters["imported"])
        if filters["imported"] and request.user.can(PEOPLE_IMPORT)
        else None,  # the banner names the file only for those who may see imports
    }
    template = "people/_results.html" if fragment_requested(request) else "people/list.html"
    return render(request, template, context)


@capability_required(PEOPLE_EXPORT)
def person_export(request):
    form = PersonFilterForm(request.GET or None, tags=selectors.tag_names())
    filters = form.filters()
    people = selectors.person_list(user=request.user, **filters)
    # Pin the export to the people who match now, so the row count on the audit log is the
    # number of rows the file holds even while imports keep adding people.
    newest = people.values_list("pk", flat=True).first()
    people = people.filter(pk__lte=newest) if newest is not None else people.none()
    row_count = people.count()
    columns = selectors.export_columns(user=request.user)
    # Recorded before the first row leaves the server: an interrupted export of personal data
    # is still an export.
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.EXPORT,
        summary=f"exported {row_count} {'person' if row_count == 1 else 'people'} to CSV",
        details={
            "filters": {k: v for k, v in filters.items() if v},
            "row_count": row_count,
            "finance_columns": "employer" in columns,
        },
        ip_address=client_ip(request),
    )
    user = request.user

    def rows():
        yield csv_line(columns)
        for row in selectors.person_export_rows(people, user=user):
            yield csv_line(row[c] for c in columns)

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="people-{stamp}.csv"'
    return response


# ---------------------------------------------------------------- person page


def _profile_or_404(request, pk: int) -> selectors.PersonProfile:
    profile = selectors.person_profile(user=request.user, person_id=pk)
    if profile is None:
        raise Http404("No such person.")
    return profile


@capability_required(PEOPLE_VIEW)
def person_detail(request, pk: int):
    profile = _profile_or_404(request, pk)
    person = profile.person
    timeline = paginate(
        selectors.person_activities(user=request.user, person=person),
        request.GET.get("timeline"),
        per_page=20,
    )
    consent = paginate(
        selectors.person_consent_events(person=person), request.GET.get("consent"), per_page=20
    )
    labels = {**dict(SmsStatus.choices), **dict(EmailStatus.choices)}
    for event in consent.items:
        # An empty previous status is the first consent ever recorded on that channel.
        event.from_label = labels.get(event.previous_status or "unknown", event.previous_status)
        event.to_label = labels.get(event.status, event.status)
        event.address_display = (
            selectors.phone_display(event.address)
            if event.channel == event.Channel.SMS
            else event.address
        )
        event.source_shown = source_shown(event.source, user=request.user)
    context = {
        "profile": profile,
        "person": person,
        # Cards other apps contribute (giving, referrals): each is built only for the roles
        # that may see it, so finance queries are not even run for others.
        "panels_details": person_panels(request=request, person=person, column="details"),
        "panels_activity": person_panels(request=request, person=person, column="activity"),
        "timeline": timeline,
        "consent": consent,
        "tag_form": TagAddForm(),
        "tag_names": selectors.tag_names(),
        "timeline_qs": querystring(request, timeline=None),
        "consent_qs": querystring(request, consent=None),
    }
    return render(request, "people/detail.html", context)


def _tags_response(request, person: Person, form: TagAddForm | None = None, refocus=False):
    if not fragment_requested(request):
        if form is not None and form.errors:
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
        return redirect("people:detail", pk=person.pk)
    profile = _profile_or_404(request, person.pk)
    return render(
        request,
        "people/_tags.html",
        {
            "profile": profile,
            "person": profile.person,
            "tag_form": form or TagAddForm(),
            "tag_names": selectors.tag_names(),
            # After adding a tag with htmx, the input comes back focused for the next one.
            "refocus": refocus,
        },
    )


def _active_person_or_404(pk: int) -> Person:
    person = get_object_or_404(Person, pk=pk)
    if person.merged_into_id:
        raise Http404("This person has been merged into someone else; edit them instead.")
    if person.erased_at:
        raise Http404("This person's personal data has been erased.")
    return person


@capability_required(PEOPLE_EDIT)
@require_POST
def person_tag_add(request, pk: int):
    person = _active_person_or_404(pk)
    form = TagAddForm(request.POST)
    if form.is_valid():
        try:
            editing.person_tag_add(
                person=person, name=form.cleaned_data["name"], actor=request.user
            )
            form = None
        except ValidationError as exc:
            _add_service_errors(form, exc)
    return _tags_response(request, person, form, refocus=True)


@capability_required(PEOPLE_EDIT)
@require_POST
def person_tag_remove(request, pk: int, tag_id: int):
    person = _active_person_or_404(pk)
    tag = get_object_or_404(Tag, pk=tag_id)
    editing.person_tag_remove(person=person, tag=tag, actor=request.user)
    return _tags_response(request, person)


# ---------------------------------------------------------------- edit


def _edit_page(request, person: Person, *, status: int = 200, **forms):
    show_finance = request.user.can(FINANCE_VIEW)
    context = {
        "person": person,
        "form": forms.get("form") or PersonEditForm(person=person, show_finance=show_finance),
        "email_form": forms.get("email_form") or EmailAddForm(),
        "phone_form": forms.get("phone_form") or PhoneAddForm(),
        "address_form": forms.get("address_form") or AddressAddForm(),
        "emails": [
            (email, EmailStatusForm(initial={"status": email.status}, prefix=f"e{email.pk}"))
            for email in person.emails.all()
        ],
        "phones": [
            (phone, SmsStatusForm(initial={"status": phone.sms_status}, prefix=f"p{phone.pk}"))
            for phone in person.phones.all()
        ],
        "addresses": list(person.addresses.all()),
        "show_finance": show_finance,
    }
    return render(request, "people/edit.html", context, status=status)


def _add_service_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@capability_required(PEOPLE_EDIT)
def person_edit(request, pk: int):
    person = _active_person_or_404(pk)
    if request.method != "POST":
        return _edit_page(request, person)
    show_finance = request.user.can(FINANCE_VIEW)
    form = PersonEditForm(request.POST, person=person, show_finance=show_finance)
    if form.is_valid():
        try:
            changed = editing.person_update(
                person=person, data=form.service_data(), actor=request.user
            )
        except ValidationError as exc:
            _add_service_errors(form, exc)
        else:
            if changed:
                messages.success(request, "Saved.")
            else:
                messages.info(request, "Nothing changed.")
            return redirect("people:detail", pk=person.pk)
    return _edit_page(request, person, form=form, status=400)


def _contact_add(request, pk: int, form_class, form_name: str, add):
    """Validate a contact-point form, call ``add(person, cleaned)``, and report the result."""
    person = _active_person_or_404(pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            added = add(person, form.cleaned_data)
        except ValidationError as exc:
            _add_service_errors(form, exc)
        else:
            messages.success(request, f"Added {added}.")
            return redirect("people:edit", pk=person.pk)
    return _edit_page(request, person, status=400, **{form_name: form})


@capability_required(PEOPLE_EDIT)
@require_POST
def person_email_add(request, pk: int):
    return _contact_add(
        request,
        pk,
        EmailAddForm,
        "email_form",
        lambda person, data: (
            editing.person_email_add(
                person=person,
                address=data["email"],
                status=data["email_status"],
                actor=request.user,
            ).address
        ),
    )


@capability_required(PEOPLE_EDIT)
@require_POST
def person_phone_add(request, pk: int):
    return _contact_add(
        request,
        pk,
        PhoneAddForm,
        "phone_form",
        lambda person, data: (
            editing.person_phone_add(
                person=person,
                number=data["phone"],
                phone_type=data["phone_type"],
                sms_status=data["sms_status"],
                actor=request.user,
            ).display
        ),
    )


@capability_required(PEOPLE_EDIT)
@require_POST
def person_address_add(request, pk: int):
    return _contact_add(
        request,
        pk,
        AddressAddForm,
        "address_form",
        lambda person, data: editing.person_address_add(
            person=person,
            raw=data,
            make_primary=data["make_primary"],
            actor=request.user,
        ),
    )


@capability_required(PEOPLE_EDIT)
@require_POST
def email_status_change(request, email_id: int):
    email = get_object_or_404(EmailAddress.objects.select_related("person"), pk=email_id)
    form = EmailStatusForm(request.POST, prefix=f"e{email.pk}")
    if form.is_valid():
        changed = editing.person_email_status_change(
            email=email, status=form.cleaned_data["status"], actor=request.user
        )
        if changed:
            messages.success(
                request,
                f"Subscription of {email.address} changed; the consent history records it.",
            )
    else:
        messages.error(request, "Choose a valid subscription status.")
    return redirect("people:edit", pk=email.person_id)


@capability_required(PEOPLE_EDIT)
@require_POST
def phone_sms_change(request, phone_id: int):
    phone = get_object_or_404(Phone.objects.select_related("person"), pk=phone_id)
    form = SmsStatusForm(request.POST, prefix=f"p{phone.pk}")
    if form.is_valid():
        if editing.person_sms_status_change(
            phone=phone, status=form.cleaned_data["status"], actor=request.user
        ):
            messages.success(
                request, f"SMS consent of {phone.display} changed; the consent history records it."
            )
    else:
        messages.error(request, "Choose a valid SMS consent status.")
    return redirect("people:edit", pk=phone.person_id)


# ---------------------------------------------------------------- merge


@capability_required(PEOPLE_MERGE)
def person_merge_pick(request, pk: int):
    person = _active_person_or_404(pk)
    query = (request.GET.get("q") or "").strip()
    candidates = None
    search = selectors.search_parse(query)
    if query:
        people = selectors.person_list(user=request.user, query=query).exclude(pk=person.pk)
        candidates = list(people[:20])
    return render(
        request,
        "people/merge_pick.html",
        {"person": person, "query": query, "search": search, "candidates": candidates},
    )


@capability_required(PEOPLE_MERGE)
def person_merge_compare(request, pk: int, other_pk: int):
    profiles = [_profile_or_404(request, pk), _profile_or_404(request, other_pk)]
    people = [p.person for p in profiles]
    form = MergeForm(request.POST or None, people=people, initial={"survivor": people[0].pk})
    if request.method == "POST" and form.is_valid():
        survivor_pk = form.cleaned_data["survivor"]
        survivor = next(p for p in people if p.pk == survivor_pk)
        merged = next(p for p in people if p.pk != survivor_pk)
        try:
            record = merge.person_merge(
                survivor=survivor,
                merged=merged,
                actor=request.user,
                ip_address=client_ip(request),
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, merge.merge_done_words(record=record, merged=merged))
            return redirect("people:detail", pk=survivor.pk)
    sides = [
        {
            "profile": profile,
            "counts": {
                "activities": selectors.person_activities(
                    user=request.user, person=profile.person
                ).count(),
                "consent": profile.person.consent_events.count(),
            },
        }
        for profile in profiles
    ]
    return render(
        request,
        "people/merge_compare.html",
        {
            "profiles": profiles,
            "sides": sides,
            "form": form,
            "show_finance": request.user.can(FINANCE_VIEW),
            "blocked": any(p.merged_into_id for p in people) or people[0].pk == people[1].pk,
        },
        status=400 if request.method == "POST" else 200,
    )


@capability_required(PEOPLE_MERGE)
@require_POST
def person_merge_undo(request, merge_id: int):
    record = get_object_or_404(MergeRecord, pk=merge_id)
    try:
        merge.person_merge_undo(record=record, actor=request.user, ip_address=client_ip(request))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"Merge undone: #{record.merged_id} is a separate person again.")
    return redirect("people:detail", pk=record.survivor_id)
