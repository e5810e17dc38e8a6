"""Staff pages of the CSV import: upload, column mapping, progress and the error report.

Views parse input, call one selector or service, and render. Every view checks its capability
on the server; templates only hide what a role cannot use. htmx requests get a fragment of the
page; the same URLs serve whole pages without JavaScript.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from groundswell.accounts.models import AuditEvent
from groundswell.accounts.permissions import capability_required, client_ip
from groundswell.accounts.roles import (
    PEOPLE_IMPORT,
)
from groundswell.accounts.services import audit_record
from groundswell.core.htmx import fragment_requested
from groundswell.core.pagination import paginate
from groundswell.people import imports, selectors
from groundswell.people.forms import (
    ImportMappingForm,
    ImportUploadForm,
    upload_too_large_message,
)
from groundswell.people.models import (
    ImportJob,
)
from groundswell.people.tasks import people_import_run

# ---------------------------------------------------------------- import


@capability_required(PEOPLE_IMPORT)
def import_list(request):
    page = paginate(selectors.import_job_list(user=request.user), request.GET.get("page"), 25)
    return render(request, "people/import_list.html", {"page": page})


# Room for the multipart envelope around the file itself.
_MULTIPART_SLACK = 64 * 1024


@capability_required(PEOPLE_IMPORT)
def import_upload(request):
    limit = settings.GROUNDSWELL_IMPORT_MAX_BYTES
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if request.method == "POST" and length > limit + _MULTIPART_SLACK:
        # Refused before Django reads the body, so an oversized file never reaches the disk.
        return render(
            request,
            "people/import_upload.html",
            {
                "form": ImportUploadForm(),
                "max_bytes": limit,
                "too_large": upload_too_large_message(length, limit),
            },
            status=413,
        )
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        name = ImportJob._meta.get_field("file").generate_filename(None, upload.name)
        stored = default_storage.save(name, upload)
        try:
            job = imports.job_create(
                path=default_storage.path(stored),
                original_name=upload.name,
                user=request.user,
                stored_file=stored,
            )
        except imports.ImportFileError as exc:
            default_storage.delete(stored)
            form.add_error("file", f"{upload.name}: {_sentence(str(exc))}")
        else:
            return redirect("people:import_mapping", job_id=job.pk)
    return render(
        request,
        "people/import_upload.html",
        {"form": form, "max_bytes": limit},
        status=400 if request.method == "POST" else 200,
    )


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[:1].upper() + text[1:]) if text else text


@capability_required(PEOPLE_IMPORT)
def import_mapping(request, job_id: int):
    job = get_object_or_404(ImportJob, pk=job_id)
    if job.status != ImportJob.Status.PENDING:
        return redirect("people:import_job", job_id=job.pk)
    try:
        samples = selectors.import_job_samples(job)
    except (OSError, imports.ImportFileError) as exc:
        messages.error(request, f"The uploaded file cannot be read any more: {exc}")
        return redirect("people:import_list")
    form = ImportMappingForm(request.POST or None, job=job, samples=samples)
    if request.method == "POST" and form.is_valid():
        mapping = form.cleaned_data["mapping"]
        try:
            imports.mapping_check(mapping)
        except imports.ImportFileError as exc:
            form.add_error(None, _sentence(str(exc)))
        else:
            _import_start(request, job, form.cleaned_data)
            return redirect("people:import_job", job_id=job.pk)
    return render(
        request,
        "people/import_mapping.html",
        {"job": job, "form": form},
        status=400 if request.method == "POST" else 200,
    )


def _import_start(request, job: ImportJob, cleaned: dict) -> None:
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status != ImportJob.Status.PENDING:
            return  # started by a double submit; the first one wins
        job.mapping = cleaned["mapping"]
        job.tags = cleaned["tag_list"]
        job.source = cleaned["source"].strip()
        job.default_email_status = cleaned["default_email_status"]
        job.status = ImportJob.Status.QUEUED
        job.heartbeat_at = timezone.now()
        job.save(
            update_fields=[
                "mapping",
                "tags",
                "source",
                "default_email_status",
                "status",
                "heartbeat_at",
                "modified_at",
            ]
        )
        audit_record(
            actor=request.user,
            action=AuditEvent.Action.IMPORT,
            summary=f"started import #{job.pk} of {job.original_name}",
            target=job,
            details={"file": job.original_name, "sha256": job.sha256, "size": job.size_bytes},
            ip_address=client_ip(request),
        )
        job_id = job.pk
        # Enqueued after commit so the worker sees the job as queued with its mapping.
        transaction.on_commit(lambda: people_import_run.enqueue(job_id=job_id))


def _job_context(request, job: ImportJob) -> dict:
    errors = None
    if job.is_finished:
        errors = paginate(selectors.import_row_errors(job=job), request.GET.get("page"), 50)
    return {"job": job, "errors": errors}


@capability_required(PEOPLE_IMPORT)
def import_job(request, job_id: int):
    job = get_object_or_404(ImportJob.objects.select_related("created_by"), pk=job_id)
    if job.status == ImportJob.Status.PENDING:
        return redirect("people:import_mapping", job_id=job.pk)
    return render(request, "people/import_job.html", _job_context(request, job))


@capability_required(PEOPLE_IMPORT)
@require_POST
def import_resume(request, job_id: int):
    job = get_object_or_404(ImportJob, pk=job_id)
    if imports.job_resume(job=job, actor=request.user, ip_address=client_ip(request)):
        messages.success(request, f"Import resumed: it continues after row {job.processed_rows:,}.")
    elif job.is_finished:
        messages.info(request, "This import has already finished.")
    else:
        messages.info(request, "This import is still running; there is nothing to resume.")
    return redirect("people:import_job", job_id=job.pk)


@capability_required(PEOPLE_IMPORT)
def import_progress(request, job_id: int):
    job = get_object_or_404(ImportJob, pk=job_id)
    if job.is_finished and fragment_requested(request):
        # The finished page has the error report; reload into it rather than patching it in.
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "people/_import_progress.html", {"job": job})


@capability_required(PEOPLE_IMPORT)
def import_errors_csv(request, job_id: int):
    job = get_object_or_404(ImportJob, pk=job_id)

    response = StreamingHttpResponse(
        selectors.import_error_report_lines(job=job), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.csv"'
    return response
