"""Crafted contributions and series for the finance tests: synthetic donors, exact amounts."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time

from django.utils import timezone
from faker import Faker

from groundswell.donations.models import (
    Contribution,
    ContributionStatus,
    Processor,
    RecurringPeriod,
    RecurringSeries,
)

fake = Faker("en_US")
_ids = itertools.count(1)


def at(day: date, hour: int = 12, minute: int = 0) -> datetime:
    """A moment of a day in the campaign's time zone."""
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def gift(
    amount_cents: int,
    *,
    day: date | None = None,
    when: datetime | None = None,
    donor_key: str | None = None,
    refunded_cents: int = 0,
    status: str | None = None,
    **fields,
) -> Contribution:
    """Save one contribution; a fresh synthetic donor unless ``donor_key`` (or person) is given."""
    if status is None:
        status = (
            ContributionStatus.PARTIALLY_REFUNDED if refunded_cents else ContributionStatus.PAID
        )
    number = next(_ids)
    values = {
        "processor": Processor.ACTBLUE,
        "processor_id": f"AB-TEST-{number}",
        "donor_given_name": fake.first_name(),
        "donor_family_name": fake.last_name(),
        "donor_email": f"donor{number}@example.org",
        "donor_city": fake.city(),
        "donor_state": "OH",
        "donor_postal_code": "43215",
        "donor_address_line1": fake.street_address(),
        "donor_employer": "Example Works",
        "donor_occupation": "Teacher",
    }
    values.update(fields)
    if donor_key is None and "person" not in fields and "person_id" not in fields:
        donor_key = f"n:test|{number}|43215"
    return Contribution.objects.create(
        amount_cents=amount_cents,
        received_at=when or at(day or timezone.localdate()),
        donor_key=donor_key or "",
        refunded_cents=refunded_cents,
        status=status,
        **values,
    )


def series(
    amount_cents: int, *, period: str = RecurringPeriod.MONTHLY, started: date | None = None, **kw
) -> RecurringSeries:
    """Save one recurring series (active unless told)."""
    return RecurringSeries.objects.create(
        processor=kw.pop("processor", Processor.ACTBLUE),
        processor_key=f"R-TEST-{next(_ids)}",
        period=period,
        amount_cents=amount_cents,
        started_at=at(started or date(2026, 1, 1)),
        **kw,
    )
