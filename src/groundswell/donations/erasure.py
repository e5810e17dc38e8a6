"""What donations keeps and what it removes when a person is deleted or erased.

Contributions are records the law requires a committee to keep: an itemized gift's report
shows the donor's name, mailing address, employer and occupation (52 U.S.C. 30104(b)(3);
records kept three years after the report, 52 U.S.C. 30102(d)). So a person who gave cannot be
deleted, and an erasure keeps each gift with the donor as given, linked to the erased person
so limits and totals still count them. What no report needs goes: the donor's e-mail and
phone on the gift, the saved contact details of a recurring series, best-efforts e-mails.
"""

from __future__ import annotations

from groundswell.donations.models import (
    BestEffortsRequest,
    Contribution,
    PaymentAttempt,
    RecurringSeries,
)

# The donor fields a recurring series keeps (people.intake names): what a report shows.
_SERIES_DONOR_KEPT = (
    "given_name",
    "family_name",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "country",
    "employer",
    "occupation",
)
_LIVE_SERIES = (RecurringSeries.Status.ACTIVE, RecurringSeries.Status.FAILING)


def person_removal_blockers(*, person, action: str) -> list[str]:
    """A donor cannot be deleted (their gifts are kept by law) nor erased while still giving."""
    reasons = []
    if action == "delete":
        gifts = Contribution.objects.filter(person=person).count()
        if gifts:
            reasons.append(
                f"{gifts} contribution{'s are' if gifts != 1 else ' is'} on record for this "
                "person, which the law requires the campaign to keep: erase their personal "
                "data instead."
            )
        elif RecurringSeries.objects.filter(person=person).exists():
            reasons.append("This person has a recurring gift on record: erase them instead.")
    if (
        action == "erase"
        and RecurringSeries.objects.filter(person=person, status__in=_LIVE_SERIES).exists()
    ):
        reasons.append(
            "This person has a recurring gift that is still charged: cancel it first "
            "(Finance → the gift's series), then erase."
        )
    return reasons


def person_erase(*, person, actor) -> list[str]:
    """Strip from a donor's gifts what no report needs; the gifts themselves stay."""
    done = []
    gifts = Contribution.objects.filter(person=person)
    changed = gifts.exclude(donor_email="", donor_phone="").update(donor_email="", donor_phone="")
    if changed:
        done.append(f"e-mail and phone removed from {changed} contribution(s); the gifts are kept")
    kept = gifts.count()
    if kept:
        done.append(f"{kept} contribution(s) kept with the donor's name and address as given")
    for series in RecurringSeries.objects.filter(person=person):
        series.donor = {k: v for k, v in (series.donor or {}).items() if k in _SERIES_DONOR_KEPT}
        # A cancelled series is never charged again: the processor's saved card goes too.
        series.processor_customer = ""
        series.processor_payment_method = ""
        series.save(
            update_fields=["donor", "processor_customer", "processor_payment_method", "modified_at"]
        )
        done.append(f"contact details and saved card removed from recurring series #{series.pk}")
    # A payment attempt (the form as sent to the processor) is known by the donor's e-mail.
    addresses = list(person.emails.values_list("address", flat=True))
    attempts = 0
    for attempt in PaymentAttempt.objects.filter(donor__email__in=addresses) if addresses else ():
        attempt.donor = {k: v for k, v in attempt.donor.items() if k in _SERIES_DONOR_KEPT}
        attempt.ip_address = None
        attempt.save(update_fields=["donor", "ip_address", "modified_at"])
        attempts += 1
    if attempts:
        done.append(f"contact details removed from {attempts} payment attempt(s)")
    emails = BestEffortsRequest.objects.filter(contribution__person=person).exclude(email="")
    count = emails.update(email="")
    if count:
        done.append(f"e-mail removed from {count} best-efforts request(s)")
    return done
