"""Who goes into an ad audience, and with which identifiers.

Conservative by design: an ad audience is a use of people's contact details they did not hand
over for ads, so it leaves out everyone erased and everyone who opted out of hearing from the
campaign (an address unsubscribed or marked as spam), and it never uses an address that
bounces, is known invalid, or a phone that opted out of texts.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import F, QuerySet, Sum

from groundswell.accounts.roles import FINANCE_VIEW, PEOPLE_EXPORT
from groundswell.analytics.audiences.formats import Identifiers, usable
from groundswell.donations.selectors import contributions_counted
from groundswell.people.models import (
    EmailAddress,
    EmailStatus,
    Person,
    Phone,
    PostalAddress,
    SmsStatus,
)
from groundswell.segments.models import Segment
from groundswell.segments.selectors import segment_people, segment_query_settings

OPTED_OUT = (EmailStatus.UNSUBSCRIBED, EmailStatus.SPAM_COMPLAINT)
EMAIL_USABLE = (EmailStatus.UNKNOWN, EmailStatus.SUBSCRIBED)
CHUNK = 2000
SEED_SIZES = (100, 250, 500, 1000, 2500, 5000, 10000)  # Meta's lookalike source needs 100+
SEED_DEFAULT = 1000


def audience_may_export(user) -> bool:
    return user.can(PEOPLE_EXPORT)


def seed_may_export(user) -> bool:
    # The seed list says who gave the most: finance data as well as an export of people.
    return user.can(PEOPLE_EXPORT) and user.can(FINANCE_VIEW)


def audience_people(people: QuerySet[Person]) -> QuerySet[Person]:
    """The people an audience may hold: not erased, not opted out, pinned to those now."""
    eligible = people.filter(erased_at__isnull=True).exclude(
        pk__in=EmailAddress.objects.filter(status__in=OPTED_OUT).values("person_id")
    )
    newest = eligible.order_by("-id").values_list("pk", flat=True).first()
    # Pinned to an id, so the audit log's count and the file cover the same people.
    return eligible.filter(pk__lte=newest) if newest is not None else eligible.none()


def segment_audience_people(*, segment: Segment) -> QuerySet[Person]:
    return audience_people(segment_people(segment=segment))


def _people_of(ids: list[int]) -> dict:
    """The lookup for the contact points of these people (ids ascending).

    A dense run of ids is read as a range: an IN list of thousands of ids costs Django more
    to build than the query takes (profiled: over half the summary's time at 20,000 people).
    Contact points of people in the range but not in the list are skipped by the caller.
    """
    if ids[-1] - ids[0] < 4 * len(ids):
        return {"person_id__gte": ids[0], "person_id__lte": ids[-1]}
    return {"person_id__in": ids}


def _contacts_add(found: dict[int, Identifiers], ids: list[int]) -> None:
    which = _people_of(ids)
    emails = (
        EmailAddress.objects.filter(**which, status__in=EMAIL_USABLE)
        .exclude(verdict=EmailAddress.Verdict.INVALID)
        .order_by("person_id", "-is_primary", "id")
        .values_list("person_id", "address")
    )
    for pk, address in emails:
        if pk in found:
            found[pk].emails.append(address)
    phones = (
        Phone.objects.filter(**which)
        .exclude(sms_status=SmsStatus.UNSUBSCRIBED)
        .order_by("person_id", "-is_primary", "id")
        .values_list("person_id", "number")
    )
    for pk, number in phones:
        if pk in found:
            found[pk].phones.append(number)
    addresses = PostalAddress.objects.filter(**which).order_by("person_id", "-is_primary", "id")
    done: set[int] = set()
    for pk, code, city, state, country in addresses.values_list(
        "person_id", "postal_code", "city", "state", "country"
    ):
        if pk in done or pk not in found:
            continue  # the primary address (or the oldest) only: one ZIP per row
        done.add(pk)
        person = found[pk]
        person.postal_code, person.city, person.state, person.country = code, city, state, country


def identifiers_iter(people: QuerySet[Person]) -> Iterator[Identifiers]:
    """Each person's identifiers in id order, read CHUNK people at a time (a large segment
    streams in constant memory)."""
    last = 0
    while True:
        with segment_query_settings():
            chunk = list(
                people.filter(pk__gt=last)
                .order_by("pk")
                .values_list("pk", "given_name", "family_name")[:CHUNK]
            )
        if not chunk:
            return
        found = {pk: Identifiers(given_name=g, family_name=f) for pk, g, f in chunk}
        ids = [row[0] for row in chunk]
        _contacts_add(found, ids)
        yield from found.values()
        last = ids[-1]


def ordered_identifiers(pks: list[int]) -> Iterator[Identifiers]:
    """Identifiers of the given people in the given order (the seed: biggest donors first)."""
    for start in range(0, len(pks), CHUNK):
        chunk = pks[start : start + CHUNK]
        found = {
            pk: Identifiers(given_name=g, family_name=f)
            for pk, g, f in Person.objects.filter(pk__in=chunk).values_list(
                "pk", "given_name", "family_name"
            )
        }
        if found:
            _contacts_add(found, sorted(found))
        for pk in chunk:
            if pk in found:
                yield found[pk]


@dataclass(frozen=True)
class AudienceSummary:
    """What the page shows before a download: the rows and who can be matched on what."""

    people: int  # eligible people (after erased and opted-out people are left out)
    rows: int  # people with at least one usable identifier: the file's row count
    with_email: int
    with_phone: int
    with_name_zip: int

    def share(self, count: int) -> int:
        """A whole percentage of the eligible people (0 for none)."""
        return round(100 * count / self.people) if self.people else 0

    @property
    def rows_share(self) -> int:
        return self.share(self.rows)

    @property
    def email_share(self) -> int:
        return self.share(self.with_email)

    @property
    def phone_share(self) -> int:
        return self.share(self.with_phone)

    @property
    def name_zip_share(self) -> int:
        return self.share(self.with_name_zip)


def audience_summary(identifiers: Iterator[Identifiers]) -> AudienceSummary:
    """Counts over the same normalisation the files use, so the page's row count is the file's."""
    people = rows = email = phone = name_zip = 0
    for ids in identifiers:
        people += 1
        found = usable(ids)
        rows += found.any
        email += found.email
        phone += found.phone
        name_zip += found.name_zip
    return AudienceSummary(people, rows, email, phone, name_zip)


def excluded_count(people: QuerySet[Person]) -> int:
    """How many of the segment's people are left out as erased or opted out."""
    with segment_query_settings():
        total = people.count()
        eligible = audience_people(people).count()
    return total - eligible


def top_donor_ids(*, user, size: int) -> list[int]:
    """The ``size`` people who gave the most, net of refunds, memo rows never counted; ties by
    the earlier record. Finance roles only: the list itself says who gave."""
    if not seed_may_export(user):
        return []
    eligible = audience_people(Person.objects.filter(merged_into__isnull=True))
    totals = (
        contributions_counted()
        .filter(person_id__in=eligible.values("pk"))
        .values("person_id")
        .annotate(net=Sum(F("amount_cents") - F("refunded_cents")))
        .filter(net__gt=0)
        .order_by("-net", "person_id")
        .values_list("person_id", flat=True)
    )
    return list(totals[:size])
