"""Which rules apply to a gift: the committee's rule set for its cycle, its election, its donor.

Federal candidate committees, 2025–26: $3,500 per donor per election (the primary and the
general are separate elections), itemization once a donor's cycle total passes $200, cash over
$100 and anonymous gifts over $50 refused, and 60 days to redesignate or reattribute an
excessive gift. A campaign with other rules edits its ComplianceRule rows.
"""

from __future__ import annotations

import time
from datetime import date, datetime

from django.utils import timezone

from groundswell.donations.keys import name_key
from groundswell.donations.models import ComplianceRule


def cycle_for(day: date) -> int:
    """The two-year cycle a day falls in, named by its even (election) year."""
    return day.year if day.year % 2 == 0 else day.year + 1


def rule_for(*, received_at: datetime, committee_id: str = "") -> ComplianceRule:
    """The rule set for the cycle of ``received_at``: the saved one, or unsaved federal defaults."""
    day = timezone.localdate(received_at) if timezone.is_aware(received_at) else received_at.date()
    cycle = cycle_for(day)
    rule = ComplianceRule.objects.filter(committee_id=committee_id, cycle=cycle).first()
    return rule or ComplianceRule(committee_id=committee_id, cycle=cycle)


# rule_for_cached: (committee, cycle) → (monotonic expiry, rule), per process.
_RULES: dict[tuple[str, int], tuple[float, ComplianceRule]] = {}
RULE_CACHE_SECONDS = 30.0


def rule_for_cached(*, received_at: datetime, committee_id: str = "") -> ComplianceRule:
    """``rule_for``, remembered per process for 30 s: the webhook designates on receipt with it.

    A time limit rather than invalidation: the rule is saved in another process than the one
    that may hold it. Only the election shown before processing can be stale; the worker
    re-derives it with ``rule_for`` (uncached) before counting the gift toward a limit.
    """
    day = timezone.localdate(received_at) if timezone.is_aware(received_at) else received_at.date()
    key = (committee_id, cycle_for(day))
    now = time.monotonic()
    cached = _RULES.get(key)
    if cached is not None and cached[0] > now:
        return cached[1]
    rule = rule_for(received_at=received_at, committee_id=committee_id)
    _RULES[key] = (now + RULE_CACHE_SECONDS, rule)
    return rule


def rules_cache_clear() -> None:
    """Forget the rules ``rule_for_cached`` remembers (in this process)."""
    _RULES.clear()


def election_for(*, received_at: datetime, rule: ComplianceRule | None = None) -> str:
    """The election an undesignated gift counts toward: the next one after it was received.

    Before (or on) the primary date it is the primary; after it, the general; after the general,
    the next cycle's primary. With no primary date set, every gift counts toward the primary.
    """
    rule = rule or rule_for(received_at=received_at)
    day = timezone.localdate(received_at) if timezone.is_aware(received_at) else received_at.date()
    if rule.primary_date is None or day <= rule.primary_date:
        return f"P{rule.cycle}"
    if rule.general_date is None or day <= rule.general_date:
        return f"G{rule.cycle}"
    return f"P{rule.cycle + 2}"


def next_election(election: str) -> str:
    """The election a gift can be redesignated to: the general after a primary, else the next
    cycle's primary."""
    kind, year = election[:1], int(election[1:])
    return f"G{year}" if kind == "P" else f"P{year + 2}"


def donor_key_for(
    *, person_id: int | None, given_name: str = "", family_name: str = "", postal_code: str = ""
) -> str:
    """The key a gift counts against for limits: the linked person, else name + ZIP5.

    The name key is deliberately simple; identity resolution (the identity app) is where
    "Bob Smith" and "Robert Smith" become one donor.
    """
    if person_id:
        return f"p:{person_id}"
    return name_key(given_name, family_name, postal_code)
