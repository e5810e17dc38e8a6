"""An interrupted import in a real headless Chromium on a phone: shown as interrupted, resumed
with one tap, finished with every row once; nothing wider than the screen."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from groundswell.core.tests.browser import PHONE, SHOTS
from groundswell.people import imports
from groundswell.people.models import ImportJob, Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing in the import catches it."""


def _shot(page, name: str) -> bool:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"import-{name}-phone.png"), full_page=True)
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_an_organizer_resumes_an_interrupted_import_on_a_phone(
    page, live_server, make_user, tmp_path, monkeypatch
):
    path = tmp_path / "supporters.csv"
    path.write_text("Email\n" + "".join(f"tap{n}@example.org\n" for n in range(1, 6)))
    monkeypatch.setattr(imports, "BATCH_SIZE", 2)
    job = imports.job_create(path=str(path), original_name="supporters.csv")

    def die(done: int, total: int):
        if done >= 2:
            raise WorkerKilled

    with pytest.raises(WorkerKilled):
        imports.job_run(job, progress=die)
    ImportJob.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - ImportJob.STALE_AFTER - timedelta(minutes=1)
    )
    make_user("organizer", username="orla")
    page.set_viewport_size(PHONE)
    url = f"/people/imports/{job.pk}/"
    page.goto(f"{live_server.url}/accounts/login/?next={url}")
    page.fill("#id_username", "orla")
    page.fill("#id_password", "pw-for-tests-1")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}{url}")
    assert page.get_by_role("heading", name="Interrupted").is_visible()
    assert page.get_by_text("stopped after row 2").is_visible()
    assert _shot(page, "interrupted")

    page.get_by_role("button", name="Resume").click()
    page.wait_for_url(f"{live_server.url}{url}")
    assert page.get_by_text("Import resumed: it continues after row 2.").is_visible()
    assert page.get_by_role("heading", name="Finished").is_visible()
    assert _shot(page, "resumed")
    job.refresh_from_db()
    assert (job.status, job.processed_rows, job.created_count, job.unchanged_count) == (
        ImportJob.Status.DONE,
        5,
        5,
        0,
    )
    assert Person.objects.count() == 5
