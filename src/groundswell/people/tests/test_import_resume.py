"""An import whose worker stopped mid-file: shown as interrupted, resumed by staff or by the
periodic sweep, from its last committed batch, each row once."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from groundswell.accounts.models import AuditEvent
from groundswell.people import imports
from groundswell.people.models import Activity, ImportJob, ImportRowError, Person

pytestmark = pytest.mark.django_db

ROWS = 7


class WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing in the import catches it or marks the job failed."""


def _file(tmp_path) -> str:
    path = tmp_path / "supporters.csv"
    lines = ["First Name,Email"]
    for n in range(1, ROWS + 1):
        lines.append(f"Kit{n},{'no-at-sign' if n == 4 else f'kit{n}@example.org'}")
    path.write_text("\n".join(lines) + "\n")
    return str(path)


@pytest.fixture
def interrupted_job(tmp_path, monkeypatch, organizer_user) -> ImportJob:
    """A job whose run died after its second batch of two rows committed, minutes ago."""
    monkeypatch.setattr(imports, "BATCH_SIZE", 2)
    job = imports.job_create(path=_file(tmp_path), original_name="supporters.csv")
    ImportJob.objects.filter(pk=job.pk).update(created_by=organizer_user)

    def die_after_two_batches(done: int, total: int):
        if done >= 4:
            raise WorkerKilled

    with pytest.raises(WorkerKilled):
        imports.job_run(job, progress=die_after_two_batches)
    ImportJob.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - ImportJob.STALE_AFTER - timedelta(seconds=1)
    )
    job.refresh_from_db()
    return job


def _assert_every_row_arrived_once(job: ImportJob) -> None:
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert job.processed_rows == ROWS
    # Resumed after the checkpoint: nothing already imported was read again.
    assert (job.created_count, job.updated_count, job.unchanged_count) == (ROWS - 1, 0, 0)
    assert Person.objects.count() == ROWS - 1
    assert Activity.objects.filter(kind="import").count() == ROWS - 1
    assert list(ImportRowError.objects.values_list("line", flat=True)) == [5]


def test_a_killed_run_leaves_the_job_running_at_its_checkpoint(interrupted_job):
    assert interrupted_job.status == ImportJob.Status.RUNNING
    assert interrupted_job.processed_rows == 4
    assert Person.objects.count() == 3  # line 5 (row 4) was rejected
    assert interrupted_job.is_stale
    assert list(ImportJob.objects.stale()) == [interrupted_job]


def test_a_running_job_with_a_recent_heartbeat_is_not_stale(interrupted_job):
    ImportJob.objects.filter(pk=interrupted_job.pk).update(heartbeat_at=timezone.now())
    interrupted_job.refresh_from_db()
    assert not interrupted_job.is_stale
    assert not ImportJob.objects.stale().exists()
    assert imports.job_resume(job=interrupted_job) is False


