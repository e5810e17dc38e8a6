"""Writing synthetic supporters into the database, through the same upsert as every intake."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from groundswell.core.ahead import results_ahead
from groundswell.core.bulk import planner_statistics_refresh
from groundswell.demo.people_synthetic import CHUNK, chunk_clean
from groundswell.people.models import ConsentMethod
from groundswell.people.services import IntakeContext, people_upsert

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
    # Making and cleaning people is CPU work; a helper process does it ahead of the writes.
    chunks = range(-(-count // CHUNK))
    yield from results_ahead(
        chunk_clean, ((seed, chunk, count) for chunk in chunks), parallel=len(chunks) >= 3
    )


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
