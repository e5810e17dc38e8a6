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


def progress_note(message: str) -> None:
    """Remember the latest stage of the run under way, for the page that polls it."""
    cache.set(PROGRESS_KEY, {"message": message, "at": timezone.now().isoformat()}, 6 * 3600)


def progress_read() -> dict | None:
    return cache.get(PROGRESS_KEY)


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
