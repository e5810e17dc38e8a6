"""What a donation page shows: the (personalised) ask ladder and its urgency figures.

The personalised ladder comes from a signed link parameter (``?ask=…``) holding the donor's
highest previous gift, so a forwarded or edited link can never make the page ask for an amount
we did not choose; a bad signature is ignored and the page's own amounts are shown.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.core import signing
from django.db.models import Count, F, Max, Q, Sum

from groundswell.donations.models import Contribution, ContributionStatus, DonationPage

ASK_SALT = "groundswell.donate.ask"
# An ask link goes out in e-mails that people open months later, but not years.
ASK_MAX_AGE = 400 * 24 * 3600
LADDER_MULTIPLIERS = (1, 1.5, 2, 3)
DEFAULT_AMOUNTS = [500, 1000, 2700, 5000, 10000, 25000]
MIN_ASK_CENTS = 100
# Gifts that count toward a page's totals (net of refunds; voids and chargebacks never came in).
COUNTED = [
    ContributionStatus.PAID,
    ContributionStatus.PARTIALLY_REFUNDED,
    ContributionStatus.REFUNDED,
]


def ask_token_make(*, highest_cents: int) -> str:
    """The signed ``ask`` link value for a donor whose highest gift was ``highest_cents``."""
    if highest_cents <= 0:
        raise ValueError("highest_cents must be positive")
    return signing.TimestampSigner(salt=ASK_SALT).sign(str(int(highest_cents)))


def ask_token_read(token: str) -> int | None:
    """The highest previous gift in a signed ``ask`` value; None if missing, forged or expired."""
    if not token or len(token) > 200:
        return None
    try:
        value = signing.TimestampSigner(salt=ASK_SALT).unsign(token, max_age=ASK_MAX_AGE)
    except signing.BadSignature:
        return None
    return int(value) if value.isdigit() and 0 < int(value) < 10**9 else None


def nice_cents(cents: float) -> int:
    """An amount rounded up to what people expect on a button ($7, $35, $150, $1,200).

    Up, never down: the first rung must not ask a donor for less than they gave before.
    """
    cents = int(math.ceil(cents))
    if cents < 1_000:
        step = 100
    elif cents < 10_000:
        step = 500
    elif cents < 50_000:
        step = 2_500
    elif cents < 200_000:
        step = 5_000
    else:
        step = 10_000
    return max(MIN_ASK_CENTS, -(-cents // step) * step)


def ask_ladder(*, page: DonationPage, highest_cents: int | None = None) -> list[int]:
    """The amounts to offer, smallest first: rebuilt around the donor's highest previous gift
    (1×, 1.5×, 2×, 3×, rounded) when known, else the page's own; always within the page's
    minimum and maximum and never below $1."""
    low = max(MIN_ASK_CENTS, page.min_cents)
    high = max(low, page.max_cents)
    if highest_cents:
        amounts = [nice_cents(highest_cents * m) for m in LADDER_MULTIPLIERS]
    else:
        amounts = list(page.amounts_cents or DEFAULT_AMOUNTS)
    ladder = sorted({min(high, max(low, int(a))) for a in amounts if int(a) > 0})
    return ladder or [low]


def person_highest_gift(*, person_id: int) -> int | None:
    """A person's highest counted gift in cents (memo entries and voided gifts excluded)."""
    return (
        Contribution.objects.filter(person_id=person_id, is_memo=False, status__in=COUNTED)
        .annotate(net=F("amount_cents") - F("refunded_cents"))
        .filter(net__gt=0)
        .aggregate(top=Max("net"))["top"]
    )


@dataclass
class PageProgress:
    raised_cents: int
    donors: int
    goal_cents: int | None
    goal_donors: int | None
    percent: int
    donors_to_go: int | None


def page_donor_count(*, page: DonationPage) -> int:
    """Distinct donors of a page: the linked person, else the donor key, else the e-mail.

    The one place the campaign-wide unique-donor count (the identity work) will plug in.
    """
    counted = _counted(page)
    people = counted.exclude(person_id=None).aggregate(n=Count("person_id", distinct=True))["n"]
    unlinked = counted.filter(person_id=None)
    keyed = unlinked.exclude(donor_key="").aggregate(n=Count("donor_key", distinct=True))["n"]
    by_email = (
        unlinked.filter(donor_key="")
        .exclude(donor_email="")
        .aggregate(n=Count("donor_email", distinct=True))["n"]
    )
    return people + keyed + by_email


def _counted(page: DonationPage):
    return Contribution.objects.filter(page=page, is_memo=False, status__in=COUNTED).filter(
        amount_cents__gt=F("refunded_cents")
    )


def campaign_donors_to_go(*, page: DonationPage) -> int | None:
    """ "N donors to go": toward the campaign's active donor goal (unique donors, counted by
    identity resolution) when there is one and a resolution has run; else toward the page's own
    donor goal, counting the page's donors."""
    if not page.show_donors_to_go:
        return None
    from groundswell.identity.thresholds import donors_to_go

    to_go = donors_to_go()
    if to_go is not None:
        return to_go
    if page.goal_donors:
        return max(0, page.goal_donors - page_donor_count(page=page))
    return None


def page_progress(*, page: DonationPage) -> PageProgress:
    """The thermometer and "donors to go" figures of a page, net of refunds, memos excluded."""
    raised = _counted(page).aggregate(
        total=Sum(F("amount_cents") - F("refunded_cents"), filter=Q(amount_cents__gt=0))
    )["total"]
    donors = page_donor_count(page=page)
    raised = int(raised or 0)
    percent = 0
    if page.goal_kind == DonationPage.GoalKind.DOLLARS and page.goal_cents:
        percent = min(100, raised * 100 // page.goal_cents)
    elif page.goal_kind == DonationPage.GoalKind.DONORS and page.goal_donors:
        percent = min(100, donors * 100 // page.goal_donors)
    to_go = campaign_donors_to_go(page=page)
    return PageProgress(
        raised_cents=raised,
        donors=donors,
        goal_cents=page.goal_cents,
        goal_donors=page.goal_donors,
        percent=percent,
        donors_to_go=to_go,
    )
