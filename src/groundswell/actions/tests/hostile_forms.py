"""What the public form's and the pop-up's hostile suites share.

Both send 10,000 generated bodies to an endpoint that stores sign-ups: each example posts,
posts again, and checks that at most one submission is stored and that it is storable on
PostgreSQL; the run then checks that enough bodies were kept and enough refused.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.core.cache import cache

from groundswell.actions.models import Submission
from groundswell.core.tests.hostile import REQUIRED_EXAMPLES, clean_for_postgres


def submissions_kept_once() -> list[Submission]:
    """The submissions stored after a body was sent twice: at most one, and clean."""
    submissions = list(Submission.objects.all())
    assert len(submissions) <= 1
    for submission in submissions:
        assert clean_for_postgres(str(submission.data))
    return submissions


def suite_run(
    property_holds: Callable[[], None], sent: dict[str, int], *, label: str, total: str
) -> None:
    """Run the property, print its tally, and check that it sent enough of each kind.

    ``sent`` counts every body under ``total``, and the kept and refused ones under "stored"
    and "refused".
    """
    started = time.monotonic()
    property_holds()
    print(f"\n{label}: {sent} in {time.monotonic() - started:.1f} s")
    cache.clear()
    assert sent[total] >= REQUIRED_EXAMPLES
    assert min(sent["stored"], sent["refused"]) >= REQUIRED_EXAMPLES // 10
