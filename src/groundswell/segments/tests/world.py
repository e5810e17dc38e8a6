"""A small world of synthetic people for the condition tests (made-up names only)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from groundswell.actions.models import ActionPage, Referral, Submission
from groundswell.donations.models import Contribution
from groundswell.people.models import Person, PostalAddress, Tag, Tagging

_counter = [0]


def person(given, *, state="", zip_code="", tags=(), email="", phone="", **fields) -> Person:
    _counter[0] += 1
    p = Person.objects.create(
        given_name=given,
        family_name=fields.pop("family_name", "Quillfeather"),
        given_key=given.lower(),
        family_key=fields.pop("family_key", "quillfeather"),
        state=state,
        postal_code=zip_code,
        primary_email=email,
        primary_phone=phone,
        email_status=fields.pop("email_status", "subscribed" if email else ""),
        **fields,
    )
    for name in tags:
        Tagging.objects.create(person=p, tag=Tag.objects.get_or_create(name=name)[0])
    return p


def address(p: Person, *, city="", lat=None, lng=None) -> PostalAddress:
    return PostalAddress.objects.create(
        person=p,
        city=city,
        state=p.state,
        postal_code=p.postal_code,
        is_primary=True,
        latitude=Decimal(str(lat)) if lat is not None else None,
        longitude=Decimal(str(lng)) if lng is not None else None,
    )


def gift(p: Person, cents: int, *, days_ago: int = 10, recurring=False, **kw) -> Contribution:
    _counter[0] += 1
    return Contribution.objects.create(
        person=p,
        amount_cents=cents,
        received_at=timezone.now() - timedelta(days=days_ago),
        processor="offline",
        processor_id=f"seg-test-{_counter[0]}",
        is_recurring=recurring,
        status=kw.pop("status", "paid"),
        **kw,
    )


def page(slug: str, kind: str = "petition") -> ActionPage:
    return ActionPage.objects.create(slug=slug, title=slug.title(), headline=slug, kind=kind)


def submitted(p: Person, action_page: ActionPage, *, days_ago: int = 1) -> Submission:
    _counter[0] += 1
    return Submission.objects.create(
        page=action_page,
        token=f"t{_counter[0]}",
        email=p.primary_email or f"x{_counter[0]}@example.org",
        person=p,
        status="processed",
        received_at=timezone.now() - timedelta(days=days_ago),
    )


def referred(recruiter: Person, recruit: Person) -> Referral:
    return Referral.objects.create(recruiter=recruiter, recruit=recruit)
