"""Writing synthetic supporters into the database, through the same upsert as every intake."""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta

from groundswell.core.bulk import planner_statistics_refresh
from groundswell.people.models import ConsentMethod
from groundswell.people.services import IntakeContext, people_upsert
from groundswell.people.synthetic import CHUNK, chunk_clean

_LATER_SUMMARY = {
    "unsubscribe_link": "Unsubscribed through a mailing's link",
    "bounce": "Mail to this address bounced",
    "complaint": "Reported a mailing as spam",
}
_LATER_SOURCE = {
    "unsubscribe_link": "unsubscribe link in a mailing",
    "bounce": "mail server bounce",
    "complaint": "feedback loop report",
}


def _chunks(count: int, seed: int):
    chunks = range(-(-count // CHUNK))
    if len(chunks) < 3 or (os.cpu_count() or 1) < 2:
        for chunk in chunks:
            yield chunk_clean(seed, chunk, count)
        return
    # Making and cleaning people is CPU work; a helper process does it ahead of the writes.
    # "spawn": the helper must not inherit the parent's database connections.
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        pending: deque = deque()
        for chunk in chunks:
            pending.append(pool.submit(chunk_clean, seed, chunk, count))
            if len(pending) >= 3:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def people_seed(*, count: int, seed: int = 1, progress: Callable[[int], None] | None = None) -> int:
    """Create ``count`` synthetic people with sign-up dates and consent histories."""
    written = 0
    for cleaned in _chunks(count, seed):
        for start in range(0, len(cleaned), 250):
            part = cleaned[start : start + 250]
            items = [data for data, _, _ in part]
            # One sign-up moment per batch keeps the timeline in order, cheaply.
            joined = part[-1][1]
            people_upsert(
                items,
                context=IntakeContext(
                    method=ConsentMethod.FORM,
                    source="sign-up form /join",
                    activity_kind="signup",
                    activity_summary="Signed up on the website",
                    occurred_at=joined,
                ),
            )
            for status, method in {later for _, _, later in part if later}:
                later = [data for data, _, l8r in part if l8r == (status, method)]
                for item in later:
                    item.email_status = status
                    item.tags = []
                people_upsert(
                    later,
                    context=IntakeContext(
                        method=method,
                        source=_LATER_SOURCE.get(method, method),
                        activity_kind="email_status",
                        activity_summary=_LATER_SUMMARY.get(method, f"E-mail status: {status}"),
                        occurred_at=joined + timedelta(days=20),
                    ),
                )
            written += len(part)
            if progress:
                progress(len(part))
    planner_statistics_refresh()
    return written
