"""Staff pages of segments: the list, the query builder with its live count and sample, and
the segment's actions (duplicate, delete, snapshot, CSV export).

The builder's state is the definition JSON in one form field (``builder.js`` keeps it in step
with the controls; without JavaScript it can be edited as text). Every definition that arrives
is outside input: parsed with ``core.untrusted.json_load`` and checked by the selectors for
this viewer's role, and refused with a 400 and its reason, never a server error.
"""

from __future__ import annotations

import json
import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from groundswell.accounts.models import AuditEvent
from groundswell.accounts.permissions import capability_required, client_ip
from groundswell.accounts.roles import FINANCE_VIEW, PEOPLE_EXPORT, PEOPLE_VIEW, SEGMENTS_EDIT
from groundswell.accounts.services import audit_record
from groundswell.core.htmx import fragment_requested, querystring
from groundswell.core.pagination import paginate
from groundswell.core.spreadsheet import csv_line
from groundswell.core.untrusted import JsonLimits, Refused, json_load
from groundswell.people.selectors import export_columns, person_export_rows
from groundswell.segments import selectors, services
from groundswell.segments.builder import builder_catalog, definition_describe
from groundswell.segments.definition import DefinitionError
from groundswell.segments.models import Segment, SegmentMode

log = logging.getLogger(__name__)
PER_PAGE = 25
DEFINITION_LIMITS = JsonLimits(max_bytes=32 * 1024, max_depth=12, max_string=500)


def _segment_or_404(request, pk: int) -> Segment:
    segment = get_object_or_404(Segment, pk=pk)
    # A segment over giving is not shown to roles that may not see giving: as if absent.
    if not selectors.segment_visible(segment=segment, user=request.user):
        raise Http404("No such segment.")
    return segment


def _definition_read(raw: str) -> object:
    try:
        return json_load(raw or "{}", limits=DEFINITION_LIMITS)
    except Refused as exc:
        raise DefinitionError(f"The definition could not be read: {exc.reason}.") from None


@capability_required(PEOPLE_VIEW)
@vary_on_headers("HX-Request")
def segment_list(request):
    query = (request.GET.get("q") or "").strip()[:100]
    segments = selectors.segments_for(user=request.user, query=query)
    page = paginate(segments, request.GET.get("page"), per_page=PER_PAGE)
    context = {"page": page, "query": query, "querystring": querystring(request, page=None)}
    template = "segments/_list.html" if fragment_requested(request) else "segments/list.html"
    return render(request, template, context)


@capability_required(PEOPLE_VIEW)
def segment_count_fragment(request, pk: int):
    """The segment's member count, loaded after the list so the list itself stays fast."""
    segment = _segment_or_404(request, pk)
    try:
        count = selectors.segment_count(segment=segment)
    except DefinitionError as exc:  # a condition whose data has since changed shape
        return render(request, "segments/_count.html", {"error": str(exc)})
    return render(request, "segments/_count.html", {"count": count})


def _builder_context(request, *, segment, definition, name="", description="", error=""):
    catalog = builder_catalog(user=request.user)
    return {
        "segment": segment,
        "definition_text": definition if isinstance(definition, str) else json.dumps(definition),
        "name": name,
        "description": description,
        "error": error,
        "catalog": catalog,
        "modes": SegmentMode.choices,
    }


@capability_required(SEGMENTS_EDIT)
def segment_new(request):
    if request.method == "POST":
        return _save(request, segment=None)
    context = _builder_context(request, segment=None, definition={"op": "and", "items": []})
    return render(request, "segments/builder.html", context)


@capability_required(PEOPLE_VIEW)
def segment_detail(request, pk: int):
    """The segment: its conditions, count and sample; the builder for those who may edit."""
    segment = _segment_or_404(request, pk)
    if request.method == "POST":
        if not request.user.can(SEGMENTS_EDIT):
            raise PermissionDenied("Your role does not allow segments.edit.")
        return _save(request, segment=segment)
    context = _builder_context(
        request,
        segment=segment,
        definition=segment.definition,
        name=segment.name,
        description=segment.description,
    )
    context["summary"] = definition_describe(segment.definition)
    try:
        context.update(_preview(request, segment=segment))
    except DefinitionError as exc:  # a condition no longer registered, or no longer valid
        context.update(error=str(exc), count=None)
    template = "segments/builder.html" if request.user.can(SEGMENTS_EDIT) else "segments/view.html"
    return render(request, template, context)


