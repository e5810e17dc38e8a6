"""Synthetic people for the audience tests (invented names, example.org, 555 numbers)."""

from __future__ import annotations

from datetime import UTC, datetime

from django.utils import timezone

from groundswell.people.models import EmailAddress, EmailStatus, Person, Phone, PostalAddress
from groundswell.segments.services import segment_create


def person_make(
    given="",
    family="",
    *,
    state="OH",
    emails=(),
    phones=(),
    postal_code="",
    city="",
    country="US",
    erased=False,
) -> Person:
    """A person stored as given (no intake cleaning: the export must cope with anything)."""
    person = Person.objects.create(
        given_name=given,
        family_name=family,
        state=state,
        erased_at=timezone.now() if erased else None,
    )
    for i, (address, status) in enumerate(emails):
        EmailAddress.objects.create(
            person=person, address=address, status=status, is_primary=i == 0
        )
    for i, (number, sms) in enumerate(phones):
        Phone.objects.create(person=person, number=number, sms_status=sms, is_primary=i == 0)
    if postal_code or city:
        PostalAddress.objects.create(
            person=person,
            postal_code=postal_code,
            city=city,
            state=state,
            country=country,
            is_primary=True,
        )
    return person


def ohio_world(actor):
    """Five Ohioans: two usable, one with only a bouncing address, one who unsubscribed, one
    erased; and a segment of everyone in Ohio."""
    people = {
        "ada": person_make(
            "Ada",
            "Quillfeather",
            emails=[
                ("Ada.Q@Gmail.com", EmailStatus.SUBSCRIBED),
                ("ada@example.org", EmailStatus.UNKNOWN),
            ],
            phones=[("+16145550147", "subscribed")],
            postal_code="43215-1234",
            city="Columbus",
        ),
        "bo": person_make("Bo", "Ferncastle", postal_code="43210", city="Columbus"),
        "cy": person_make("Cy", "", emails=[("cy@example.org", EmailStatus.BOUNCING)]),
        "di": person_make(
            "Di",
            "Loomwright",
            emails=[("di@example.org", EmailStatus.UNSUBSCRIBED)],
            phones=[("+16145550100", "unknown")],
        ),
        "ed": person_make("Ed", "Gone", erased=True, phones=[("+16145550111", "unknown")]),
    }
    segment = segment_create(
        name="Ohioans",
        definition={"op": "and", "items": [{"kind": "state", "states": ["OH"]}]},
        actor=actor,
    )
    return people, segment


WHEN = datetime(2026, 3, 15, 12, tzinfo=UTC)
