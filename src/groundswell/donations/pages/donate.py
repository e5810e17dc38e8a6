"""What a donation page shows: the (personalised) ask ladder and its urgency figures.

The personalised ladder comes from a signed link parameter (``?ask=…``) holding the donor's
highest previous gift, so a forwarded or edited link can never make the page ask for an amount
we did not choose; a bad signature is ignored and the page's own amounts are shown.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core import signing
from django.db.models import Count, F, Max, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse

from groundswell.actions.site import AskAmount, DonationPageRef, ThanksAsk
from groundswell.donations.models import (
    Contribution,
    ContributionStatus,
    DonationPage,
    cents_display,
)

ASK_SALT = "groundswell.donate.ask"
# An ask link goes out in e-mails that people open months later, but not years.
ASK_MAX_AGE = 400 * 24 * 3600
LADDER_MULTIPLIERS = (1, 1.5, 2, 3)
DEFAULT_AMOUNTS = [500, 1000, 2700, 5000, 10000, 25000]
MIN_ASK_CENTS = 100
# The link parameter naming the amount to preselect (one of the ladder's; anything else ignored).
AMOUNT_PARAM = "amount"
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


def donation_link_query(
    *, highest_cents: int | None, amount_cents: int | None = None, refcode: str = ""
) -> str:
    """The query string (with its ``?``) of a donation link sent to one donor, e.g. by a mailing:
    the signed ``ask`` (their highest previous gift, so the page offers their own ladder), the
    amount to preselect and the refcode that credits the gift. The page ignores an amount that
    is not on the ladder it shows, so an edited link can only fall back to the page's choice."""
    params: dict[str, str] = {}
    if highest_cents and highest_cents > 0:
        params["ask"] = ask_token_make(highest_cents=highest_cents)
    if amount_cents and amount_cents > 0:
        params[AMOUNT_PARAM] = str(int(amount_cents))
    if refcode:
        params["refcode"] = refcode
    return f"?{urlencode(params)}" if params else ""


def donation_pages_list(*, slug: str | None = None) -> list[DonationPageRef]:
    """The published donation pages (or the one with ``slug``), for the public site's Donate
    links and the choice of its default page (``actions.site.donation_pages_source_set``)."""
    pages = DonationPage.objects.filter(is_published=True).order_by("title", "pk")
    if slug is not None:
        pages = pages.filter(slug=slug)
    return [
        DonationPageRef(slug=p.slug, title=p.title, url=reverse("donate:page", args=[p.slug]))
        for p in pages.only("slug", "title")
    ]


def amount_label(cents: int) -> str:
    """An amount as a button says it: "$27", or "$27.50" when it has cents."""
    return f"${cents // 100:,}" if cents % 100 == 0 else cents_display(cents)


def thanks_ask_build(*, page_slug: str, refcode: str, ask_proof: str = "") -> ThanksAsk | None:
    """The "chip in" ask after an action (``actions.site.thanks_ask_source_set``): a ladder on
    the page, each amount a link preselecting it there with the action's refcode.

    Personalised only from what the browser proves: ``ask_proof`` is the raw ask cookie, the
    same signed highest gift as a mailed link's ``ask``, which the donation pages set after this
    browser's own gift or when its donor opened their own link. When it verifies, the ladder is
    built around that gift and every link carries the signed ``ask`` too, so the donation page
    offers the same amounts; forged, expired or absent, it is the page's ordinary ladder. Never
    from an address typed into the action's form (see ``actions.site.thanks_ask``)."""
    page = DonationPage.objects.filter(slug=page_slug, is_published=True).first()
    if page is None:
        return None
    highest = ask_token_read(ask_proof)
    base = reverse("donate:page", args=[page.slug])
    amounts = tuple(
        AskAmount(
            cents=cents,
            label=amount_label(cents),
            url=base
            + donation_link_query(highest_cents=highest, amount_cents=cents, refcode=refcode),
        )
        for cents in ask_ladder(page=page, highest_cents=highest)
    )
    return ThanksAsk(
        amounts=amounts,
        other_url=base + donation_link_query(highest_cents=highest, refcode=refcode),
    )


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


def _counted_net_gifts():
    """Counted gifts net of refunds (memo entries and voided gifts excluded)."""
    return (
        Contribution.objects.filter(is_memo=False, status__in=COUNTED)
        .annotate(net=F("amount_cents") - F("refunded_cents"))
        .filter(net__gt=0)
    )


def person_highest_gift(*, person_id: int) -> int | None:
    """A person's highest counted gift in cents (memo entries and voided gifts excluded)."""
    return _counted_net_gifts().filter(person_id=person_id).aggregate(top=Max("net"))["top"]


def people_highest_gifts(*, person_ids: list[int]) -> dict[int, int]:
    """``person_highest_gift`` for a batch of people in one query (a mailing's batch of
    recipients); people who never gave are absent."""
    if not person_ids:
        return {}
    rows = (
        _counted_net_gifts()
        .filter(person_id__in=person_ids)
        .values("person_id")
        .annotate(top=Max("net"))
        .values_list("person_id", "top")
    )
    return dict(rows)


