"""Helpers for the compliance tests: synthetic donors and gifts recorded the real way."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from faker import Faker

from groundswell.donations.models import ComplianceRule
from groundswell.donations.services import ContributionInput, contribution_record

fake = Faker("en_US")
_ids = itertools.count(1)

# The test cycle: primary on June 2, general on November 3, 2026.
PRIMARY = datetime(2026, 3, 15, 12, tzinfo=UTC)
GENERAL = datetime(2026, 8, 15, 12, tzinfo=UTC)


def rule_2026(**kw) -> ComplianceRule:
    """The federal defaults for 2025–26 with both election dates set."""
    from datetime import date

    values = {"primary_date": date(2026, 6, 2), "general_date": date(2026, 11, 3)}
    values.update(kw)
    rule, _ = ComplianceRule.objects.update_or_create(committee_id="", cycle=2026, defaults=values)
    return rule


def donor(**kw) -> dict[str, str]:
    """A synthetic donor as an intake dict (example.org e-mail, so never a real address)."""
    given, family = fake.first_name(), fake.last_name()
    values = {
        "given_name": given,
        "family_name": family,
        "email": f"{given}.{family}.{next(_ids)}@example.org".lower(),
        "address_line1": fake.street_address(),
        "city": fake.city(),
        "state": "OH",
        "postal_code": "43215",
        "employer": "Acme Test Co",
        "occupation": "Teacher",
    }
    values.update(kw)
    return values


def gift(cents: int, who: dict[str, str], *, when: datetime = PRIMARY, **kw):
    """Record one ActBlue gift through contribution_record; returns the contribution."""
    data = ContributionInput(
        processor=kw.pop("processor", "actblue"),
        processor_id=kw.pop("processor_id", f"AB{next(_ids)}"),
        amount_cents=cents,
        received_at=when,
        donor=who,
        **kw,
    )
    contribution, _ = contribution_record(data=data)
    contribution.refresh_from_db()
    return contribution
