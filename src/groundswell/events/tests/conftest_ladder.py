"""The ladder's test world: one synthetic person per step of the ladder, written as the rows
each step reads (an e-mail, a submission, a gift, an attendance, a hosted event)."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from django.utils import timezone

from groundswell.actions.models import ActionPage, Submission
from groundswell.donations.models import Contribution
from groundswell.events.models import Attendance, Event, Shift
from groundswell.people.models import EmailAddress, Person

_n = itertools.count(1)


def someone(given: str, *, zip_code: str = "19103", created_at=None, **fields) -> Person:
    n = next(_n)
    person = Person.objects.create(
        given_name=given,
        family_name=fields.pop("family_name", "Brackenfold"),
        postal_code=zip_code,
        primary_email=f"{given.lower()}.{n}@example.org",
        **fields,
    )
    if created_at is not None:  # on file since then (created_at is set on insert)
        Person.objects.filter(pk=person.pk).update(created_at=created_at)
        person.created_at = created_at
    return person


def subscribe(person: Person, *, at: datetime | None = None) -> EmailAddress:
    email = EmailAddress.objects.create(
        person=person, address=f"sub{next(_n)}@example.org", status="subscribed"
    )
    if at is not None:
        EmailAddress.objects.filter(pk=email.pk).update(created_at=at)
    return email


def action_page(kind: str) -> ActionPage:
    slug = f"{kind}-{next(_n)}"
    return ActionPage.objects.create(slug=slug, title=slug, headline=slug, kind=kind)


def submit(person: Person, page: ActionPage, *, at=None, answers=None) -> Submission:
    return Submission.objects.create(
        page=page,
        token=f"tok{next(_n)}",
        email=person.primary_email,
        person=person,
        status="processed",
        data={"answers": answers or {}},
        received_at=at or timezone.now() - timedelta(days=1),
    )


def give(person: Person, *, at=None, status: str = "paid") -> Contribution:
    return Contribution.objects.create(
        person=person,
        amount_cents=2500,
        received_at=at or timezone.now() - timedelta(days=1),
        processor="offline",
        processor_id=f"ladder-{next(_n)}",
        status=status,
    )


def event_of(event_type: str, *, status="published", zip_code="19103", **fields) -> Event:
    n = next(_n)
    return Event.objects.create(
        title=f"{event_type} {n}",
        slug=f"{event_type}-{n}".replace("_", "-"),
        event_type=event_type,
        status=status,
        zip_code=zip_code,
        **fields,
    )


def shift_of(event: Event, *, starts_at=None, hours: float = 2, capacity=None) -> Shift:
    starts_at = starts_at or timezone.now() - timedelta(days=3)
    return Shift.objects.create(
        event=event,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        capacity=capacity,
    )


def attend(person: Person, shift: Shift, *, attended=True, minutes=None) -> Attendance:
    if minutes is None and attended:
        minutes = int((shift.ends_at - shift.starts_at).total_seconds() // 60)
    return Attendance.objects.create(
        shift=shift,
        person=person,
        attended=attended,
        minutes_credited=minutes if attended is not None else None,
    )


def ladder_world() -> dict[str, Person]:
    """One person per rung, each also doing the steps below it (and one doing nothing)."""
    petition = action_page("petition")
    people = {
        name: someone(name.title())
        for name in ("nobody", "subscriber", "signer", "donor", "attendee", "volunteer", "host")
    }
    for name in ("subscriber", "signer", "donor", "attendee", "volunteer", "host"):
        subscribe(people[name])
    for name in ("signer", "donor", "attendee", "volunteer", "host"):
        submit(people[name], petition)
    for name in ("donor", "volunteer"):
        give(people[name])
    rally = shift_of(event_of("rally"))
    canvass = shift_of(event_of("canvass"))
    attend(people["attendee"], rally)
    attend(people["volunteer"], canvass)
    event_of("house_party", host=people["host"])
    return people