@dataclass(frozen=True)
class DonorGoal:
    """A donor goal and the donors counted toward it: the campaign's, or a page's own."""

    donors: int
    goal: int
    name: str = ""  # the campaign goal's name; empty for the page's own goal

    @property
    def to_go(self) -> int:
        return max(0, self.goal - self.donors)

    @property
    def percent(self) -> int:
        return min(100, self.donors * 100 // self.goal) if self.goal > 0 else 0


@dataclass
class PageProgress:
    raised_cents: int
    donors: int  # the page's own donors (page_donor_count)
    goal_cents: int | None
    donor_goal: DonorGoal | None  # the one donor goal the page shows, thermometer and to-go
    percent: int
    donors_to_go: int | None  # None when the page does not show it

    @property
    def goal_donors(self) -> int | None:
        return self.donor_goal.goal if self.donor_goal else None


# Identity resolution counts the campaign's unique donors; it depends on donations, so it hands
# donations its figure through this hook (set in its AppConfig.ready) rather than being imported.
_campaign_goal_source: Callable[[], DonorGoal | None] | None = None


def campaign_goal_source_set(source: Callable[[], DonorGoal | None] | None) -> None:
    """Name the function that gives the campaign's active donor goal and its unique donors."""
    global _campaign_goal_source
    _campaign_goal_source = source


def campaign_donor_goal() -> DonorGoal | None:
    """The campaign's active donor goal with its unique donors; None if none or not counted."""
    return _campaign_goal_source() if _campaign_goal_source else None


def _counted_q(prefix: str = "") -> Q:
    """Gifts that count toward a page: not memos, not voided, and not refunded in full."""
    return Q(
        **{
            f"{prefix}is_memo": False,
            f"{prefix}status__in": COUNTED,
            f"{prefix}amount_cents__gt": F(f"{prefix}refunded_cents"),
        }
    )


def pages_with_totals(pages: QuerySet) -> QuerySet:
    """Pages annotated with ``raised`` (cents, net of refunds) and ``donor_count``.

    The one definition of a page's figures, for one page or a list in one query. A donor is
    the linked person, else the donor key, else the e-mail (a gift newer than any matching).
    """
    p = "contributions__"
    counted = _counted_q(p)
    unlinked = counted & Q(**{f"{p}person__isnull": True})
    return pages.annotate(
        raised=Coalesce(Sum(F(f"{p}amount_cents") - F(f"{p}refunded_cents"), filter=counted), 0),
        donor_count=Count(f"{p}person", distinct=True, filter=counted)
        + Count(f"{p}donor_key", distinct=True, filter=unlinked & ~Q(**{f"{p}donor_key": ""}))
        + Count(
            f"{p}donor_email",
            distinct=True,
            filter=unlinked & Q(**{f"{p}donor_key": ""}) & ~Q(**{f"{p}donor_email": ""}),
        ),
    )


def _page_totals(page: DonationPage) -> tuple[int, int]:
    row = pages_with_totals(DonationPage.objects.filter(pk=page.pk)).values("raised", "donor_count")
    totals = row.first() or {"raised": 0, "donor_count": 0}
    return int(totals["raised"] or 0), int(totals["donor_count"] or 0)


def page_donor_count(*, page: DonationPage) -> int:
    """Distinct donors of a page (see ``pages_with_totals``)."""
    return _page_totals(page)[1]


def page_donor_goal(*, page: DonationPage, donors: int | None = None) -> DonorGoal | None:
    """The one donor goal a page shows, in its thermometer and its "donors to go" alike.

    A page that shows "donors to go" counts toward the campaign's active goal (unique donors,
    by identity resolution) once those are counted; otherwise a page's donor goal is its own,
    counting its own donors. One goal per page, so its figures never contradict each other.
    """
    if page.show_donors_to_go:
        campaign = campaign_donor_goal()
        if campaign is not None:
            return campaign
    if page.goal_donors and (
        page.goal_kind == DonationPage.GoalKind.DONORS or page.show_donors_to_go
    ):
        if donors is None:
            donors = page_donor_count(page=page)
        return DonorGoal(donors=donors, goal=page.goal_donors)
    return None


def page_progress(*, page: DonationPage) -> PageProgress:
    """The thermometer and "donors to go" figures of a page, net of refunds, memos excluded."""
    raised, donors = _page_totals(page)
    goal = page_donor_goal(page=page, donors=donors)
    percent = 0
    if page.goal_kind == DonationPage.GoalKind.DOLLARS and page.goal_cents:
        percent = min(100, raised * 100 // page.goal_cents)
    elif page.goal_kind == DonationPage.GoalKind.DONORS and goal is not None:
        percent = goal.percent
    return PageProgress(
        raised_cents=raised,
        donors=donors,
        goal_cents=page.goal_cents,
        donor_goal=goal,
        percent=percent,
        donors_to_go=goal.to_go if goal is not None and page.show_donors_to_go else None,
    )
