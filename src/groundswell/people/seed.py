"""Writing synthetic supporters into the database, through the same upsert as every intake."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from groundswell.people.intake import person_input_clean
from groundswell.people.models import ConsentMethod
from groundswell.people.services import IntakeContext, people_upsert
from groundswell.people.synthetic import people_generate

BATCH = 500


def people_seed(*, count: int, seed: int = 1, progress: Callable[[int], None] | None = None) -> int:
    """Create ``count`` synthetic people with sign-up dates and consent histories."""
    people = sorted(people_generate(count, seed=seed), key=lambda p: p.joined_at)
    written = 0
    for start in range(0, len(people), BATCH):
        chunk = people[start : start + BATCH]
        items = []
        for person in chunk:
            data, errors = person_input_clean(person.raw)
            if errors:  # the generator only makes valid people; fail loudly if not
                raise ValueError(f"synthetic person is invalid: {errors}")
            items.append(data)
        # One sign-up moment per batch keeps the timeline in order without a write per person.
        joined = chunk[-1].joined_at
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
        for status, method in {p.later_status for p in chunk if p.later_status}:
            later = [items[i] for i, p in enumerate(chunk) if p.later_status == (status, method)]
            for item in later:
                item.email_status = status
                item.tags = []
            people_upsert(
                later,
                context=IntakeContext(
                    method=method,
                    source={
                        "unsubscribe_link": "unsubscribe link in a mailing",
                        "bounce": "mail server bounce",
                        "complaint": "feedback loop report",
                    }.get(method, method),
                    activity_kind="email_status",
                    activity_summary=f"E-mail status: {status}",
                    occurred_at=joined + timedelta(days=20),
                ),
            )
        written += len(chunk)
        if progress:
            progress(len(chunk))
    return written
