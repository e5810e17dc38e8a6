"""CSV import through the UI: upload, column mapping, the run, and the row error report."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from groundswell.accounts.models import AuditEvent
from groundswell.people.models import EmailAddress, ImportJob, Person

UPLOAD = reverse("people:import_upload")

GOOD_AND_BAD = (
    "First Name,Last Name,E-mail,Zip,T-shirt\n"
    "Ann,Alvarez,ann@example.org,02134,M\n"
    "Bob,Bad,not-an-email,12345,L\n"
    "Cy,Cole,cy@example.org,ABCDE,S\n"
    "Di,Diaz,di@example.org,10001,XL\n"
)


def _upload(client, content: bytes | str, name: str = "supporters.csv"):
    if isinstance(content, str):
        content = content.encode()
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, content, "text/csv")})


def _mapping_post(job: ImportJob, **overrides) -> dict:
    data = {"tags": "", "source": "", "default_email_status": ""}
    for index, field in job.mapping.items():
        if field.startswith("custom:"):
            data[f"col_{index}"], data[f"custom_{index}"] = "__custom__", field[7:]
        else:
            data[f"col_{index}"] = field
    data.update(overrides)
    return data


@pytest.fixture
def client(persona_client):
    return persona_client("organizer")


def test_an_upload_leads_to_the_column_mapping_with_samples(client, db):
    response = _upload(client, GOOD_AND_BAD)
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("people:import_mapping", args=[job.pk])
    assert job.file.name.startswith("imports/")
    assert job.created_by.username == "organizer-persona"
    page = client.get(response["Location"]).content.decode()
    for header in ("First Name", "Last Name", "E-mail", "Zip", "T-shirt"):
        assert header in page
    assert "<code>ann@example.org</code>" in page  # a sample value of the column
    assert '<option value="email" selected>' in page  # the guessed mapping


def test_an_import_with_a_malformed_row_shows_the_error_report_with_line_and_reason(
    client, db, django_capture_on_commit_callbacks
):
    _upload(client, GOOD_AND_BAD)
    job = ImportJob.objects.get()
    data = _mapping_post(
        job,
        col_4="__custom__",
        custom_4="shirt size",
        tags="spring import, volunteers",
        source="fair-2026",
        default_email_status="subscribed",
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("people:import_mapping", args=[job.pk]), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("people:import_job", args=[job.pk])
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert (job.created_count, job.rejected_count) == (2, 2)

    page = client.get(response["Location"]).content.decode()
    assert "Rejected rows" in page
    bad_email = page[page.index('data-label="Line" class="num">3<') :]
    assert "not-an-email" in bad_email[:600]
    assert "E-mail address is not a valid e-mail address" in bad_email[:900]
    assert 'data-label="Line" class="num">4<' in page
    assert "must be five digits" in page

    ann = Person.objects.get(primary_email="ann@example.org")
    assert ann.custom_fields == {"shirt size": "M"}
    assert ann.source == "fair-2026"
    assert set(ann.tags.values_list("name", flat=True)) == {"spring import", "volunteers"}
    assert EmailAddress.objects.get(address="ann@example.org").status == "subscribed"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT).count() == 1


def test_the_error_report_downloads_as_csv(client, db, django_capture_on_commit_callbacks):
    _upload(client, GOOD_AND_BAD)
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("people:import_mapping", args=[job.pk]), _mapping_post(job))
    response = client.get(reverse("people:import_errors_csv", args=[job.pk]))
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [(r["line"], r["column"], r["value"]) for r in rows] == [
        ("3", "E-mail", "not-an-email"),
        ("4", "Zip", "ABCDE"),
    ]
    assert rows[0]["reason"].startswith("E-mail address is not a valid e-mail address")


def test_the_progress_fragment_polls_while_running_and_reloads_when_done(client, db):
    _upload(client, GOOD_AND_BAD)
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.RUNNING, processed_rows=2, total_rows=4, created_count=1
    )
    progress = reverse("people:import_progress", args=[job.pk])
    fragment = client.get(progress, HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in fragment
    assert 'aria-valuenow="50"' in fragment
    page = client.get(reverse("people:import_job", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in page
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.DONE)
    response = client.get(progress, HTTP_HX_REQUEST="true")
    assert response["HX-Refresh"] == "true"
    page = client.get(reverse("people:import_job", args=[job.pk])).content.decode()
    assert "every 1s" not in page
    assert "Every row was imported." in page


def test_a_mapping_without_email_or_phone_is_refused_with_the_reason(client, db):
    _upload(client, GOOD_AND_BAD)
    job = ImportJob.objects.get()
    response = client.post(
        reverse("people:import_mapping", args=[job.pk]), _mapping_post(job, col_2="ignore")
    )
    assert response.status_code == 400
    assert "No usable column" in response.content.decode()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PENDING


def test_a_custom_column_needs_a_name(client, db):
    _upload(client, GOOD_AND_BAD)
    job = ImportJob.objects.get()
    response = client.post(
        reverse("people:import_mapping", args=[job.pk]),
        _mapping_post(job, col_4="__custom__", custom_4=""),
    )
    assert response.status_code == 400
    assert "Name the custom field" in response.content.decode()


def test_a_started_import_is_not_started_twice(client, db, django_capture_on_commit_callbacks):
    _upload(client, GOOD_AND_BAD)
    job = ImportJob.objects.get()
    url = reverse("people:import_mapping", args=[job.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, _mapping_post(job))
    response = client.post(url, _mapping_post(job))
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT).count() == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The submitted file is empty."),
        (b"\n\n   \n", "The file is empty"),
        (
            b"\x00\x01\x02\x03binary\x00junk" * 50,
            "This is not a CSV file (it contains binary data)",
        ),
        (b"PK\x03\x04" + b"\x00" * 200, "This is a spreadsheet (.xlsx/.zip), not a CSV file"),
    ],
)
def test_an_unusable_file_gets_a_clear_message_not_an_error_page(client, db, content, message):
    response = _upload(client, content, name="people.csv")
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_file_over_the_size_limit_is_refused_with_the_limit(client, db, settings):
    settings.GROUNDSWELL_IMPORT_MAX_BYTES = 100
    response = _upload(client, GOOD_AND_BAD)
    assert response.status_code == 400
    page = response.content.decode()
    assert "the largest file this server accepts is 100\xa0bytes" in page
    assert not ImportJob.objects.exists()


def test_a_huge_upload_is_refused_before_it_is_read(client, db, settings):
    import os

    def stored_files() -> int:
        return sum(len(files) for _, _, files in os.walk(settings.MEDIA_ROOT))

    settings.GROUNDSWELL_IMPORT_MAX_BYTES = 1000
    before = stored_files()
    response = _upload(client, "email\n" + "someone@example.org\n" * 10_000)
    assert response.status_code == 413
    assert "the largest file this server accepts is 1000\xa0bytes" in response.content.decode()
    assert stored_files() == before
    assert not ImportJob.objects.exists()


def test_the_import_list_shows_jobs_and_an_empty_state(client, db):
    assert "No imports yet" in client.get(reverse("people:import_list")).content.decode()
    _upload(client, GOOD_AND_BAD)
    page = client.get(reverse("people:import_list")).content.decode()
    assert "supporters.csv" in page
    assert "Waiting for column mapping" in page
