"""Staff pages of hashed ad audiences: a segment's audience and the top-donor seed, each with
its counts before download and its two files (Meta, Google) streamed as CSV."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from groundswell.accounts.permissions import capability_required, client_ip
from groundswell.accounts.roles import PEOPLE_EXPORT
from groundswell.analytics.audiences import selectors
from groundswell.analytics.audiences.formats import FORMATS, Format
from groundswell.analytics.audiences.services import audience_export_record
from groundswell.core.spreadsheet import csv_line
from groundswell.core.untrusted import whole_number
from groundswell.segments.definition import DefinitionError
from groundswell.segments.models import Segment
from groundswell.segments.selectors import segment_people, segment_visible

logger = logging.getLogger(__name__)


def _refuse(request, message: str, *, back: str = "", status: int = 400):
    logger.warning("audiences: refused %s: %s", request.get_full_path()[:300], message)
    return render(
        request,
        "analytics/audiences/refused.html",
        {"message": message, "back": back},
        status=status,
    )


def _segment_or_404(request, pk: int) -> Segment:
    segment = get_object_or_404(Segment, pk=pk)
    # A segment over giving stays invisible to roles that may not see giving.
    if not segment_visible(segment=segment, user=request.user):
        raise Http404("No such segment.")
    return segment


def _format_or_none(platform: str) -> Format | None:
    return FORMATS.get(platform)


def _stream(fmt: Format, identifiers, filename: str) -> StreamingHttpResponse:
    def rows():
        yield csv_line(fmt.headers)
        for ids in identifiers:
            row = fmt.row(ids)
            if row is not None:
                yield csv_line(row)

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{filename}-{fmt.key}-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response


@capability_required(PEOPLE_EXPORT)
def segment_audience(request, pk: int):
    """The segment's audience before download: rows, usable identifiers, who is left out."""
    segment = _segment_or_404(request, pk)
    try:
        members = segment_people(segment=segment)
        people = selectors.audience_people(members)
        summary = selectors.audience_summary(selectors.identifiers_iter(people))
        excluded = selectors.excluded_count(members)
    except DefinitionError as exc:
        return _refuse(request, f"This segment cannot be used: {exc}", back="segment")
    context = {
        "segment": segment,
        "summary": summary,
        "excluded": excluded,
        "formats": FORMATS.values(),
        "seed": False,
    }
    return render(request, "analytics/audiences/audience.html", context)


@capability_required(PEOPLE_EXPORT)
def segment_audience_file(request, pk: int, platform: str):
    segment = _segment_or_404(request, pk)
    fmt = _format_or_none(platform)
    if fmt is None:
        return _refuse(request, "There is no such audience format; choose Meta or Google.")
    try:
        people = selectors.segment_audience_people(segment=segment)
        count = people.count()
    except DefinitionError as exc:
        return _refuse(request, f"This segment cannot be used: {exc}")
    if not count:
        return _refuse(
            request,
            "No one in this segment can go into an ad audience (it is empty, or everyone in it "
            "opted out or was erased): there is no file to download.",
        )
    # Recorded before the first row leaves: an interrupted export of personal data is one.
    audience_export_record(
        actor=request.user,
        platform_label=fmt.label,
        platform=fmt.key,
        people=count,
        what=f"segment {segment.name}",
        target=segment,
        ip_address=client_ip(request),
        extra={"segment": segment.pk},
    )
    return _stream(fmt, selectors.identifiers_iter(people), f"audience-segment-{segment.pk}")


def _seed_size(request) -> int | None:
    text = request.GET.get("size", "")
    if not text:
        return selectors.SEED_DEFAULT
    size = whole_number(text, max_digits=6)
    return size if size in selectors.SEED_SIZES else None


def _seed_allowed(request) -> None:
    if not selectors.seed_may_export(request.user):
        raise PermissionDenied("The donor seed is finance data: your role cannot export it.")


def _size_refused(request):
    sizes = ", ".join(str(s) for s in selectors.SEED_SIZES)
    return _refuse(request, f"The size must be one of {sizes}.", back="donors")


@capability_required(PEOPLE_EXPORT)
def donor_seed(request):
    """The top donors by net giving, as a seed audience for lookalikes (finance roles)."""
    _seed_allowed(request)
    size = _seed_size(request)
    if size is None:
        return _size_refused(request)
    pks = selectors.top_donor_ids(user=request.user, size=size)
    summary = selectors.audience_summary(selectors.ordered_identifiers(pks))
    context = {
        "summary": summary,
        "formats": FORMATS.values(),
        "seed": True,
        "size": size,
        "sizes": selectors.SEED_SIZES,
    }
    return render(request, "analytics/audiences/audience.html", context)


@capability_required(PEOPLE_EXPORT)
def donor_seed_file(request, platform: str):
    _seed_allowed(request)
    fmt = _format_or_none(platform)
    if fmt is None:
        return _refuse(request, "There is no such audience format; choose Meta or Google.")
    size = _seed_size(request)
    if size is None:
        return _size_refused(request)
    pks = selectors.top_donor_ids(user=request.user, size=size)
    if not pks:
        return _refuse(
            request,
            "There are no donors an ad audience can include yet: no file to download.",
            back="donors",
        )
    audience_export_record(
        actor=request.user,
        platform_label=fmt.label,
        platform=fmt.key,
        people=len(pks),
        what=f"the top {size} donors",
        ip_address=client_ip(request),
        extra={"seed_size": size},
    )
    return _stream(fmt, selectors.ordered_identifiers(pks), f"audience-top-donors-{size}")
