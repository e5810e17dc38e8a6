"""Background tasks of the identity app. Each is idempotent: running it twice changes nothing."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.core.cache import cache
from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)

PROGRESS_KEY = "identity:resolve:progress"
# A run that has said nothing for this long is taken for dead (a killed worker), not running.
STALE_AFTER = timedelta(hours=6)
# A request no worker has picked up for this long no longer holds the button back.
QUEUED_FOR = timedelta(minutes=15)
# The stages of a run in order, as the engine and the service report them (engine._Clock's
# lap names between "read" and "write"); "train" is skipped when a saved model is reused.
STAGES = (
    ("read", "Reading people and gifts"),
    ("normalise", "Normalising names and addresses"),
    ("collapse", "Collapsing identical records"),
    ("deterministic", "Linking by e-mail, phone and exact name"),
    ("train", "Training the matching model"),
    ("predict", "Scoring candidate pairs"),
    ("cluster", "Grouping records into people"),
    ("write", "Saving people, suggestions and why records are linked"),
    ("figures", "Counting unique donors for the pages"),
)
_STAGE_NAMES = [name for name, _ in STAGES]


def _save(state: dict) -> None:
    cache.set(PROGRESS_KEY, state, int(STALE_AFTER.total_seconds()))


def progress_request(requested_at: str) -> None:
    """Remember that a run was asked for, so a second click is answered "already queued"."""
    _save({"state": "queued", "requested_at": requested_at, "done": [], "message": "Queued"})


def progress_note(message: str) -> None:
    """Remember the latest stage of the run under way, for the page that polls it."""
    state = cache.get(PROGRESS_KEY) or {}
    done = list(state.get("done", []))
    if message == "Starting":
        done = []
    elif message in _STAGE_NAMES and message not in done:
        done.append(message)
    finished = {"Done": "done", "Failed": "failed"}.get(message)
    _save(
        {
            **state,
            "state": finished or "running",
            "done": done,
            "message": dict(STAGES).get(message, message),
            "at": timezone.now().isoformat(),
        }
    )


def progress_read() -> dict | None:
    return cache.get(PROGRESS_KEY)


def progress_queued() -> bool:
    """Whether a run was asked for recently and no worker has started it yet."""
    state = progress_read() or {}
    if state.get("state") != "queued":
        return False
    try:
        asked = datetime.fromisoformat(state["requested_at"])
    except (KeyError, TypeError, ValueError):
        return False
    return timezone.now() - asked < QUEUED_FOR


def progress_stages(state: dict | None) -> dict:
    """Each stage done, under way or to come, and the share done, for the progress display."""
    done = set((state or {}).get("done", []))
    reached = max((_STAGE_NAMES.index(name) for name in done), default=-1)
    stages = []
    current_given = False
    for index, (name, label) in enumerate(STAGES):
        if name in done:
            status = "done"
        elif index < reached:
            status = "skipped"
        elif not current_given and (state or {}).get("state") == "running":
            status, current_given = "current", True
        else:
            status = "pending"
        stages.append({"name": name, "label": label, "status": status})
    finished = sum(1 for s in stages if s["status"] in ("done", "skipped"))
    return {"stages": stages, "percent": round(100 * finished / len(STAGES))}


@task()
def identity_resolve_run(requested_at: str) -> dict:
    """Resolve people and donors, unless a run has finished or started since it was requested."""
    from groundswell.identity.models import ResolutionRun
    from groundswell.identity.services import identity_resolve

    since = datetime.fromisoformat(requested_at)
    # Two clicks (or a retried task) must not start two runs: a run that began after the
    # request, or one still going, answers it.
    recent = ResolutionRun.objects.filter(started_at__gte=since).exclude(
        status=ResolutionRun.Status.FAILED
    )
    running = ResolutionRun.objects.filter(
        status=ResolutionRun.Status.RUNNING, started_at__gte=timezone.now() - STALE_AFTER
    )
    if recent.exists() or running.exists():
        return {"skipped": True}
    progress_note("Starting")
    try:
        run = identity_resolve(progress=progress_note)
    except Exception:
        logger.exception("identity: the resolution run failed")
        progress_note("Failed")
        raise
    progress_note("Done")
    return {"run": run.pk, "clusters": run.clusters, "suggestions": run.suggestions}