def _save(request, *, segment: Segment | None):
    name = request.POST.get("name", "")
    description = request.POST.get("description", "")
    raw = request.POST.get("definition", "")
    try:
        definition = _definition_read(raw)
        if segment is None:
            segment = services.segment_create(
                name=name,
                description=description,
                definition=definition,
                mode=request.POST.get("mode") or SegmentMode.DYNAMIC,
                actor=request.user,
            )
        else:
            services.segment_update(
                segment=segment,
                name=name,
                description=description,
                definition=definition,
                actor=request.user,
            )
    except (DefinitionError, ValidationError) as exc:
        text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        log.info("segment not saved: %s", text)
        context = _builder_context(
            request,
            segment=segment if segment is not None and segment.pk else None,
            definition=raw,
            name=name,
            description=description,
            error=text,
        )
        return render(request, "segments/builder.html", context, status=400)
    messages.success(request, f"Saved {segment.name}.")
    return redirect("segments:detail", pk=segment.pk)


def _preview(request, *, segment=None, definition=None) -> dict:
    count = (
        selectors.segment_count(segment=segment)
        if segment is not None
        else selectors.definition_count(definition=definition)
    )
    sample = selectors.segment_sample(
        user=request.user, segment=segment, definition=definition, n=10
    )
    return {"count": count, "sample": sample, "show_finance": request.user.can(FINANCE_VIEW)}


@require_POST
@capability_required(SEGMENTS_EDIT)
def segment_preview(request):
    """The builder's live count and sample for the definition being edited (a fragment)."""
    try:
        definition = selectors.definition_check(
            definition=_definition_read(request.POST.get("definition", "")), user=request.user
        )
        context = _preview(request, definition=definition)
    except DefinitionError as exc:
        log.info("segment preview refused for %s: %s", request.user.username, exc)
        return render(request, "segments/_preview.html", {"error": str(exc)}, status=400)
    return render(request, "segments/_preview.html", context)


@require_POST
@capability_required(SEGMENTS_EDIT)
def segment_duplicate(request, pk: int):
    segment = _segment_or_404(request, pk)
    try:
        copy = services.segment_duplicate(segment=segment, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("segments:detail", pk=segment.pk)
    messages.success(request, f"Made {copy.name}: change it and save.")
    return redirect("segments:detail", pk=copy.pk)


@capability_required(SEGMENTS_EDIT)
def segment_delete(request, pk: int):
    segment = _segment_or_404(request, pk)
    if request.method != "POST":
        return render(request, "segments/delete.html", {"segment": segment})
    services.segment_delete(segment=segment, actor=request.user)
    messages.success(request, f"Deleted {segment.name}.")
    return redirect("segments:list")


@require_POST
@capability_required(SEGMENTS_EDIT)
def segment_snapshot(request, pk: int):
    """Freeze the members now, or (action=release) make the segment dynamic again."""
    segment = _segment_or_404(request, pk)
    if request.POST.get("action") == "release":
        services.segment_snapshot_release(segment=segment, actor=request.user)
        messages.success(
            request, f"{segment.name} is dynamic again: members are worked out each time."
        )
        return redirect("segments:detail", pk=segment.pk)
    with transaction.atomic():
        services.segment_snapshot_request(segment=segment, actor=request.user)
    messages.success(
        request,
        f"Taking a snapshot of {segment.name} in the background; this page shows when it is done.",
    )
    return redirect("segments:detail", pk=segment.pk)


@capability_required(PEOPLE_EXPORT)
def segment_export(request, pk: int):
    """The members as CSV, with people's export columns (finance columns for finance roles)."""
    segment = _segment_or_404(request, pk)
    try:
        people = selectors.segment_people(segment=segment)
    except DefinitionError as exc:
        messages.error(request, f"This segment cannot be exported: {exc}")
        return redirect("segments:detail", pk=segment.pk)
    # Pinned to the people who match now, so the audit log's count is the file's.
    newest = people.order_by("-id").values_list("pk", flat=True).first()
    people = people.filter(pk__lte=newest) if newest is not None else people.none()
    row_count = people.count()
    columns = export_columns(user=request.user)
    # Recorded before the first row leaves: an interrupted export of personal data is one.
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.EXPORT,
        summary=f"exported segment {segment.name}: {row_count} "
        f"{'person' if row_count == 1 else 'people'} to CSV",
        target=segment,
        details={
            "segment": segment.pk,
            "row_count": row_count,
            "finance_columns": "employer" in columns,
        },
        ip_address=client_ip(request),
    )
    user = request.user

    def rows():
        yield csv_line(columns)
        # Each chunk of members is read under the settings a segment's query needs.
        with selectors.segment_query_settings():
            for row in person_export_rows(people, user=user):
                yield csv_line(row[c] for c in columns)

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="segment-{segment.pk}-{stamp}.csv"'
    return response