def test_the_job_page_shows_a_stale_import_as_interrupted_with_a_resume_button(
    interrupted_job, persona_client
):
    page = persona_client("organizer").get(reverse("people:import_job", args=[interrupted_job.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Interrupted" in html
    assert f'action="{reverse("people:import_resume", args=[interrupted_job.pk])}"' in html
    assert "csrfmiddlewaretoken" in html
    assert ">Resume</button>" in html
    # An interrupted job's page stops polling for progress that will not come.
    assert "hx-trigger" not in html
    listing = persona_client("organizer").get(reverse("people:import_list")).content.decode()
    assert "Interrupted" in listing


def test_a_live_import_offers_no_resume(interrupted_job, persona_client):
    ImportJob.objects.filter(pk=interrupted_job.pk).update(heartbeat_at=timezone.now())
    html = (
        persona_client("organizer")
        .get(reverse("people:import_job", args=[interrupted_job.pk]))
        .content.decode()
    )
    assert "Interrupted" not in html
    assert ">Resume</button>" not in html
    assert "hx-trigger" in html


@pytest.mark.parametrize("role", ["admin", "finance", "organizer"])
def test_staff_who_import_resume_an_interrupted_import_and_it_is_audited(
    interrupted_job, persona_client, django_capture_on_commit_callbacks, role
):
    client = persona_client(role)
    url = reverse("people:import_resume", args=[interrupted_job.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("people:import_job", args=[interrupted_job.pk])
    _assert_every_row_arrived_once(interrupted_job)
    event = AuditEvent.objects.get(summary__startswith="resumed import")
    assert event.actor.username == f"{role}-persona"
    assert event.action == AuditEvent.Action.IMPORT
    assert "after 4 rows" in event.summary


@pytest.mark.parametrize("role,status", [("volunteer", 403), (None, 302)])
def test_others_cannot_resume_an_import(interrupted_job, persona_client, role, status):
    url = reverse("people:import_resume", args=[interrupted_job.pk])
    response = persona_client(role).post(url)
    assert response.status_code == status
    if role is None:
        assert response["Location"].startswith(reverse("accounts:login"))
    interrupted_job.refresh_from_db()
    assert interrupted_job.status == ImportJob.Status.RUNNING
    assert interrupted_job.processed_rows == 4


def test_resume_is_a_post(interrupted_job, persona_client):
    url = reverse("people:import_resume", args=[interrupted_job.pk])
    assert persona_client("organizer").get(url).status_code == 405
    interrupted_job.refresh_from_db()
    assert interrupted_job.status == ImportJob.Status.RUNNING


def test_resuming_a_live_import_changes_nothing(
    interrupted_job, persona_client, django_capture_on_commit_callbacks
):
    ImportJob.objects.filter(pk=interrupted_job.pk).update(heartbeat_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = persona_client("organizer").post(
            reverse("people:import_resume", args=[interrupted_job.pk]), follow=True
        )
    assert callbacks == []
    assert "still running" in response.content.decode()
    assert not AuditEvent.objects.filter(summary__startswith="resumed import").exists()


def test_the_periodic_sweep_resumes_a_stale_import(
    interrupted_job, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("periodic", "--once")
    _assert_every_row_arrived_once(interrupted_job)
    # Run again, the sweep finds nothing to resume.
    assert imports.jobs_resume_stale() == []
    with django_capture_on_commit_callbacks(execute=True):
        call_command("periodic", "--once")
    _assert_every_row_arrived_once(interrupted_job)


def test_a_superseded_run_stops_without_writing_its_batch(interrupted_job, monkeypatch):
    # The presumed-dead run was only slow: a resume took the job over meanwhile.
    ImportJob.objects.filter(pk=interrupted_job.pk).update(run_token="the-resumed-run")
    monkeypatch.setattr(imports, "BATCH_SIZE", 2)
    info = imports.file_inspect(interrupted_job.path)
    mapping = {int(k): v for k, v in interrupted_job.mapping.items() if v != imports.IGNORE}
    batch = next(
        imports._cleaned_batches(
            interrupted_job.path,
            info,
            mapping,
            {"tags": [], "source": "", "default_email_status": ""},
            skip=4,
        )
    )
    context = imports.IntakeContext(
        method="import", source="x", actor=None, dedupe_prefix=f"import:{info.sha256[:16]}"
    )
    with pytest.raises(imports.ImportSuperseded):
        imports._write_batch(interrupted_job, batch, context, "the-dead-run")
    interrupted_job.refresh_from_db()
    assert interrupted_job.processed_rows == 4
    assert Person.objects.count() == 3


def test_a_changed_file_is_not_resumed_from_a_checkpoint_of_the_old_one(interrupted_job):
    with open(interrupted_job.path, "a") as fh:
        fh.write("Late,late@example.org\n")
    job = imports.job_run(interrupted_job)
    assert job.status == ImportJob.Status.FAILED
    assert "the file has changed" in job.error_message
    assert Person.objects.count() == 3


def test_a_job_whose_file_is_gone_fails_with_a_message_rather_than_resuming_forever(
    interrupted_job,
):
    os.remove(interrupted_job.path)
    job = imports.job_run(interrupted_job)
    assert job.status == ImportJob.Status.FAILED
    assert "the file cannot be read any more" in job.error_message
    assert not ImportJob.objects.stale().exists()
