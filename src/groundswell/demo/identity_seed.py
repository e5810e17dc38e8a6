"""The demo campaign's donor goal, checks that need a human, and a first resolution run.

The demo's online gifts carry the donor's e-mail, so identity resolution links them with
certainty and the merge review queue would be empty. Campaigns also get checks by mail:
no e-mail, sometimes from the spouse at the same address, sometimes from a donor who has
moved, sometimes with the surname misspelt. Those are the pairs the engine is unsure about,
so the demo adds a few dozen such checks (deterministic for a seed) before resolving.
"""

from __future__ import annotations

import logging
import random
from datetime import UTC, date, datetime, time, timedelta

from django.utils import timezone

from groundswell.donations.models import Contribution, Processor
from groundswell.donations.services import ContributionInput, contribution_record
from groundswell.identity.models import ResolutionRun, ThresholdRuleSet
from groundswell.identity.services import identity_resolve
from groundswell.identity.thresholds import rule_set_activate, rule_set_save
from groundswell.people.models import PostalAddress

DEMO_GOAL = "Debate stage (demo scale)"
CHECK_PREFIX = "demo-check-"
# How many checks of each kind. Movers are the pairs a person must judge (the same name from
# another town, with nothing exact in common); households mostly score under the review floor
# and misspellings are linked by the engine's rules, which the "why linked" card then shows.
CHECKS = {"household": 10, "moved": 50, "misspelt": 10}
SPOUSES = ["Alex", "Jordan", "Casey", "Morgan", "Taylor", "Jamie", "Robin", "Avery", "Quinn"]


def _misspelt(rng: random.Random, family: str) -> str:
    """One letter doubled or two swapped: how a surname comes back from a handwritten check."""
    if len(family) < 4:
        return family + family[-1]
    at = rng.randrange(1, len(family) - 1)
    if rng.random() < 0.5:
        return family[:at] + family[at + 1] + family[at] + family[at + 2 :]
    return family[:at] + family[at] + family[at:]


def _check_donor(rng: random.Random, kind: str, address: PostalAddress) -> dict[str, str]:
    person = address.person
    donor = {
        "given_name": person.given_name,
        "family_name": person.family_name,
        "line1": address.line1,
        "city": address.city,
        "state": address.state,
        "postal_code": address.postal_code,
        "employer": person.employer,
        "occupation": person.occupation,
    }
    if kind == "household":  # the spouse's check: same surname and address, another name
        choices = [name for name in SPOUSES if name != person.given_name]
        donor.update(given_name=rng.choice(choices), employer="", occupation="")
    elif kind == "moved":  # the same name from a new street in another town of the state
        if rng.random() < 0.5:
            donor.update(employer="")  # left blank on the check
        donor.update(line1=f"{rng.randrange(10, 999)} Harbor Road", city="Lakeview", postal_code="")
    else:  # the surname misspelt, no street, a ZIP only
        donor.update(family_name=_misspelt(rng, person.family_name), line1="")
    return donor


def demo_checks_seed(*, seed: int = 2026, today: date | None = None) -> int:
    """Checks by mail (no e-mail) resembling supporters: households, movers, misspellings.

    Idempotent: each check has a fixed processor id, and a second call records nothing new.
    """
    if Contribution.objects.filter(processor_id__startswith=CHECK_PREFIX).exists():
        return 0
    today = today or timezone.localdate()
    rng = random.Random(f"identity-checks:{seed}")
    addresses = list(
        PostalAddress.objects.filter(is_primary=True, person__merged_into__isnull=True)
        .exclude(line1="")
        .exclude(postal_code="")
        .select_related("person")
        .order_by("pk")[:4000]
    )
    if not addresses:
        return 0
    kinds = [kind for kind, count in CHECKS.items() for _ in range(count)]
    picked = list(zip(kinds, rng.sample(addresses, min(len(addresses), len(kinds))), strict=False))
    # Each check without an e-mail or phone is noted by donations ("cannot be matched to a
    # person"): true, and the point of these checks, so not printed dozens of times into the demo.
    intake_log = logging.getLogger("groundswell.donations.services")
    level = intake_log.level
    intake_log.setLevel(logging.WARNING)
    try:
        return _checks_write(rng, picked, seed=seed, today=today)
    finally:
        intake_log.setLevel(level)


def _checks_write(rng: random.Random, picked: list, *, seed: int, today: date) -> int:
    written = 0
    for index, (kind, address) in enumerate(picked):
        day = today - timedelta(days=rng.randrange(1, 200))
        contribution_record(
            data=ContributionInput(
                processor=Processor.OFFLINE,
                processor_id=f"{CHECK_PREFIX}{seed}-{index}",
                amount_cents=rng.choice([2500, 5000, 10000]),
                received_at=datetime.combine(day, time(15, 0), tzinfo=UTC),
                donor=_check_donor(rng, kind, address),
                note="Check by mail (demo)",
            ),
            source="demo",
        )
        written += 1
    return written


def _quarter_end(day: date) -> date:
    month = 3 * ((day.month - 1) // 3) + 3
    following = date(day.year + (month == 12), month % 12 + 1, 1)
    return following - timedelta(days=1)


def demo_identity_seed(*, today: date | None = None) -> ResolutionRun | None:
    """An active demo goal (a debate-style rule scaled to the demo) and one resolution run.

    Idempotent: a goal already there is kept, and no second run is made once one finished.
    """
    today = today or timezone.localdate()
    if not ThresholdRuleSet.objects.filter(name=DEMO_GOAL).exists():
        goal = rule_set_save(
            rule_set=ThresholdRuleSet(
                name=DEMO_GOAL,
                description="The debate rules' shape at the demo's size: unique donors overall "
                "and a minimum in each of 20 states.",
                total_donors=6_000,
                per_state_minimum=60,
                states_required=20,
                # The demo's gifts go back about 540 days.
                window_start=today - timedelta(days=600),
                window_end=_quarter_end(today),
                deadline=_quarter_end(today),
            )
        )
        rule_set_activate(rule_set=goal)
    if ResolutionRun.objects.filter(status=ResolutionRun.Status.DONE).exists():
        return None
    demo_checks_seed(today=today)
    return identity_resolve()
