"""Resolve now: one run however often it is clicked, its stages as they pass, Splink's chatter
summarised in one line."""

from __future__ import annotations

import logging
import warnings

import pytest
from django.urls import reverse
from django.utils import timezone

from groundswell.identity import tasks, views_counts
from groundswell.identity.models import ResolutionRun
from groundswell.identity.services import identity_resolve
from groundswell.identity.tests.test_services import gift, saved_model  # noqa: F401
from groundswell.identity.training_log import splink_warnings_summarised

pytestmark = pytest.mark.django_db


class _Queue:
    """Stands in for the task: records what would be enqueued (a worker never picks it up)."""

    def __init__(self):
        self.requests: list[str] = []

    def enqueue(self, *, requested_at: str) -> None:
        self.requests.append(requested_at)


def test_a_second_click_while_a_run_is_queued_starts_nothing(
    persona_client, monkeypatch, django_capture_on_commit_callbacks
):
    queue = _Queue()
    monkeypatch.setattr(views_counts, "identity_resolve_run", queue)
    queued = queue.requests
    client = persona_client("finance")
    url = reverse("identity:run_start")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(url, follow=True)
    assert len(queued) == 1
    assert "already under way" in second.content.decode()


def test_a_click_while_a_run_is_under_way_starts_nothing(persona_client, monkeypatch):
    queue = _Queue()
    monkeypatch.setattr(views_counts, "identity_resolve_run", queue)
    ResolutionRun.objects.create(
        started_at=timezone.now(), backend="duckdb", auto_link=0.99, review_floor=0.8
    )
    persona_client("finance").post(reverse("identity:run_start"))
    assert queue.requests == []


def test_the_stages_pass_in_order_and_a_skipped_training_counts_as_passed():
    tasks.progress_request(timezone.now().isoformat())
    assert tasks.progress_queued()
    tasks.progress_note("Starting")
    assert not tasks.progress_queued()
    for stage in ("read", "normalise", "collapse", "deterministic"):
        tasks.progress_note(stage)
    view = tasks.progress_stages(tasks.progress_read())
    status = {s["name"]: s["status"] for s in view["stages"]}
    assert status["deterministic"] == "done" and status["train"] == "current"
    assert view["percent"] == round(100 * 4 / len(tasks.STAGES))
    tasks.progress_note("predict")  # a saved model was reused: no training
    status = {
        s["name"]: s["status"] for s in tasks.progress_stages(tasks.progress_read())["stages"]
    }
    assert status["train"] == "skipped" and status["cluster"] == "current"


def test_the_status_page_shows_stages_and_records_of_the_run_under_way(persona_client):
    ResolutionRun.objects.create(
        started_at=timezone.now(), backend="duckdb", auto_link=0.99, review_floor=0.8,
        person_records=1200, contribution_records=34,
    )  # fmt: skip
    tasks.progress_note("Starting")
    tasks.progress_note("read")
    html = persona_client("finance").get(reverse("identity:run_status")).content.decode()
    assert 'id="run-progress"' in html and "1,234" in html
    assert 'data-stage="read" data-status="done"' in html
    assert 'hx-trigger="every 2s"' in html and "<script" not in html


def test_splink_warnings_become_one_line(caplog):
    with caplog.at_level(logging.WARNING), splink_warnings_summarised() as chatter:
        for level in range(12):
            logging.getLogger("splink.internals.em").warning("Level %s not observed", level)
        warnings.warn("a deprecation", DeprecationWarning, stacklevel=1)
    assert len(chatter.messages) == 13
    lines = [r.getMessage() for r in caplog.records if "not observed" in r.getMessage()]
    assert lines == [
        "identity: Splink gave 13 warning(s) while matching; the first: Level 0 not observed"
    ]
    assert logging.getLogger("splink").handlers == [] or all(
        type(h).__name__ != "_Collect" for h in logging.getLogger("splink").handlers
    )


@pytest.mark.usefixtures("saved_model")
def test_a_real_run_reports_every_stage_in_order():
    gift("Odalys", "Fenwright", donor_email="odalys@example.org", donor_postal_code="94110")
    said: list[str] = []
    run = identity_resolve(progress=said.append)
    names = [name for name, _ in tasks.STAGES]
    reported = [s for s in said if s in names]
    assert reported == sorted(reported, key=names.index)  # in the display's order
    # Training (a saved model) and scoring (too few records to pair) may be skipped.
    assert set(names) - set(reported) <= {"train", "predict"}
    assert run.status == ResolutionRun.Status.DONE
