"""What a bounce or complaint means for the address: suppress it now, wait, or nothing.

Pure: the caller passes the address's earlier soft bounces and the send path turns a
"suppress" into the person's consent history (with this reason as its source).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from groundswell.mailings.bounces.parse import Bounce, Complaint

# Three temporary failures in a week: a full mailbox or a flaky server gets a few chances,
# a dead domain that answers 4xx for ever does not (the large senders use similar numbers).
SOFT_LIMIT = 3
SOFT_WINDOW = timedelta(days=7)


class Verdict(StrEnum):
    SUPPRESS = "suppress"  # stop mailing this address
    COUNT = "count"  # a soft bounce to remember; not yet enough to suppress
    NOTHING = "nothing"  # a delivery report, or a complaint type that is not a complaint


@dataclass(frozen=True)
class Advice:
    verdict: Verdict
    reason: str  # for the consent history and the timeline: what happened, with the code


def suppression_advise(
    *,
    event: Bounce | Complaint,
    earlier_soft: Sequence[datetime] = (),
    now: datetime,
    soft_limit: int = SOFT_LIMIT,
    soft_window: timedelta = SOFT_WINDOW,
) -> Advice:
    """Hard bounce → suppress at once; complaint → suppress at once; soft bounce → suppress when
    it is the `soft_limit`-th within `soft_window` (counting `earlier_soft`, the times of this
    address's earlier soft bounces); anything else → nothing."""
    if isinstance(event, Complaint):
        if event.feedback_type == "not-spam":
            return Advice(Verdict.NOTHING, "marked as not spam")
        return Advice(
            Verdict.SUPPRESS, f"complaint ({event.feedback_type}) through a feedback loop"
        )
    detail = " ".join(part for part in (event.status, event.diagnostic[:200]) if part)
    if event.hard:
        return Advice(Verdict.SUPPRESS, f"hard bounce{': ' + detail if detail else ''}")
    if not event.soft:
        return Advice(Verdict.NOTHING, f"delivery report: {event.action}")
    recent = sum(1 for when in earlier_soft if now - soft_window <= when <= now) + 1
    if recent >= soft_limit:
        return Advice(
            Verdict.SUPPRESS,
            f"{recent} soft bounces within {soft_window.days} days"
            f"{' (last: ' + detail + ')' if detail else ''}",
        )
    return Advice(
        Verdict.COUNT, f"soft bounce {recent} of {soft_limit}{': ' + detail if detail else ''}"
    )
